"""Sign-up, login, password reset, team and invitations, company settings: thin doors into services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartbot.forms import form_add_service_errors

from . import audit, lockout, selectors, services
from . import team as team_services
from .access import company_member_required, owner_required
from .forms import (
    AcceptInvitationForm,
    AuditFilterForm,
    CompanySettingsForm,
    EmailAuthenticationForm,
    InvitationForm,
    MemberRemoveForm,
    MemberRoleForm,
    PasswordResetForm,
    SignupConfirmForm,
    SignupForm,
)

# --- Sign-up, login, logout ---------------------------------------------------------------


def signup(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.company_signup(
                company_name=data["company_name"],
                company_slug=data["company_slug"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password1"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            # The same answer whether the address had an account or not (the service emailed either way).
            request.session["signup_email"] = data["email"]
            return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


def signup_sent(request):
    return render(request, "accounts/signup_sent.html", {"email": request.session.get("signup_email", "")})


def signup_confirm(request, token):
    try:
        user = services.signup_pending_user(token=token)
    except services.SignupLinkInvalid:
        return render(request, "accounts/signup_confirm_invalid.html", status=404)
    form = SignupConfirmForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.company_signup_confirm(user=user)
        except services.SignupLinkInvalid:
            return render(request, "accounts/signup_confirm_invalid.html", status=404)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.pop("signup_email", None)
        messages.success(
            request, _("Welcome to SmartBot! Your company %(name)s is ready.") % {"name": user.company.name}
        )
        return redirect("vacancies:list")
    context = {"form": form, "pending_user": user, "company": user.company, "hide_login": True}
    return render(request, "accounts/signup_confirm.html", context)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True
    extra_context = {"hide_login": True}


# --- Password reset (Django's views with our templates and namespaced URLs) ----------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # Links in emails point at the configured site, not at whatever Host the request named.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        # Whoever holds the link proved they own the address: the new password works at once, even
        # where too many wrong ones had paused logging in.
        response = super().form_valid(form)
        lockout.login_failures_forget(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Account: password change, sign out everywhere ------------------------------------------------------


@login_required
def account(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_password_change(user=request.user, password=form.cleaned_data["new_password1"])
        # This session stays; every other session and every API token of the user ends.
        update_session_auth_hash(request, user)
        messages.success(request, _("Password changed. You were signed out everywhere else."))
        return redirect("accounts:account")
    return render(request, "accounts/account.html", {"form": form})


@require_POST
@login_required
def sign_out_everywhere(request):
    user = services.user_sign_out_everywhere(user=request.user)
    # Kept: the person who asked stays signed in here (with a new session key); every other session
    # and every API token ends.
    update_session_auth_hash(request, user)
    messages.success(request, _("You were signed out on every other device, and every API token was revoked."))
    return redirect("accounts:account")


# --- Team and invitations -------------------------------------------------------------------


def _render_team(request, *, invite_form=None, status=200):
    company = request.user.company
    is_owner = request.user.is_owner
    if is_owner and invite_form is None:
        invite_form = InvitationForm()
    invitations = list(selectors.invitations_pending(company=company))
    if is_owner:
        # Only the owner may see the links: anyone holding one can join the company.
        for invitation in invitations:
            invitation.accept_url = services.invitation_accept_url(invitation)
    members = list(selectors.team_members(company=company))
    if is_owner:
        # Who may take over a removed member's work: the other active owners and recruiters (no query per row).
        editors = [m for m in members if m.is_active and m.can_edit]
        for member in members:
            member.role_form = MemberRoleForm(initial={"role": member.role}, auto_id=f"id_m{member.pk}_%s")
            member.successors = [editor for editor in editors if editor.pk != member.pk]
    locked = lockout.locked_out_usernames(lockout.login_username_of(member) for member in members)
    for member in members:
        member.locked_out = lockout.login_username_of(member) in locked
    context = {
        "company": company,
        "members": members,
        "invitations": invitations,
        "is_owner": is_owner,
        "invite_form": invite_form if is_owner else None,
    }
    return render(request, "accounts/team.html", context, status=status)


@company_member_required
def team(request):
    return _render_team(request)


@require_POST
@owner_required
def invite(request):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = team_services.invitation_send(
                actor=request.user, email=form.cleaned_data["email"], role=form.cleaned_data["role"], request=request
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:team")
    return _render_team(request, invite_form=form)


@require_POST
@owner_required
def member_unlock(request, pk):
    """The owner lifts a teammate's login lockout (too many failed logins)."""
    member = selectors.team_member_for_company(company=request.user.company, pk=pk)
    services.user_unlock(actor=request.user, user=member)
    messages.success(request, _("%(email)s can log in again.") % {"email": member.email})
    return redirect("accounts:team")


