"""The site's URLconf plus a page that fails, to see the 500 page as a visitor does."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from compromiso.config import urls as site


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a defect")


urlpatterns = [path("crash/", crash), *site.urlpatterns]
handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
