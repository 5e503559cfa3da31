from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from secportal.api.api import api
from secportal.core.views import healthz
from secportal.payments import views as payment_views
from secportal.workspaces.views import switch

# The platform operator's admin: two-factor required (django-otp), at a path of its own.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", include("secportal.analytics.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("secportal.accounts.urls")),
    path("workspace/switch/", switch, name="workspace_switch"),
    path("settings/", include("secportal.workspaces.urls")),
    path("clients/", include("secportal.clients.urls")),
    path("engagements/", include("secportal.engagements.urls")),
    path("invoices/", include("secportal.invoicing.urls")),
    path("portal/", include("secportal.portal.urls")),
    path("payments/", include("secportal.payments.urls")),
    path("api/v1/", api.urls),
    path("settings/api-keys/", include("secportal.api.urls")),
    path("settings/webhooks/", include("secportal.webhooks.urls")),
    path("stripe/webhook/", payment_views.webhook, name="stripe_webhook"),
    path("mailbox/", include("secportal.notifications.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