@require_POST
@owner_required
def invitation_revoke(request, pk):
    invitation = selectors.invitation_pending_for_company(company=request.user.company, pk=pk)
    email = invitation.email
    team_services.invitation_withdraw(actor=request.user, invitation=invitation, request=request)
    messages.success(request, _("Invitation for %(email)s revoked.") % {"email": email})
    return redirect("accounts:team")


@require_POST
@owner_required
def invitation_resend(request, pk):
    invitation = selectors.invitation_pending_for_company(company=request.user.company, pk=pk)
    try:
        team_services.invitation_resend(actor=request.user, invitation=invitation, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect("accounts:team")


@require_POST
@owner_required
def member_role(request, pk):
    """The owner changes a teammate's role (the last owner stays an owner)."""
    member = selectors.team_member_for_company(company=request.user.company, pk=pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("accounts:team")
    try:
        team_services.member_role_change(
            actor=request.user, member=member, role=form.cleaned_data["role"], request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now: %(role)s.")
            % {"name": member.get_full_name() or member.email, "role": member.get_role_display()},
        )
    return redirect("accounts:team")


@require_POST
@owner_required
def member_remove(request, pk):
    """The owner removes a teammate; their open work goes to the chosen member or is left unassigned."""
    member = selectors.team_member_for_company(company=request.user.company, pk=pk)
    form = MemberRemoveForm(request.POST, member=member)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect("accounts:team")
    try:
        team_services.member_remove(
            actor=request.user, member=member, successor=form.cleaned_data["successor"], request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:team")
    messages.success(request, _("%(email)s was removed from the team.") % {"email": member.email})
    if member.pk == request.user.pk:
        return redirect("accounts:login")
    return redirect("accounts:team")


def accept_invite(request, token):
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None:
        return render(request, "accounts/invitation_unavailable.html", {"reason": "unknown"}, status=404)
    if not invitation.is_usable:
        reason = "used" if invitation.accepted_at else "expired"
        return render(
            request, "accounts/invitation_unavailable.html", {"reason": reason, "invitation": invitation}, status=410
        )

    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationUnusable:
            # Someone used the link between our check and the locked re-check.
            return render(
                request,
                "accounts/invitation_unavailable.html",
                {"reason": "used", "invitation": invitation},
                status=410,
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            # Two backends are configured (axes' lockout check, then ModelBackend): name the one that logs in.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to %(company)s on SmartBot!") % {"company": invitation.company.name})
            return redirect("vacancies:list")
    return render(request, "accounts/accept_invite.html", {"invitation": invitation, "form": form, "hide_login": True})


# --- Company settings -----------------------------------------------------------------------


@owner_required
def company_settings(request):
    company = request.user.company
    form = CompanySettingsForm(request.POST or None, company=company)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        after = {name: data.pop(name) for name in form.AFTER_SCREENING_FIELDS}
        try:
            with transaction.atomic():
                services.company_update(company=company, actor=request.user, request=request, **data)
                services.company_after_screening_update(company=company, actor=request.user, request=request, **after)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Company settings saved."))
            return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form, "company": company})


# --- The audit log (owners only) ---------------------------------------------------------------------


AUDIT_PAGE_SIZE = 50


def _audit_filtered(request):
    company = request.user.company
    form = AuditFilterForm(request.GET or None, people=audit.audit_people(company=company))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = audit.audit_entries(
        company=company,
        actor_id=data.get("person"),
        action=data.get("action") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    return form, entries


@owner_required
def audit_log(request):
    form, entries = _audit_filtered(request)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "query": query.urlencode(),
        "zone": audit.company_zone(request.user.company),
    }
    return render(request, "accounts/audit_log.html", context)


@owner_required
def audit_log_csv(request):
    """The filtered log as CSV, streamed; the export itself is logged."""
    _form, entries = _audit_filtered(request)
    company = request.user.company
    audit.audit_record(
        company=company,
        actor=request.user,
        action=audit.Action.EXPORT,
        target="audit_log",
        summary="Audit log exported as CSV",
        details={"filters": {key: value for key, value in request.GET.items() if key != "page"}},
        request=request,
    )
    lines = audit.audit_csv_lines(company=company, entries=entries.iterator(chunk_size=500))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
