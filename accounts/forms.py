"""Forms of the accounts app: they validate and normalise; services do the writing."""

from decimal import Decimal

import phonenumbers
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from smartbot.middleware import origins_parse

from . import tasks
from .models import AuditEntry, Company, Role, User, validate_time_zone, validate_working_days
from .services import COMPANY_AFTER_SCREENING_FIELDS

SLUG_TAKEN = _("This address is already taken by another company.")


def _normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def email_is_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


class PasswordPairMixin:
    """Two password fields checked against each other and Django's validators.

    The validators see a draft user (email and names) so that the similarity
    validator can reject a password that repeats them.
    """

    password_mismatch = _("The two passwords don't match.")

    def draft_user(self) -> User:
        raise NotImplementedError

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(self.password_mismatch, code="password_mismatch")
        return password2

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password and "password2" not in self.errors:
            try:
                password_validation.validate_password(password, self.draft_user())
            except forms.ValidationError as error:
                self.add_error("password2", error)


def _password_fields():
    return (
        forms.CharField(
            label=_("Password"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=password_validation.password_validators_help_text_html(),
        ),
        forms.CharField(
            label=_("Password (again)"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
    )


class SignupForm(PasswordPairMixin, forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    company_slug = forms.SlugField(
        label=_("Careers page address"),
        max_length=80,
        required=False,
        help_text=_("Letters, digits and hyphens. Leave empty to make one from the company name."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("Work email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1, password2 = _password_fields()

    def clean_company_name(self):
        name = self.cleaned_data["company_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the company name."), code="required")
        return name

    def clean_company_slug(self):
        slug = self.cleaned_data.get("company_slug", "").strip().lower()
        if slug and Company.objects.filter(slug=slug).exists():
            raise forms.ValidationError(SLUG_TAKEN, code="slug_taken")
        return slug

    def clean_email(self):
        # Whether the address has an account is never said here: the service answers every address the same way.
        return _normalise_email(self.cleaned_data["email"])

    def draft_user(self) -> User:
        return User(
            email=self.cleaned_data.get("email", ""),
            first_name=self.cleaned_data.get("first_name", ""),
            last_name=self.cleaned_data.get("last_name", ""),
        )


class SignupConfirmForm(forms.Form):
    """The password chosen at sign-up, asked again to confirm it: a link alone cannot activate an account
    that someone else signed up for with the owner's address."""

    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not the password you chose at sign-up."), code="invalid_password")
        return password


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, asking for an email and matching it case-insensitively."""

    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self):
        # The backend matches the email exactly; hand it the stored spelling so
        # that "Owner@Acme.test" logs in, even for a user saved in mixed case
        # by a path that bypassed UserManager's lower-casing.
        email = _normalise_email(self.cleaned_data.get("username"))
        stored = User.objects.filter(email__iexact=email).values_list("email", flat=True).first()
        return stored or email


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.RECRUITER)

    def clean_email(self):
        email = _normalise_email(self.cleaned_data["email"])
        if email_is_taken(email):
            raise forms.ValidationError(
                _("This person already has a SmartBot account; an account belongs to one company."),
                code="email_taken",
            )
        return email


class AcceptInvitationForm(PasswordPairMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1, password2 = _password_fields()

    def __init__(self, *args, invitation, **kwargs):
        self.invitation = invitation
        super().__init__(*args, **kwargs)

    def draft_user(self) -> User:
        return User(
            email=self.invitation.email,
            first_name=self.cleaned_data.get("first_name", ""),
            last_name=self.cleaned_data.get("last_name", ""),
        )


class CompanySettingsForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    description = forms.CharField(
        label=_("Short description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on your public careers page."),
    )
    slug = forms.SlugField(
        label=_("Careers page address"),
        max_length=80,
        help_text=_("Letters, digits and hyphens. Changing it breaks links you have already shared."),
    )
    ai_enabled = forms.BooleanField(
        label=_("AI evaluation enabled"),
        required=False,
        help_text=_("When off, nothing about your candidates is sent to an LLM."),
    )
    ai_monthly_budget = forms.DecimalField(
        label=_("Monthly AI budget (USD)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        help_text=_("Empty means no limit. Once spent, the builtin evaluator is used until next month."),
    )
    phone_region = forms.ChoiceField(
        label=_("Default phone region"),
        choices=[(code, code) for code in sorted(phonenumbers.SUPPORTED_REGIONS)],
        help_text=_("Country (ISO 3166 code) of phone numbers candidates type without a country code."),
        error_messages={"invalid_choice": _("Choose a country code such as RU, KZ or DE.")},
    )
    retention_months = forms.IntegerField(
        label=_("Keep candidates' data for (months)"),
        required=False,
        min_value=1,
        max_value=120,
        help_text=_(
            "Erase a candidate's data this many months after the last activity on their applications. "
            "Empty keeps it until erased by hand or at the candidate's request."
        ),
    )
    require_two_factor = forms.BooleanField(
        label=_("Require two-factor sign-in"),
        required=False,
        help_text=_(
            "Every member, you included, then signs in with a one-time code from an authenticator app; "
            "members without one set it up at their next visit."
        ),
    )

    embed_origins = forms.CharField(
        label=_("Sites allowed to embed the chat"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://jobs.example.com"}),
        help_text=_(
            "One address per line, scheme and host only (https://jobs.example.com, or with a port). Only these "
            "sites may show the candidate chat in a frame; empty allows none."
        ),
    )

    # After the screening (docs/notifications.md): empty keeps the company's current value.
    time_zone = forms.CharField(
        label=_("Time zone"),
        required=False,
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Europe/Moscow. Working hours, interview slots and digests use it."),
    )
    working_hours_start = forms.TimeField(label=_("Working day starts at"), required=False)
    working_hours_end = forms.TimeField(label=_("Working day ends at"), required=False)
    working_days = forms.CharField(
        label=_("Working days"),
        required=False,
        max_length=7,
        validators=[validate_working_days],
        help_text=_("ISO weekday numbers, Monday 1 to Sunday 7: 12345 is Monday to Friday."),
    )
    human_reply_hours = forms.IntegerField(
        label=_("A person answers within (working hours)"),
        required=False,
        min_value=1,
        max_value=72,
        help_text=_("What a candidate who asks for a person is promised, and the queue's SLA."),
    )
    notify_candidates_of_decisions = forms.BooleanField(
        label=_("Email candidates about decisions"),
        required=False,
        help_text=_("Shortlisted, interview, offer, hired and declined each send the candidate an email."),
    )
    stall_reminder_hours = forms.IntegerField(
        label=_("Remind a candidate who stopped mid-chat after (hours)"),
        required=False,
        min_value=0,
        max_value=720,
        help_text=_("One reminder email with the link; 0 sends none."),
    )
    AFTER_SCREENING_FIELDS = COMPANY_AFTER_SCREENING_FIELDS

    def __init__(self, *args, company: Company, **kwargs):
        self.company = company
        kwargs.setdefault(
            "initial",
            {
                "name": company.name,
                **{name: getattr(company, name) for name in self.AFTER_SCREENING_FIELDS},
                "description": company.description,
                "slug": company.slug,
                "ai_enabled": company.ai_enabled,
                "ai_monthly_budget": company.ai_monthly_budget,
                "phone_region": company.phone_region,
                "retention_months": company.retention_months,
                "require_two_factor": company.require_two_factor,
                "embed_origins": company.embed_origins,
            },
        )
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the company name."), code="required")
        return name

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip().lower()
        if Company.objects.filter(slug=slug).exclude(pk=self.company.pk).exists():
            raise forms.ValidationError(SLUG_TAKEN, code="slug_taken")
        return slug

    def clean_working_hours_end(self):
        start, end = self.cleaned_data.get("working_hours_start"), self.cleaned_data.get("working_hours_end")
        if start and end and end <= start:
            raise forms.ValidationError(_("The working day must end after it starts."), code="invalid")
        return end

    def clean_embed_origins(self):
        origins, refused = origins_parse(self.cleaned_data["embed_origins"])
        if refused:
            raise forms.ValidationError(
                _("Not a site address (scheme://host or scheme://host:port, nothing after it): %(lines)s"),
                code="invalid_origin",
                params={"lines": ", ".join(refused)},
            )
        return "\n".join(origins)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form (neutral for unknown emails), sending through the worker so a mail outage retries."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        html = render_to_string(html_email_template_name, context) if html_email_template_name else ""
        tasks.send_email.delay(
            subject=subject, body=render_to_string(email_template_name, context), html=html, to=[to_email]
        )


# --- Team management and the audit log (accounts.team, accounts.audit) ----------------------------------------


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MemberRemoveForm(forms.Form):
    """Who takes over the member's open work; empty leaves it unassigned."""

    successor = forms.ModelChoiceField(
        label=_("Hand their open work to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody: leave it unassigned"),
    )

    def __init__(self, *args, member: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (
            User.objects.filter(company_id=member.company_id, is_active=True, role__in=(Role.OWNER, Role.RECRUITER))
            .exclude(pk=member.pk)
            .order_by("first_name", "last_name", "email")
        )


class AuditFilterForm(forms.Form):
    """The audit log's filters (GET): person, action, days in the company's time zone (both included)."""

    person = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Everyone")), *people]
        self.fields["action"].choices = [("", _("Every action")), *AuditEntry.Action.choices]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day is after the last one."), code="invalid_range")
        return cleaned
