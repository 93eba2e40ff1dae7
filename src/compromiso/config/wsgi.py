import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compromiso.config.settings")
django.setup(set_prefix=False)

from compromiso.core.handlers import CompromisoHandler  # noqa: E402 (after setup)

# Django's WSGI handler, with a shorter middleware chain for token API calls (core/handlers.py).
application = CompromisoHandler()
