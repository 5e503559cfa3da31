"""Magic-link sign-in: one-time, 15 minutes, rate-limited, never says if an address is known."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse

from secportal.clients.models import Client, ClientContact
from secportal.core.signing import LinkExpired, LinkInvalid
from secportal.notifications import mailcatcher
from secportal.notifications.models import EmailMessage
from secportal.portal import services
from secportal.portal.models import PortalSignIn

from ..conftest import make_tenant, smtp_mailers
from .conftest import make_sent, new_invoice

SAME_ANSWER = "If this address belongs to a client contact, we&#x27;ve emailed a sign-in link."


def ask_link(browser: HttpClient, email: str, ip: str = "203.0.113.7"):
    return browser.post(reverse("portal:login"), {"email": email}, REMOTE_ADDR=ip)


def link_in(text: str) -> str:
    match = re.search(r"http://testserver(/portal/sign-in/[^/\s]+/)", text)
    assert match, text
    return match.group(1)


@pytest.mark.django_db(transaction=True)
def test_sign_in_end_to_end_through_a_real_smtp_server(tenant, smtp_server):
    port, mailbox = smtp_server
    make_sent(tenant.invoice)
    browser = HttpClient()
    form = browser.get(reverse("portal:login")).content.decode()
    assert '<label for="id_email">Email</label>' in form
    with override_settings(MAILERS=smtp_mailers(port)):
        response = ask_link(browser, tenant.contact.email.upper())  # any case
    assert response.status_code == 200
    assert SAME_ANSWER in response.content.decode()
    assert "It works for 15 minutes." in response.content.decode()
    caught = mailcatcher.read_mailbox(mailbox)
    assert len(caught) == 1
    assert caught[0]["subject"] == f"Your sign-in link for {tenant.workspace.name}"
    url = link_in(caught[0]["text"])
    assert url in caught[0]["html"]
    assert EmailMessage.objects.get().kind == "portal_sign_in"

    # Opening the link (as a mail scanner would) spends nothing; the button signs in.
    assert "Continue to the portal" in browser.get(url).content.decode()
    assert browser.get(url).status_code == 200
    response = browser.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    home = browser.get(reverse("portal:home")).content.decode()
    assert tenant.client.name in home
    assert tenant.invoice.number in home
    # Not a consultant: the consultant pages still want a sign-in.
    assert browser.get(reverse("invoicing:list")).status_code == 302

    # The same link again is refused, in a fresh browser too.
    again = HttpClient().post(url)
    assert again.status_code == 410
    page = again.content.decode()
    assert "already been used" in page
    assert 'name="email"' in page  # a form to get a fresh one


@pytest.mark.django_db
def test_unknown_address_gets_the_same_answer_and_no_email(tenant):
    known = ask_link(HttpClient(), tenant.contact.email)
    unknown = ask_link(HttpClient(), "nobody@nowhere.example")
    assert known.status_code == unknown.status_code == 200

    assert SAME_ANSWER in unknown.content.decode()
    assert known.content == unknown.content  # byte for byte
    assert list(EmailMessage.objects.values_list("to", flat=True)) == [tenant.contact.email]
    unknown_row = PortalSignIn.objects.get(emailed=False)
    assert unknown_row.email == ""  # an unknown address is kept only as a digest


@pytest.mark.django_db
def test_invalid_email_is_shown_beside_the_field(tenant):
    response = HttpClient().post(reverse("portal:login"), {"email": "not-an-email"})
    page = response.content.decode()
    assert 'id="id_email_error"' in page
    assert EmailMessage.objects.count() == 0


@pytest.mark.django_db
def test_link_signs_in_once_and_expires(tenant, settings):
    ask_link(HttpClient(), tenant.contact.email)
    url = link_in(EmailMessage.objects.get().body_text)
    token = url.rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(LinkExpired):
        services.use_sign_in_link(token, max_age=-1)
    assert services.use_sign_in_link(token) == tenant.contact.email
    with pytest.raises(services.LinkUsed):
        services.use_sign_in_link(token)

    ask_link(HttpClient(), tenant.contact.email)
    fresh = link_in(EmailMessage.objects.order_by("-pk").first().body_text)
    settings.PORTAL_SIGN_IN_LINK_MAX_AGE = -1
    for response in (HttpClient().get(fresh), HttpClient().post(fresh)):
        assert response.status_code == 410
        assert "This sign-in link has expired" in response.content.decode()
        assert 'name="email"' in response.content.decode()
    settings.PORTAL_SIGN_IN_LINK_MAX_AGE = 900
    assert HttpClient().post(fresh).status_code == 302  # expiry did not spend it


@pytest.mark.django_db
def test_tampered_link_is_not_valid(tenant):
    ask_link(HttpClient(), tenant.contact.email)
    url = link_in(EmailMessage.objects.get().body_text)
    tampered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    response = HttpClient().post(tampered)
    assert response.status_code == 404
    assert "This sign-in link is not valid" in response.content.decode()
    with pytest.raises(LinkInvalid):
        services.read_sign_in_token("garbage")


@pytest.mark.django_db
def test_rate_limit_per_address_known_or_not(tenant):
    for email in (tenant.contact.email, "stranger@nowhere.example"):
        for i in range(services.LINKS_PER_EMAIL_PER_HOUR):
            assert ask_link(HttpClient(), email, ip=f"198.51.100.{i}").status_code == 200
        limited = ask_link(HttpClient(), email, ip="198.51.100.99")
        assert limited.status_code == 429
        page = limited.content.decode()
        assert "at most 5 an hour" in page
        assert "belongs to a client contact" not in page
    assert EmailMessage.objects.filter(to=tenant.contact.email).count() == 5


@pytest.mark.django_db
def test_rate_limit_per_ip(tenant):
    for i in range(services.LINKS_PER_IP_PER_HOUR):
        assert ask_link(HttpClient(), f"person{i}@nowhere.example").status_code == 200
    limited = ask_link(HttpClient(), tenant.contact.email)
    assert limited.status_code == 429
    assert "at most 20 an hour" in limited.content.decode()
    assert EmailMessage.objects.count() == 0
    assert ask_link(HttpClient(), tenant.contact.email, ip="192.0.2.1").status_code == 200


@pytest.mark.django_db
def test_one_address_at_several_clients_picks_which(tenant, other_tenant):
    email = tenant.contact.email
    theirs = ClientContact.objects.create(
        workspace=other_tenant.workspace, client=other_tenant.client, name="Same", email=email
    )
    second_client = Client.objects.create(workspace=tenant.workspace, name="Sister Co")
    ClientContact.objects.create(
        workspace=tenant.workspace, client=second_client, name="Same", email=email.upper()
    )
    mine = make_sent(tenant.invoice)
    other = make_sent(other_tenant.invoice)
    sister = make_sent(new_invoice(tenant, client=second_client, description="Sister work"))
    ask_link(HttpClient(), email)
    assert EmailMessage.objects.count() == 1  # one link for the person, not one per client
    browser = HttpClient()
    response = browser.post(link_in(EmailMessage.objects.get().body_text))
    assert response["Location"] == reverse("portal:choose")
    assert browser.get(reverse("portal:home"))["Location"] == reverse("portal:choose")
    page = browser.get(reverse("portal:choose")).content.decode()
    for name in (tenant.client.name, other_tenant.client.name, "Sister Co"):
        assert name in page
    browser.post(reverse("portal:choose"), {"contact": str(theirs.public_id)})
    home = browser.get(reverse("portal:home")).content.decode()
    assert other.number in home and mine.number not in home and sister.number not in home
    assert "Switch client" in home
    # A contact id that is not the person's own is ignored.
    stranger = make_tenant().contact
    browser.post(reverse("portal:choose"), {"contact": str(stranger.public_id)})
    home = browser.get(reverse("portal:home")).content.decode()
    assert other.number in home and stranger.client.name not in home


@pytest.mark.django_db
def test_sign_out_and_a_changed_address_end_the_session(tenant):
    from .conftest import portal_browser

    browser = portal_browser(tenant.contact)
    assert browser.get(reverse("portal:home")).status_code == 200
    assert browser.get(reverse("portal:logout")).status_code == 405
    response = browser.post(reverse("portal:logout"))
    assert response["Location"] == reverse("portal:login")
    assert browser.get(reverse("portal:home"))["Location"] == reverse("portal:login")

    browser = portal_browser(tenant.contact)
    tenant.contact.email = "moved@client.example"
    tenant.contact.save()
    response = browser.get(reverse("portal:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:login")


@pytest.mark.django_db
def test_consultant_and_contact_sessions_are_separate(tenant):
    from ..conftest import signed_in

    browser = signed_in(tenant.owner)
    assert browser.get(reverse("portal:home"))["Location"] == reverse("portal:login")
    ask_link(browser, tenant.contact.email)
    browser.post(link_in(EmailMessage.objects.get().body_text))
    assert browser.get(reverse("portal:home")).status_code == 200
    browser.post(reverse("portal:logout"))
    assert browser.get(reverse("invoicing:list")).status_code == 200  # still a consultant
