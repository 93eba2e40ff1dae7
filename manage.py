#!/usr/bin/env python
"""Django's command-line utility for Compromiso (the `compromiso` command wraps it)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from compromiso.cli import main

if __name__ == "__main__":
    main()
