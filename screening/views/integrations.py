"""The integrations page (issue 16, docs/integrations.md): the company's job boards and its Telegram bot.

Every member sees the page; only the owner connects, disconnects, imports, links vacancies and edits the
messages (others get 403). Thin doors into ``services.boards`` and ``services.board_sync``. The board is named
in the POST body (``provider``), never in the URL; the one object URL is a linked vacancy's unlink, fetched
for the user's company (404 otherwise).

Connecting is OAuth 2's authorization code flow: "Connect" keeps a random ``state`` in the session and sends
the browser to the board; the board sends it back to ``integrations_callback`` with a code and that state. A
state that does not match the session's (another browser's, a replay, none) is refused and nothing is stored.
"""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import company_member_required, owner_required
from smartbot.middleware import csp_allow_form_targets
from vacancies.models import Vacancy

from .. import boards
from ..boards import messages as board_messages
from ..models import BoardApplication, BoardConnection, BoardVacancy, TelegramBot
from ..services import board_sync
from ..services import boards as services

SESSION_KEY = "board_oauth"  # {"state": ..., "provider": ...} between "Connect" and the callback

# What each error kind means, for the page.
ERROR_KINDS = {
    "auth": gettext_lazy("Access refused or expired"),
    "paid": gettext_lazy("Paid method refused"),
    "rate_limit": gettext_lazy("Too many requests"),
    "archived": gettext_lazy("Vacancy archived"),
    "not_found": gettext_lazy("Not found on the board"),
    "bad_request": gettext_lazy("Request refused"),
    "unavailable": gettext_lazy("Board unavailable"),
}


