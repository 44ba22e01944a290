"""Sign-up, login, password reset, team and invitations, company settings: thin doors into services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .access import company_member_required, owner_required
from .forms import AcceptInvitationForm, CompanySettingsForm, EmailAuthenticationForm, InvitationForm, SignupForm


def _add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form (fields it names, else on top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Sign-up, login, logout ---------------------------------------------------------------


def signup(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            user = services.company_signup(
                company_name=data["company_name"],
                company_slug=data["company_slug"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password1"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            login(request, user)
            messages.success(
                request, _("Welcome to SmartBot! Your company %(name)s is ready.") % {"name": user.company.name}
            )
            return redirect("vacancies:list")
    return render(request, "accounts/signup.html", {"form": form})


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


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


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
    context = {
        "company": company,
        "members": selectors.team_members(company=company),
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
            invitation = services.invitation_create(
                company=request.user.company,
                invited_by=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:team")
    return _render_team(request, invite_form=form)


@require_POST
@owner_required
def invitation_revoke(request, pk):
    invitation = selectors.invitation_pending_for_company(company=request.user.company, pk=pk)
    email = invitation.email
    services.invitation_revoke(invitation=invitation)
    messages.success(request, _("Invitation for %(email)s revoked.") % {"email": email})
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
            _add_service_errors(form, error)
        else:
            login(request, user)
            messages.success(request, _("Welcome to %(company)s on SmartBot!") % {"company": invitation.company.name})
            return redirect("vacancies:list")
    return render(request, "accounts/accept_invite.html", {"invitation": invitation, "form": form, "hide_login": True})


# --- Company settings -----------------------------------------------------------------------


@owner_required
def company_settings(request):
    company = request.user.company
    form = CompanySettingsForm(request.POST or None, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            services.company_update(company=company, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Company settings saved."))
            return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form, "company": company})
