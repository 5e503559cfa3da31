"""Placeholder views: the client portal is being built (issue: invoices, section 7)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404("The client portal is not built yet.")


home = sign_in = magic_link = sign_out = invoice_page = invoice_pdf = pay_invoice = _todo
pay_link = pay_link_pdf = pay_link_pay = fresh_link = _todo
