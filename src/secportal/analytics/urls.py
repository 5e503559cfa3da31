from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/summary.json", views.summary, name="summary"),
]
