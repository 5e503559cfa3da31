from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from secportal.core.fees import PLAN_FEE_BPS, fee_percent

from . import selectors, services
from .access import SESSION_KEY, WorkspaceRequest, workspace_view
from .forms import (
    BaseReminderRuleFormSet,
    CompanyDetailsForm,
    MemberAddForm,
    ReminderWordingForm,
    RoleForm,
    WorkspaceSettingsForm,
    reminder_rule_formset,
)
from .models import Membership, Plan, Role
from .reminders import describe_offset


def _settings_page(
    request: WorkspaceRequest,
    form: WorkspaceSettingsForm | None = None,
    member_form: MemberAddForm | None = None,
    status: int = 200,
    company_form: CompanyDetailsForm | None = None,
    reminder_forms: tuple[BaseReminderRuleFormSet, ReminderWordingForm] | None = None,
) -> HttpResponse:
    workspace = request.workspace
    rules, wording = reminder_forms or (
        reminder_rule_formset(schedule=selectors.reminder_schedule(workspace)),
        ReminderWordingForm(
            initial={
                "wording": selectors.reminder_wording(workspace),
                "late_payment_interest": workspace.late_payment_interest,
            }
        ),
    )
    return render(
        request,
        "workspaces/settings.html",
        {
            "form": form or WorkspaceSettingsForm(instance=workspace),
            "member_form": member_form or MemberAddForm(),
            "company_form": company_form or CompanyDetailsForm(instance=workspace),
            "members": selectors.members_of(workspace.pk),
            "roles": Role.choices,
            "fee_table": [(plan.label, fee_percent(PLAN_FEE_BPS[plan.value])) for plan in Plan],
            "reminder_rules": rules,
            "wording_form": wording,
            "reminder_schedule": [
                (describe_offset(offset), enabled)
                for offset, enabled in selectors.reminder_schedule(workspace)
            ],
        },
        status=status,
    )


@workspace_view()
def settings_page(request: WorkspaceRequest) -> HttpResponse:
    return _settings_page(request)


@workspace_view(Role.OWNER)
@require_POST
def settings_update(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = WorkspaceSettingsForm(request.POST, instance=workspace)
    if not form.is_valid():
        workspace.refresh_from_db()
        return _settings_page(request, form=form, status=400)
    try:
        services.update_workspace_settings(workspace.pk, request.user, form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        workspace.refresh_from_db()
        return _settings_page(request, form=form, status=400)
    messages.success(request, "Settings saved.")
    return redirect("workspaces:settings")


@workspace_view(Role.ADMIN)
@require_POST
def company_update(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = CompanyDetailsForm(request.POST, request.FILES, instance=workspace)
    if not form.is_valid():
        workspace.refresh_from_db()
        return _settings_page(request, company_form=form, status=400)
    services.update_company_details(workspace.pk, request.user, form.cleaned_data)
    messages.success(request, "Company details saved.")
    return redirect(reverse("workspaces:settings") + "#company")


@workspace_view(Role.ADMIN)
@require_POST
def reminders_update(request: WorkspaceRequest) -> HttpResponse:
    """Settings → Reminders: the schedule (days before or after the due date) and its words."""
    rules = reminder_rule_formset(request.POST)
    wording = ReminderWordingForm(request.POST)
    if not (rules.is_valid() and wording.is_valid()):
        return _settings_page(request, reminder_forms=(rules, wording), status=400)
    try:
        services.update_reminders(
            request.workspace.pk,
            request.user,
            schedule=rules.schedule(),
            wording=wording.cleaned_data["wording"],
            late_payment_interest=wording.cleaned_data["late_payment_interest"],
        )
    except ValidationError as exc:
        wording.add_error(None, exc)
        return _settings_page(request, reminder_forms=(rules, wording), status=400)
    messages.success(request, "Reminders saved.")
    return redirect(reverse("workspaces:settings") + "#reminders")


@workspace_view(Role.OWNER)
@require_POST
def member_add(request: WorkspaceRequest) -> HttpResponse:
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, member_form=form, status=400)
    _, invited = services.invite_member(request.workspace.pk, request.user, **form.cleaned_data)
    email = form.cleaned_data["email"]
    messages.success(
        request,
        f"Invitation sent to {email}." if invited else f"{email} can now use this workspace.",
    )
    return redirect(reverse("workspaces:settings") + "#members")


def _membership(request: WorkspaceRequest, membership_id: int) -> Membership:
    membership = selectors.members_of(request.workspace.pk).filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership


@workspace_view(Role.OWNER)
@require_POST
def member_role(request: WorkspaceRequest, membership_id: int) -> HttpResponse:
    membership = _membership(request, membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_role(
                request.workspace.pk,
                request.user,
                membership_id=membership.pk,
                role=form.cleaned_data["role"],
            )
            messages.success(
                request, f"{membership.user.email} is now {form.cleaned_data['role']}."
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "Choose a role.")
    return redirect(reverse("workspaces:settings") + "#members")


@workspace_view(Role.OWNER)
@require_POST
def member_remove(request: WorkspaceRequest, membership_id: int) -> HttpResponse:
    membership = _membership(request, membership_id)
    try:
        services.remove_member(request.workspace.pk, request.user, membership_id=membership.pk)
        messages.success(request, f"{membership.user.email} was removed.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("workspaces:settings") + "#members")


@require_POST
@login_required
def switch(request: HttpRequest) -> HttpResponse:
    """Choose which of the person's workspaces the consultant pages show."""
    chosen = request.POST.get("workspace", "")
    memberships = selectors.memberships_of(request.user)
    membership = memberships.filter(workspace_id=int(chosen)).first() if chosen.isdigit() else None
    if membership is None:
        raise Http404("No such workspace.")
    request.session[SESSION_KEY] = membership.workspace_id
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("analytics:dashboard")
    return redirect(target)
