"""Public careers pages, the apply form, the candidate's chat page and its no-JavaScript fallback,
and the recruiter's chat controls as plain forms (the live page drives the same actions over its socket).

Thin doors: forms validate, services write, ``chat.live`` tells the open sockets.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from accounts.access import editor_required
from screening import services as screening_services
from screening.forms import add_service_error
from screening.models import Erasure, Response
from screening.selectors import response_get_for_user
from screening.services import candidate_apply
from smartbot.counters import count_in_window
from vacancies.selectors import vacancy_public_get

from . import frames as f
from . import live, selectors, services
from .forms import ApplyForm, ChatFallbackForm, EraseConfirmForm, LinkRequestForm

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse_rate(rate: str) -> tuple[int, int]:
    """'20/h' -> (20, 3600). Also '20/hour', '5/10m'."""
    count, _sep, period = rate.partition("/")
    digits = "".join(ch for ch in period if ch.isdigit())
    unit = period.lstrip("0123456789")[:1].lower() or "h"
    return int(count), (int(digits) if digits else 1) * _PERIODS.get(unit, 3600)


def _client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def apply_rate_limited(request, *, scope: str = "apply") -> bool:
    """Count this attempt against the IP's budget for ``scope`` (settings.APPLY_RATE_LIMIT, in the shared cache).

    Scopes: ``apply`` (applications) and ``link`` (asking for the private link again).
    """
    from django.conf import settings

    limit, window = _parse_rate(settings.APPLY_RATE_LIMIT)
    return count_in_window(f"{scope}-rate:{_client_ip(request)}", seconds=window) > limit


def careers(request, company_slug):
    company = selectors.company_public_get(slug=company_slug)
    vacancies = selectors.vacancy_public_list(company=company)
    return render(request, "chat/careers.html", {"company": company, "vacancies": vacancies, "hide_login": True})


def _vacancy_page(request, vacancy, *, form=None, link_form=None, status=200):
    return render(
        request,
        "chat/vacancy.html",
        {
            "vacancy": vacancy,
            "company": vacancy.company,
            "form": form or ApplyForm(phone_region=vacancy.company.phone_region),
            "link_form": link_form or LinkRequestForm(prefix="link"),
            "hide_login": True,
        },
        status=status,
    )


def _check_inbox(request, vacancy):
    # One answer for a new email, a known one and a bot: the page never tells whether someone applied.
    return render(request, "chat/applied.html", {"vacancy": vacancy, "hide_login": True})


def vacancy_apply(request, company_slug, slug):
    """The vacancy page and its apply form. Applying always ends in "check your inbox": the link goes by email."""
    vacancy = vacancy_public_get(company_slug=company_slug, slug=slug)
    if request.method == "GET":
        return _vacancy_page(request, vacancy)
    if request.method != "POST":
        raise Http404
    form = ApplyForm(request.POST, request.FILES, phone_region=vacancy.company.phone_region)
    if apply_rate_limited(request):
        return render(request, "chat/rate_limited.html", {"vacancy": vacancy, "hide_login": True}, status=429)
    if not form.is_valid():
        return _vacancy_page(request, vacancy, form=form, status=400)
    if form.is_bot:
        return _check_inbox(request, vacancy)  # look like success to the bot; store nothing
    try:
        candidate_apply(vacancy=vacancy, **form.service_kwargs())
    except ValidationError as error:
        add_service_error(form, error)
        return _vacancy_page(request, vacancy, form=form, status=400)
    return _check_inbox(request, vacancy)


@require_POST
def vacancy_link_request(request, company_slug, slug):
    """A candidate who lost their link asks for it again; the same neutral answer whether they applied or not."""
    vacancy = vacancy_public_get(company_slug=company_slug, slug=slug)
    form = LinkRequestForm(request.POST, prefix="link")
    if not form.is_valid():
        return _vacancy_page(request, vacancy, link_form=form, status=400)
    if apply_rate_limited(request, scope="link"):
        return render(request, "chat/rate_limited.html", {"vacancy": vacancy, "hide_login": True}, status=429)
    screening_services.application_link_request(vacancy=vacancy, email=form.cleaned_data["email"])
    return _check_inbox(request, vacancy)


def _response_or_404(token):
    response = selectors.response_get_by_token(token=token)
    if response is None:
        raise Http404
    return response


@xframe_options_exempt  # integrators embed the screening in an iframe on their own careers site
def candidate_chat(request, token):
    """The chat page: the transcript rendered on the server, a form that posts without JS, the socket with JS."""
    response = _response_or_404(token)
    ctx, snapshot = services.chat_open(response=response)
    question = snapshot.question
    with translation.override(ctx.language):
        return render(
            request,
            "chat/chat.html",
            {
                "response": response,
                "vacancy": ctx.vacancy,
                "snapshot": snapshot,
                "question": question,
                "question_number": ctx.question_number(question) if question else None,
                "question_total": len(ctx.questions),
                "client_id": uuid.uuid4().hex,
                "hide_login": True,
                "chat_language": ctx.language,
            },
        )


@require_POST
def candidate_chat_send(request, token):
    """The no-JS way to answer: the same service as the socket, then back to the page."""
    response = _response_or_404(token)
    ctx, snapshot = services.chat_open(response=response)
    options = [str(o) for o in snapshot.question.options] if snapshot.question else []
    form = ChatFallbackForm(request.POST, options=options)
    with translation.override(ctx.language):
        if not form.is_valid():
            messages.error(request, _("The message could not be sent: %(errors)s") % {"errors": _form_errors(form)})
            return redirect(f"{response.get_chat_url()}#chat-form")
        data = form.cleaned_data
        try:
            turn = services.chat_candidate_message(
                ctx=ctx, client_id=data["client_id"], text=data["text"], choices=data["choices"] or None
            )
        except services.ChatError as error:
            messages.error(request, error.message)
            return redirect(f"{response.get_chat_url()}#chat-form")
    paused = turn.state == services.STATE_PAUSED
    if not turn.duplicate and (paused or turn.watchers):  # the bot's turns go to watching recruiters only
        live.broadcast_frames(response_id=response.pk, frames=_turn_frames(ctx, turn), staff_only=not paused)
    return redirect(f"{response.get_chat_url()}#chat-form")


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _turn_frames(ctx, turn) -> list[dict]:
    out = [f.message_frame(m) for m in ([turn.own_message] if turn.own_message else []) + turn.messages]
    if turn.state_changed:
        recruiter = {"name": f.author_name(turn.recruiter)} if turn.recruiter else None
        out.append(f.frame("state", state=turn.state, recruiter=recruiter))
    if turn.asked and turn.question is not None:
        data = f.question_data(turn.question, number=ctx.question_number(turn.question), total=len(ctx.questions))
        out.append(f.frame("question", question=data))
    return out


def _recruiter_action(request, pk, action):
    response = response_get_for_user(user=request.user, pk=pk)
    ctx, _snapshot = services.chat_snapshot(response=response)
    back = f"{response.get_absolute_url()}#transcript"
    if not ctx.session_id:
        messages.error(request, _("The candidate has not started the chat yet."))
        return redirect(back)
    try:
        turn = action(ctx)
    except services.ChatError as error:
        messages.error(request, error.message)
        return redirect(back)
    if not turn.duplicate:
        live.broadcast_frames(response_id=response.pk, frames=_turn_frames(ctx, turn))
    return redirect(back)


@require_POST
@editor_required
def chat_takeover(request, pk):
    return _recruiter_action(request, pk, lambda ctx: services.chat_takeover(ctx=ctx, user=request.user))


@require_POST
@editor_required
def chat_handback(request, pk):
    return _recruiter_action(request, pk, lambda ctx: services.chat_handback(ctx=ctx, user=request.user))


@require_POST
@editor_required
def chat_recruiter_send(request, pk):
    form = ChatFallbackForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["text"].strip():
        response = response_get_for_user(user=request.user, pk=pk)
        messages.error(request, _("Write a message of at most 4,000 characters."))
        return redirect(f"{response.get_absolute_url()}#transcript")
    data = form.cleaned_data
    return _recruiter_action(
        request,
        pk,
        lambda ctx: services.chat_recruiter_message(
            ctx=ctx, user=request.user, client_id=data["client_id"], text=data["text"]
        ),
    )


def _stage(response: Response) -> tuple[str, str]:
    """What the candidate is told about where the application stands: (stage, what happens next)."""
    status = response.status
    s = Response.Status
    if status == s.NEW:
        return _("Application received"), _("Start the screening chat: it takes a few minutes.")
    if status == s.IN_CHAT:
        return _("Screening chat in progress"), _("Answer the remaining questions in the chat.")
    if status in (s.PASSED, s.REJECTED) and not response.vacancy.show_outcome:
        return _("Screening finished"), _("A recruiter reviews your answers and will contact you by email.")
    stages = {
        s.PASSED: (_("Screening passed"), _("A recruiter reviews your application and will contact you.")),
        s.REJECTED: (_("Not a match this time"), _("Your answers did not meet this vacancy's requirements.")),
        s.SHORTLISTED: (_("Shortlisted"), _("A recruiter will contact you about the next steps.")),
        s.INTERVIEW: (_("Interview"), _("A recruiter will contact you to arrange the interview.")),
        s.OFFER: (_("Offer"), _("The company will contact you about the offer.")),
        s.HIRED: (_("Hired"), _("Congratulations!")),
        s.DECLINED: (_("Not moving forward"), _("The company decided not to go further with this application.")),
        s.WITHDRAWN: (_("Withdrawn"), _("You withdrew this application. Nothing more will happen with it.")),
    }
    return stages.get(status, (response.get_status_display(), ""))


def _application_page(request, response, *, erase_form=None, status=200):
    with translation.override(response.vacancy.language):
        stage, next_step = _stage(response)
        return render(
            request,
            "chat/application.html",
            {
                "response": response,
                "vacancy": response.vacancy,
                "stage": stage,
                "next_step": next_step,
                "can_withdraw": response.status
                not in (Response.Status.WITHDRAWN, Response.Status.HIRED, Response.Status.DECLINED),
                "erase_form": erase_form or EraseConfirmForm(),
                "hide_login": True,
            },
            status=status,
        )


def candidate_application(request, token):
    """The candidate's private page: where the application stands, withdraw, download, erase."""
    return _application_page(request, _response_or_404(token))


@require_POST
def candidate_application_withdraw(request, token):
    response = _response_or_404(token)
    with translation.override(response.vacancy.language):
        try:
            screening_services.application_withdraw(response=response)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your application was withdrawn."))
    return redirect("chat:application", token=token)


def candidate_application_export(request, token):
    """Everything kept about the candidate, as a JSON download (GDPR Art. 15)."""
    response = _response_or_404(token)
    data = screening_services.application_export(response=response)
    download = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    download["Content-Disposition"] = f'attachment; filename="application-{response.pk}.json"'
    download["Cache-Control"] = "no-store"
    return download


@require_POST
def candidate_application_erase(request, token):
    response = _response_or_404(token)
    form = EraseConfirmForm(request.POST)
    if not form.is_valid():
        return _application_page(request, response, erase_form=form, status=400)
    language = response.vacancy.language
    screening_services.candidate_erase(candidate=response.candidate, reason=Erasure.Reason.CANDIDATE)
    with translation.override(language):
        return render(request, "chat/erased.html", {"hide_login": True})