class MessagesForm(forms.Form):
    """The company's wording of the three messages; blank = the default."""

    invite_message = forms.CharField(
        label=gettext_lazy("Invitation to the screening"), required=False, widget=forms.Textarea(attrs={"rows": 7})
    )
    accept_message = forms.CharField(
        label=gettext_lazy("Message with a positive decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    discard_message = forms.CharField(
        label=gettext_lazy("Message with a rejection"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def clean(self):
        data = super().clean()
        for kind in board_messages.KINDS:
            field = f"{kind}_message"
            for problem in board_messages.message_validate(kind, data.get(field, "")):
                self.add_error(field, problem)
        return data


class LinkForm(forms.Form):
    vacancy = forms.ModelChoiceField(queryset=Vacancy.objects.none(), label=gettext_lazy("SmartBot vacancy"))
    external_id = forms.CharField(max_length=64, label=gettext_lazy("Vacancy on the job board"))

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vacancy"].queryset = Vacancy.objects.filter(company=company).exclude(status=Vacancy.Status.CLOSED)


def _provider_name(request) -> str:
    name = request.POST.get("provider", "")
    if name not in boards.providers():
        raise Http404
    return name


def _connection(request, name: str) -> BoardConnection:
    return get_object_or_404(BoardConnection, company_id=request.user.company_id, provider=name)


def _redirect_uri() -> str:
    """The callback's absolute address: what is registered with the board (docs/integrations.md)."""
    return settings.SITE_URL + reverse("screening:integrations_callback")


def _cards(request, *, forms_by_provider: dict | None = None) -> list[dict]:
    """One card per registered board: its connection, links, counts and (for the owner) the forms."""
    company_id = request.user.company_id
    connections = {c.provider: c for c in BoardConnection.objects.filter(company_id=company_id)}
    cards = []
    for name, provider in boards.providers().items():
        connection = connections.get(name)
        card = {
            "name": name,
            "title": provider.title,
            "configured": services.board_configured(name),
            "settings_names": services.board_settings_names(name),
            "connection": connection,
            "error_kind": ERROR_KINDS.get(connection.error_kind, connection.error_kind) if connection else "",
        }
        if connection is not None:
            card["links"] = list(
                BoardVacancy.objects.filter(connection=connection).select_related("vacancy").order_by("pk")
            )
            applications = BoardApplication.objects.filter(connection=connection)
            card["imported"] = applications.count()
            card["writeback_errors"] = applications.exclude(writeback_error="").filter(writeback_due_at__isnull=True)
            card["invite_errors"] = applications.exclude(invite_error="").count()
            card["defaults"] = {kind: board_messages.message_default(kind) for kind in board_messages.KINDS}
            if request.user.is_owner:
                given = (forms_by_provider or {}).get(name, {})
                card["messages_form"] = given.get("messages") or MessagesForm(
                    initial={f"{k}_message": getattr(connection, f"{k}_message") for k in board_messages.KINDS}
                )
                card["link_form"] = given.get("link") or LinkForm(company=request.user.company)
                card["board_vacancies"], card["board_vacancies_error"] = _board_vacancies(connection)
        cards.append(card)
    return cards


def _board_vacancies(connection: BoardConnection) -> tuple[list, str]:
    """The board's active vacancies for the link form, or the sentence why they cannot be listed now."""
    if connection.status != BoardConnection.Status.CONNECTED:
        return [], ""
    try:
        return services.board_vacancies(connection=connection), ""
    except boards.BoardError as error:
        return [], error.message


def _telegram() -> dict:
    try:
        url = reverse("chat:telegram_settings")
    except NoReverseMatch:  # the Telegram settings page is not there yet
        url = ""
    return {"url": url}


@company_member_required
def integrations(request, *, forms_by_provider: dict | None = None, status: int = 200):
    """The page: every job board's card and the Telegram bot's."""
    bot = (
        TelegramBot.objects.filter(company_id=request.user.company_id)
        .exclude(status=TelegramBot.Status.DISCONNECTED)
        .first()
    )
    context = {
        "cards": _cards(request, forms_by_provider=forms_by_provider),
        "telegram": {**_telegram(), "bot": bot},
        "placeholders": board_messages.PLACEHOLDERS,
        "redirect_uri": _redirect_uri(),
        "now": timezone.now(),
    }
    page = render(request, "screening/integrations.html", context, status=status)
    # "Connect" posts here and is redirected to the board's OAuth page: the browser checks that against this page's
    # form-action.
    origins = [services.board_oauth_origin(name) for name in boards.providers() if services.board_configured(name)]
    return csp_allow_form_targets(page, origins=[o for o in origins if o])


@owner_required
@require_POST
def integrations_connect(request):
    """Start connecting a board: keep the state in the session, send the browser to the board."""
    name = _provider_name(request)
    try:
        url, state = services.board_connect_start(
            company=request.user.company, provider_name=name, redirect_uri=_redirect_uri()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("screening:integrations")
    request.session[SESSION_KEY] = {"state": state, "provider": name}
    return redirect(url)


@owner_required
def integrations_callback(request):
    """Where the board sends the owner back: check the state, then exchange the code and store the connection."""
    pending = request.session.pop(SESSION_KEY, None) or {}
    state = request.GET.get("state", "")
    expected = pending.get("state", "")
    if not expected or not state or not secrets.compare_digest(str(state), str(expected)):
        messages.error(
            request,
            _("The job board's answer does not match a connection started here. Nothing was connected: try again."),
        )
        return redirect("screening:integrations")
    name = pending.get("provider", "")
    if request.GET.get("error") or not request.GET.get("code"):
        messages.error(request, _("Access was not granted on the job board. Nothing was connected."))
        return redirect("screening:integrations")
    try:
        connection = services.board_connect_finish(
            company=request.user.company,
            user=request.user,
            provider_name=name,
            code=request.GET["code"][:512],
            redirect_uri=_redirect_uri(),
        )
    except (boards.BoardError, ValidationError) as error:
        text = error.message if isinstance(error, boards.BoardError) else " ".join(error.messages)
        messages.error(request, _("The job board refused the connection: %(reason)s") % {"reason": text})
        return redirect("screening:integrations")
    messages.success(
        request,
        _("%(board)s is connected: %(employer)s.")
        % {"board": connection.get_provider_display(), "employer": connection.account_name},
    )
    return redirect("screening:integrations")


@owner_required
@require_POST
def integrations_disconnect(request):
    connection = _connection(request, _provider_name(request))
    services.board_disconnect(connection=connection, user=request.user)
    messages.success(request, _("%(board)s is disconnected.") % {"board": connection.get_provider_display()})
    return redirect("screening:integrations")


@owner_required
@require_POST
def integrations_import(request):
    """Queue an import of the board's new responses now."""
    connection = _connection(request, _provider_name(request))
    if not board_sync.board_import_request(connection=connection):
        messages.error(request, _("Connect the job board first."))
        return redirect("screening:integrations")
    messages.success(request, _("The import is queued: new responses appear in a minute or two."))
    return redirect("screening:integrations")


@owner_required
@require_POST
def integrations_link(request):
    """Link a SmartBot vacancy to a vacancy on the board."""
    name = _provider_name(request)
    connection = _connection(request, name)
    form = LinkForm(request.POST, company=request.user.company)
    if form.is_valid():
        try:
            services.board_vacancy_link(
                connection=connection,
                vacancy=form.cleaned_data["vacancy"],
                external_id=form.cleaned_data["external_id"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        except boards.BoardError as error:
            form.add_error(None, error.message)
    if form.errors:
        return integrations(request, forms_by_provider={name: {"link": form}})
    messages.success(request, _("The vacancy is linked: its responses are imported from now on."))
    return redirect("screening:integrations")


@owner_required
@require_POST
def integrations_unlink(request, pk: int):
    link = get_object_or_404(BoardVacancy, pk=pk, connection__company_id=request.user.company_id)
    services.board_vacancy_unlink(link=link)
    messages.success(request, _("The vacancy is unlinked: no more responses are imported into it."))
    return redirect("screening:integrations")


@owner_required
@require_POST
def integrations_messages(request):
    """Save the wording of the messages sent through the board."""
    name = _provider_name(request)
    connection = _connection(request, name)
    form = MessagesForm(request.POST)
    if form.is_valid():
        try:
            services.board_messages_save(
                connection=connection,
                user=request.user,
                invite=form.cleaned_data["invite_message"],
                accept=form.cleaned_data["accept_message"],
                discard=form.cleaned_data["discard_message"],
            )
        except ValidationError as error:
            _add_errors(form, error)
    if form.errors:
        return integrations(request, forms_by_provider={name: {"messages": form}})
    messages.success(request, _("The messages are saved."))
    return redirect("screening:integrations")


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)
