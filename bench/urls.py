"""The project's URLs plus the baseline page the page targets are compared with."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path


def baseline(request: HttpRequest) -> HttpResponse:
    """A minimal Django page: one `SELECT 1` and a small template."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (value,) = cursor.fetchone()
    return render(request, "bench/baseline.html", {"value": value})


urlpatterns = [
    path("bench/baseline/", baseline, name="bench_baseline"),
    path("", include("secportal.urls")),
]
