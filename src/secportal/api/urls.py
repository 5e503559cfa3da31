from django.urls import path

from . import views

app_name = "api_keys"

urlpatterns = [
    path("new/", views.create_key, name="create"),
    path("<int:key_id>/revoke/", views.revoke_key, name="revoke"),
]
