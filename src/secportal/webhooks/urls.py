from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("new/", views.create_endpoint, name="create"),
    path("<uuid:endpoint_id>/", views.endpoint, name="endpoint"),
    path("<uuid:endpoint_id>/rotate/", views.rotate_secret, name="rotate"),
    path("<uuid:endpoint_id>/toggle/", views.toggle, name="toggle"),
    path("<uuid:endpoint_id>/delete/", views.delete_endpoint, name="delete"),
    path(
        "<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/resend/",
        views.resend,
        name="resend",
    ),
]
