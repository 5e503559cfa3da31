from django.urls import path

from . import views

app_name = "engagements"

urlpatterns = [
    path("", views.engagement_list, name="list"),
    path("new/", views.engagement_create, name="create"),
    path("<uuid:engagement_id>/", views.engagement_detail, name="detail"),
    path("<uuid:engagement_id>/edit/", views.engagement_edit, name="edit"),
]
