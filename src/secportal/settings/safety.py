"""The refusals of the production settings, importable without applying them (for tests)."""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured


def check_environment(env: Mapping[str, str]) -> None:
    """Raise ImproperlyConfigured, naming the variable, for every unsafe setting."""
    problems = []
    secret = env.get("SECRET_KEY", "")
    if len(secret) < 50 or secret.startswith("insecure"):
        problems.append("SECRET_KEY must be set to a long random value (50+ characters).")
    hosts = [h.strip() for h in env.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    if not hosts or "*" in hosts:
        problems.append("ALLOWED_HOSTS must list the site's host names (no '*').")
    if not env.get("SITE_URL", "").startswith("https://"):
        problems.append("SITE_URL must be the site's https:// address (it goes into emails).")
    if env.get("STRIPE_SECRET_KEY", "").startswith(("sk_live_", "rk_live_")) and env.get(
        "STRIPE_API_BASE"
    ):
        problems.append(
            "STRIPE_API_BASE must be unset with a live Stripe key: the key would be sent to "
            f"{env['STRIPE_API_BASE']!r} instead of Stripe."
        )
    if problems:
        raise ImproperlyConfigured("Unsafe production settings: " + " ".join(problems))
