"""The public apply form (careers page; the REST API's public apply reuses it) and the chat's no-JS form."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from screening import identity
from screening.resume import ResumeError, resume_read_upload, resume_too_large_message

# The texts the candidate agrees to, one per purpose; their version (settings.CONSENT_TEXT_VERSION) is stored
# with each consent's time. Change the version whenever one of these texts changes.
CONSENT_TEXT = _(
    "I agree that the company processes my personal data (name, contacts, resume and chat answers) to consider "
    "my application. An automated assistant asks the screening questions; a person makes the decision."
)
AI_CONSENT_TEXT = _(
    "Optional: an AI model may help to assess my application (a person still decides). "
    "Without this, a person reviews my answers."
)
TALENT_POOL_CONSENT_TEXT = _("Optional: keep my application for the company's future vacancies.")


class ApplyForm(forms.Form):
    """Validates and normalises an application; ``service_kwargs()`` feeds ``screening.services.candidate_apply``.

    Takes ``data`` and ``files`` like any Django form. An uploaded resume is
    checked (PDF, DOCX or TXT, at most 5 MB, content matching the extension)
    and its text extracted into ``cleaned_data["resume_text"]`` when no text
    was pasted. ``website`` is a honeypot: people leave it empty (see
    ``is_bot``).
    """

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=40)
    city = forms.CharField(label=_("City"), max_length=120)
    resume_text = forms.CharField(
        label=_("Resume"),
        required=False,
        max_length=settings.RESUME_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Paste your resume here, or upload a file below."),
    )
    resume_file = forms.FileField(
        label=_("Resume file"),
        required=False,
        help_text=_("PDF, DOCX or TXT, up to 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.docx,.txt", "data-max-bytes": settings.RESUME_MAX_BYTES}
        ),
    )
    consent = forms.BooleanField(label=CONSENT_TEXT, required=True)
    ai_consent = forms.BooleanField(label=AI_CONSENT_TEXT, required=False)
    talent_pool_consent = forms.BooleanField(label=TALENT_POOL_CONSENT_TEXT, required=False)
    # Honeypot: hidden from people by CSS, filled in by naive bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, phone_region: str = "RU", **kwargs):
        super().__init__(*args, **kwargs)
        self.phone_region = phone_region or "RU"
        # Said by the browser before the upload (static/js/app.js); the server says the same after it.
        self.fields["resume_file"].widget.attrs["data-too-large"] = resume_too_large_message()
        self._extracted = None

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Enter your full name."))
        return name

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        try:
            identity.email_normalise(email)
        except identity.EmailError as error:
            raise forms.ValidationError(error.message)
        return email

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        try:
            identity.phone_normalise(phone, region=self.phone_region)
        except identity.PhoneError as error:
            raise forms.ValidationError(error.message)
        return phone

    def clean_city(self):
        return " ".join(self.cleaned_data["city"].split())

    def clean_resume_file(self):
        upload = self.cleaned_data.get("resume_file")
        if not upload:
            return None
        try:
            self._extracted = resume_read_upload(upload)
        except ResumeError as exc:
            raise forms.ValidationError(exc.message, code=exc.code)
        return upload

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("resume_text") or "").strip()
        if not text and self._extracted is not None:
            text = self._extracted.text
        cleaned["resume_text"] = text
        cleaned["resume_hidden_text"] = self._extracted.hidden_text if self._extracted is not None else ""
        if not text and not cleaned.get("resume_file") and "resume_file" not in self.errors:
            self.add_error("resume_text", _("Paste your resume or upload a file."))
        return cleaned

    @property
    def is_bot(self) -> bool:
        """The honeypot was filled in. Check after ``is_valid()``."""
        return bool((self.data.get("website") or "").strip())

    @property
    def consent_version(self) -> str:
        return settings.CONSENT_TEXT_VERSION

    def service_kwargs(self) -> dict:
        """The keyword arguments of ``candidate_apply`` (without ``vacancy`` and ``source``)."""
        data = self.cleaned_data
        return {
            "full_name": data["full_name"],
            "email": data["email"],
            "phone": data["phone"],
            "city": data["city"],
            "resume_text": data["resume_text"],
            "resume_hidden_text": data["resume_hidden_text"],
            "resume_file": data.get("resume_file"),
            "consent": data["consent"],
            "ai_consent": data.get("ai_consent", False),
            "talent_pool_consent": data.get("talent_pool_consent", False),
        }


class ChatFallbackForm(forms.Form):
    """One candidate message sent without JavaScript: typed text, a button's value, or ticked options."""

    client_id = forms.RegexField(regex=r"^[A-Za-z0-9_.:-]{1,64}$", max_length=64)
    text = forms.CharField(required=False, max_length=4000, strip=False)
    choices = forms.MultipleChoiceField(required=False)

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].choices = [(o, o) for o in options]


class LinkRequestForm(forms.Form):
    """A candidate who lost the link to their application asks for it again by email."""

    email = forms.EmailField(label=_("Email you applied with"), max_length=254)


class EraseConfirmForm(forms.Form):
    """The candidate confirms that their data is to be erased (it cannot be undone)."""

    confirm = forms.BooleanField(
        label=_("I understand that my applications, answers and chat will be erased and cannot be restored."),
        required=True,
    )
