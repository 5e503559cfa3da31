"""The project's URLs under a prefix: a URLconf that ``test_reversing`` overrides with."""

from django.urls import include, path

urlpatterns = [path("prefixed/", include("secportal.urls"))]
