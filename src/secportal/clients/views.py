from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from secportal.workspaces.access import WorkspaceRequest, workspace_view
from secportal.workspaces.models import Role

from . import selectors, services
from .forms import ClientForm, ContactForm


@workspace_view()
def client_list(request: WorkspaceRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.client_list(search), 25).get_page(request.GET.get("page"))
    template = "clients/_rows.html" if request.htmx else "clients/list.html"
    return render(request, template, {"page": page, "search": search})


@workspace_view(Role.ADMIN)
def client_create(request: WorkspaceRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = services.create_client(request.workspace, request.user, form.cleaned_data)
        messages.success(request, f"Client {client.name} created.")
        return redirect("clients:detail", client_id=client.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "clients/form.html", {"form": form, "client": None}, status=status)


@workspace_view()
def client_detail(request: WorkspaceRequest, client_id: UUID) -> HttpResponse:
    client = selectors.get_client(client_id)
    return render(
        request,
        "clients/detail.html",
        {
            "client": client,
            "contacts": client.contacts.all(),
            "contact_form": ContactForm(client=client),
        },
    )


@workspace_view(Role.ADMIN)
def client_edit(request: WorkspaceRequest, client_id: UUID) -> HttpResponse:
    client = selectors.get_client(client_id)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        services.update_client(client.pk, request.user, form.cleaned_data)
        messages.success(request, "Client saved.")
        return redirect("clients:detail", client_id=client.public_id)
    client.refresh_from_db()
    status = 400 if request.method == "POST" else 200
    return render(request, "clients/form.html", {"form": form, "client": client}, status=status)


@workspace_view(Role.ADMIN)
def contact_add(request: WorkspaceRequest, client_id: UUID) -> HttpResponse:
    client = selectors.get_client(client_id)
    form = ContactForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        contact = services.add_contact(client.pk, request.user, form.cleaned_data)
        messages.success(request, f"Contact {contact.name} added.")
        return redirect("clients:detail", client_id=client.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "clients/contact_form.html",
        {"form": form, "client": client, "contact": None},
        status=status,
    )


@workspace_view(Role.ADMIN)
def contact_edit(request: WorkspaceRequest, client_id: UUID, contact_id: UUID) -> HttpResponse:
    client = selectors.get_client(client_id)
    contact = selectors.get_contact(client, contact_id)
    form = ContactForm(request.POST or None, instance=contact, client=client)
    if request.method == "POST" and form.is_valid():
        services.update_contact(contact.pk, request.user, form.cleaned_data)
        messages.success(request, "Contact saved.")
        return redirect("clients:detail", client_id=client.public_id)
    contact.refresh_from_db()
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "clients/contact_form.html",
        {"form": form, "client": client, "contact": contact},
        status=status,
    )


@workspace_view(Role.ADMIN)
@require_POST
def contact_remove(request: WorkspaceRequest, client_id: UUID, contact_id: UUID) -> HttpResponse:
    client = selectors.get_client(client_id)
    contact = selectors.get_contact(client, contact_id)
    services.remove_contact(contact.pk, request.user)
    messages.success(request, f"Contact {contact.name} removed.")
    return redirect("clients:detail", client_id=client.public_id)
