from django.urls import path

from . import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("<uuid:client_id>/", views.client_detail, name="detail"),
    path("<uuid:client_id>/edit/", views.client_edit, name="edit"),
    path("<uuid:client_id>/contacts/new/", views.contact_add, name="contact_add"),
    path(
        "<uuid:client_id>/contacts/<uuid:contact_id>/edit/", views.contact_edit, name="contact_edit"
    ),
    path(
        "<uuid:client_id>/contacts/<uuid:contact_id>/remove/",
        views.contact_remove,
        name="contact_remove",
    ),
]
