from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.mailbox, name="mailbox"),
    path("<str:message_id>/", views.mailbox_message, name="message"),
]
