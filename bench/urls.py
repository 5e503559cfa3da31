"""The project's URLs plus the baseline page the page targets are compared with."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from secportal.workspaces.access import workspace_view


def baseline(request: HttpRequest) -> HttpResponse:
    """A minimal Django page: one `SELECT 1` and a small template."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (value,) = cursor.fetchone()
    return render(request, "bench/baseline.html", {"value": value})


@workspace_view()
def signed_in(request: HttpRequest) -> HttpResponse:
    """The signed-in floor: the one door (session, user, membership, workspace scope, two-factor)
    and the base layout with no data: what every workspace page pays before its own work."""
    return render(request, "bench/signed_in.html")


urlpatterns = [
    path("bench/baseline/", baseline, name="bench_baseline"),
    path("bench/signed-in/", signed_in, name="bench_signed_in"),
    path("", include("secportal.urls")),
]
