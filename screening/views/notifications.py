"""Recruiters' notifications (the page, marking read, the bell, email preferences) and the owner's email
templates page (list, edit with a live preview, reset). Thin doors into ``services.notifications`` and
``services.emails``; docs/notifications.md.

No object id is in these URLs: a notification is marked read by id in the POST body and only the user's own
ids count (``notification_mark_read``); a template is named by key and language in the query string, always
of the user's own company.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import company_member_required, owner_required

from .. import emails
from ..models import EmailTemplate, Notification, NotificationPreference
from ..services import emails as email_services
from ..services import notifications as services
from .htmx import render_partial_or_page, vary_on_htmx, wants_partial

PAGE_SIZE = 30


@company_member_required
def notification_list(request):
    """The user's notifications, newest first, paginated; htmx swaps the list block."""
    page = Paginator(services.notification_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_partial_or_page(
        request,
        page="screening/notifications.html",
        partial="screening/_notifications.html",
        context={
            "page_obj": page,
            "notifications": page.object_list,
            "unread": services.notification_unread_count(user_id=request.user.pk),
        },
    )


@company_member_required
@require_POST
def notification_read(request):
    """Mark read the notification ids posted as ``id`` (the user's own only), or every one with ``all``."""
    if request.POST.get("all"):
        services.notification_mark_read(user=request.user)
    else:
        ids = [value for value in request.POST.getlist("id") if value.isdigit() and len(value) < 19]
        services.notification_mark_read(user=request.user, ids=ids)
    if wants_partial(request):
        return notification_list(request)
    return redirect("screening:notifications")


@company_member_required
def notification_bell(request):
    """The bell: a link to the notifications page with the user's own unread count, counted now (one query).

    Asked with ``Accept: application/json`` (static/js/bell.js polls it, for when no socket push arrives), the
    answer is ``{"unread": <int>}``; otherwise the ``_bell.html`` fragment.
    """
    unread = services.notification_unread_count(user_id=request.user.pk)
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"unread": unread})
    else:
        response = vary_on_htmx(render(request, "_bell.html", {"unread": unread}))
    # A poll must never be answered from a cache, nor one kind of answer with the other.
    patch_vary_headers(response, ("Accept",))
    add_never_cache_headers(response)
    return response


class PreferencesForm(forms.Form):
    """One off/instant/digest choice per notification kind."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Notification.Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=NotificationPreference.Email.choices, widget=forms.RadioSelect
            )


@company_member_required
def notification_preferences(request):
    """Per notification kind, the user chooses: no email, email at once, or the daily digest."""
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.preferences_set(user=request.user, choices=form.cleaned_data)
            messages.success(request, _("Your email preferences are saved."))
            return redirect("screening:notification_preferences")
        status = 400
    else:
        form = PreferencesForm(initial=services.preferences_get(user=request.user))
        status = 200
    return render(request, "screening/notification_preferences.html", {"form": form}, status=status)


# --- the owner's email templates ----------------------------------------------------------------------------


class EmailTemplateForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=emails.SUBJECT_MAX_LENGTH)
    body = forms.CharField(
        label=gettext_lazy("Body"),
        max_length=emails.BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy("Plain text; a blank line starts a paragraph. Placeholders are listed beside."),
    )


def _template_key(request) -> tuple[str, str]:
    key = request.GET.get("key", "")
    language = request.GET.get("language", "")
    if key not in EmailTemplate.Key.values or language not in email_services.LANGUAGES:
        raise Http404
    return key, language


@owner_required
def email_template_list(request):
    """Every candidate email × language, "customised" or "default"; the owner edits each."""
    return render(
        request,
        "screening/email_templates.html",
        {"rows": email_services.template_list(company=request.user.company)},
    )


def _edit_url(key: str, language: str) -> str:
    return f"{reverse('screening:email_template')}?key={key}&language={language}"


@owner_required
def email_template_edit(request):
    """Edit one email in one language (``?key=&language=``): save (errors on the form), or reset to default."""
    key, language = _template_key(request)
    company = request.user.company
    subject, body, customised = email_services.template_get(company=company, key=key, language=language)
    status = 200
    if request.method == "POST":
        if request.POST.get("reset"):
            email_services.template_reset(company=company, key=key, language=language)
            messages.success(request, _("The email is back to the default wording."))
            return redirect(_edit_url(key, language))
        form = EmailTemplateForm(request.POST)
        if form.is_valid():
            try:
                email_services.template_save(
                    company=company, key=key, language=language, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The email is saved."))
                return redirect(_edit_url(key, language))
        status = 400
    else:
        form = EmailTemplateForm(initial={"subject": subject, "body": body})
    data = form.data if form.is_bound else form.initial
    preview = email_services.template_preview(
        company=company, key=key, language=language, subject=data.get("subject", ""), body=data.get("body", "")
    )
    return render(
        request,
        "screening/email_template_edit.html",
        {
            "form": form,
            "key": key,
            "label": EmailTemplate.Key(key).label,
            "language": language,
            "language_label": EmailTemplate.Language(language).label,
            "customised": customised,
            "placeholders": emails.template_placeholders(key),
            "refused": emails.template_refused(key, subject, body) if customised else [],
            "preview": preview,
        },
        status=status,
    )


@owner_required
@require_POST
def email_template_preview(request):
    """The preview block for the wording being typed (htmx posts the form here as the owner types)."""
    key, language = _template_key(request)
    preview = email_services.template_preview(
        company=request.user.company,
        key=key,
        language=language,
        subject=request.POST.get("subject", "")[: emails.SUBJECT_MAX_LENGTH * 2],
        body=request.POST.get("body", "")[: emails.BODY_MAX_LENGTH * 2],
    )
    return vary_on_htmx(render(request, "screening/_email_preview.html", {"preview": preview}))
