"""The public apply form (careers page; the REST API's public apply reuses it) and the chat's no-JS form."""

from __future__ import annotations

import logging
import os
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from screening import identity
from screening.resume import ResumeError, resume_read_upload, resume_too_large_message

logger = logging.getLogger(__name__)

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


# A resume file that passed the upload checks is kept for the next try when something else in the form was wrong
# (browsers never send a file back). It waits in the default storage under KEPT_RESUME_DIR, named by a random id,
# for at most KEPT_RESUME_SECONDS, and is read and deleted by the next submit. The page gets a signed token for it,
# bound to the vacancy: the id cannot be guessed or forged, so a token names only the file its own page uploaded.
# KEPT_RESUME_MAX_FILES caps what a flood of failing forms can park there (then the file is not kept: attach again).
KEPT_RESUME_DIR = "apply-kept"
KEPT_RESUME_SECONDS = 60 * 60
KEPT_RESUME_MAX_FILES = 100
_KEPT_SALT = "chat.forms.kept-resume"
_KEPT_ID_RE = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class KeptResume:
    """A resume file kept across a failed submit: ``token`` goes back in the form, ``filename`` is shown."""

    token: str
    filename: str


def kept_resume_store(upload, *, scope: str) -> KeptResume | None:
    """Keep a checked ``upload`` for the next submit; ``None`` when the store is full or failing (attach again).

    Sweeps files older than ``KEPT_RESUME_SECONDS`` first. ``scope`` binds the token (the vacancy).
    """
    try:
        kept_resume_sweep()
        try:
            _dirs, files = default_storage.listdir(KEPT_RESUME_DIR)
        except FileNotFoundError:
            files = []
        if len(files) >= KEPT_RESUME_MAX_FILES:
            logger.warning("kept resumes: %s files waiting, not keeping another", len(files))
            return None
        upload.seek(0)
        data = upload.read(settings.RESUME_MAX_BYTES + 1)
        upload.seek(0)
        if len(data) > settings.RESUME_MAX_BYTES:
            return None
        file_id = uuid.uuid4().hex
        default_storage.save(f"{KEPT_RESUME_DIR}/{file_id}", ContentFile(data))
    except Exception:
        logger.exception("kept resumes: storing a file failed")
        return None
    filename = _safe_filename(upload.name)
    token = signing.dumps({"id": file_id, "name": filename, "scope": scope}, salt=_KEPT_SALT, compress=True)
    return KeptResume(token=token, filename=filename)


def kept_resume_take(token: str, *, scope: str) -> ContentFile | None:
    """The kept file a ``token`` names, as an upload, deleting it from the store; ``None`` for a bad, expired,
    foreign (another ``scope``) or used token. The caller checks the file again like any upload."""
    if not token or len(token) > 1000:
        return None
    try:
        payload = signing.loads(token, salt=_KEPT_SALT, max_age=KEPT_RESUME_SECONDS)
    except signing.BadSignature:  # SignatureExpired included
        return None
    file_id = payload.get("id") if isinstance(payload, dict) else None
    if payload.get("scope") != scope or not isinstance(file_id, str) or not _KEPT_ID_RE.match(file_id):
        return None
    path = f"{KEPT_RESUME_DIR}/{file_id}"
    try:
        with default_storage.open(path, "rb") as stored:
            data = stored.read(settings.RESUME_MAX_BYTES + 1)
        default_storage.delete(path)
    except FileNotFoundError:  # used already, or swept
        return None
    except Exception:
        logger.exception("kept resumes: reading a file failed")
        return None
    return ContentFile(data, name=_safe_filename(payload.get("name")))


def kept_resume_sweep() -> int:
    """Delete kept files older than ``KEPT_RESUME_SECONDS``; returns how many. Safe to call from a periodic task."""
    try:
        _dirs, files = default_storage.listdir(KEPT_RESUME_DIR)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - timedelta(seconds=KEPT_RESUME_SECONDS)
    removed = 0
    for name in files:
        path = f"{KEPT_RESUME_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        except FileNotFoundError:
            continue  # another process swept it
    return removed


def _safe_filename(name) -> str:
    """The base name of an uploaded file, at most 100 characters, keeping its extension (the checks need it)."""
    base = os.path.basename(str(name or "")).strip() or "resume"
    stem, ext = os.path.splitext(base)
    return stem[: 100 - len(ext[:10])] + ext[:10]


class ApplyForm(forms.Form):
    """Validates and normalises an application; ``service_kwargs()`` feeds ``screening.services.candidate_apply``.

    Takes ``data`` and ``files`` like any Django form. An uploaded resume is
    checked (PDF, DOCX or TXT, at most 5 MB, content matching the extension)
    and its text extracted into ``cleaned_data["resume_text"]`` when no text
    was pasted. ``website`` is a honeypot: people leave it empty (see
    ``is_bot``).

    ``keep_resume_for`` (the vacancy's id; the careers page passes it, the API
    does not): when the form has errors, a resume file that passed its checks
    is kept (``kept_resume``: a token for the hidden ``resume_token`` field and
    the name to show), and the next submit without a new file uses it, checked
    again like a new upload.
    """

    # Labels of required fields get this class: the page marks them (the inputs carry ``required`` too).
    required_css_class = "is-required"

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

    def __init__(self, *args, phone_region: str = "RU", keep_resume_for: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.phone_region = phone_region or "RU"
        # Said by the browser before the upload (static/js/app.js); the server says the same after it.
        self.fields["resume_file"].widget.attrs["data-too-large"] = resume_too_large_message()
        self._extracted = None
        self._keep_scope = f"vacancy:{keep_resume_for}" if keep_resume_for is not None else None
        self.kept_resume: KeptResume | None = None

    def full_clean(self):
        super().full_clean()
        upload = self.cleaned_data.get("resume_file") if self._errors else None
        if upload and self._keep_scope is not None:
            self.kept_resume = kept_resume_store(upload, scope=self._keep_scope)
            if self.kept_resume is not None:
                note = _(
                    "Kept from your last try: %(name)s. Choose a file only to replace it. PDF, DOCX or TXT, up to 5 MB."
                ) % {"name": self.kept_resume.filename}
                # The bound field copied the help text when cleaning used it: both say it.
                self.fields["resume_file"].help_text = note
                self["resume_file"].help_text = note

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
        if self._keep_scope is not None and self.data.get("resume_token"):
            # Taken (and deleted) even when a new file replaces it: a token is good for one submit.
            kept = kept_resume_take(str(self.data.get("resume_token")), scope=self._keep_scope)
            upload = upload or kept
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
    """One candidate message sent without JavaScript: typed text, a button's value, or ticked options.

    ``question`` is the id of the question the page asked (a hidden field), so an answer typed in an old tab
    is refused instead of landing on the question awaited now (as the socket's ``question`` field does).
    """

    client_id = forms.RegexField(regex=r"^[A-Za-z0-9_.:-]{1,64}$", max_length=64)
    text = forms.CharField(required=False, max_length=4000, strip=False)
    choices = forms.MultipleChoiceField(required=False)
    question = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

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
