from django.urls import path

from . import views

app_name = "workspaces"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("edit/", views.settings_update, name="settings_update"),
    path("company/", views.company_update, name="company_update"),
    path("reminders/", views.reminders_update, name="reminders_update"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
]
