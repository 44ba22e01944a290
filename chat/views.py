"""Public careers pages, the apply form, the candidate's chat page and its no-JavaScript fallback,
and the recruiter's chat controls as plain forms (the live page drives the same actions over its socket).

Thin doors: forms validate, services write, ``chat.live`` tells the open sockets.
"""

import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from accounts.access import editor_required
from screening import services as screening_services
from screening.models import Erasure, Response
from screening.selectors import response_get_for_user
from screening.services import calendars, candidate_apply, scheduling
from screening.services.human import human_request_claim, human_request_get_for_user
from screening.services.telegram_links import telegram_bot_for, telegram_deep_link
from smartbot import ratelimit
from smartbot.forms import form_add_service_errors
from smartbot.middleware import csp_allow_framing
from smartbot.ratelimit import RateLimited, apply_limit, apply_limited_message, link_request_limit
from vacancies.selectors import vacancy_public_get, vacancy_public_list

from . import frames as f
from . import live, selectors, services
from .forms import ApplyForm, ChatFallbackForm, EraseConfirmForm, LinkRequestForm


def _typed_values(form_class, data) -> dict:
    """What the candidate typed, as a form's ``initial``: the page shows it again without validating it."""
    values = {}
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.FileField):
            continue  # browsers never send a file back: it must be attached again
        if isinstance(field, forms.BooleanField):
            values[name] = name in data
        elif name in data:
            values[name] = data.get(name)
    return values


def _apply_limited_page(request, vacancy, limited: RateLimited):
    """The vacancy page again, 429, with everything typed still filled in and when to send it."""
    message = apply_limited_message(limited)
    if request.FILES:
        message += " " + _("Your answers are kept below; attach your resume file again, browsers cannot keep it.")
    else:
        message += " " + _("Your answers are kept below.")
    messages.error(request, message)
    form = ApplyForm(initial=_typed_values(ApplyForm, request.POST), phone_region=vacancy.company.phone_region)
    page = _vacancy_page(request, vacancy, form=form, status=429)
    page["Retry-After"] = str(limited.retry_after)
    return page


def careers(request, company_slug):
    company = selectors.company_public_get(slug=company_slug)
    vacancies = vacancy_public_list(company=company)
    return render(request, "chat/careers.html", {"company": company, "vacancies": vacancies, "hide_login": True})


def _open_vacancy(company_slug: str, slug: str):
    """The open vacancy at this public address, or None (closed, never published, deleted: ``_closed_page``)."""
    try:
        return vacancy_public_get(company_slug=company_slug, slug=slug)
    except Http404:
        return None


def _closed_page(request, company_slug: str, slug: str):
    """404 for a vacancy that is not open, saying so and listing the company's open vacancies (people follow
    old links). An unknown company stays a plain 404."""
    company = selectors.company_public_get(slug=company_slug)
    context = {
        "company": company,
        "gone": selectors.vacancy_gone_get(company=company, slug=slug),
        "vacancies": vacancy_public_list(company=company),
        "hide_login": True,
    }
    return render(request, "chat/vacancy_closed.html", context, status=404)


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
    telegram = telegram_bot_for(company_id=vacancy.company_id) is not None  # the email has the deep link
    return render(request, "chat/applied.html", {"vacancy": vacancy, "hide_login": True, "telegram": telegram})


def vacancy_apply(request, company_slug, slug):
    """The vacancy page and its apply form. Applying always ends in "check your inbox": the link goes by email."""
    vacancy = _open_vacancy(company_slug, slug)
    if vacancy is None:
        return _closed_page(request, company_slug, slug)
    if request.method == "GET":
        return _vacancy_page(request, vacancy)
    if request.method != "POST":
        raise Http404
    # Only applications that go through count (APPLY_RATE_LIMIT per address and vacancy): a form with
    # errors or a refused upload costs nothing. A spent budget is refused before the upload is read.
    limit = apply_limit(request=request, vacancy_id=vacancy.pk)
    try:
        limit.check()
    except RateLimited as limited:
        return _apply_limited_page(request, vacancy, limited)
    form = ApplyForm(request.POST, request.FILES, phone_region=vacancy.company.phone_region, keep_resume_for=vacancy.pk)
    if not form.is_valid():
        return _vacancy_page(request, vacancy, form=form, status=400)
    if form.is_bot:
        return _check_inbox(request, vacancy)  # look like success to the bot; store nothing
    try:
        with limit.spend():
            candidate_apply(vacancy=vacancy, **form.service_kwargs())
    except RateLimited as limited:
        return _apply_limited_page(request, vacancy, limited)
    except ValidationError as error:
        form_add_service_errors(form, error)
        return _vacancy_page(request, vacancy, form=form, status=400)
    return _check_inbox(request, vacancy)


@require_POST
def vacancy_link_request(request, company_slug, slug):
    """A candidate who lost their link asks for it again; the same neutral answer whether they applied or not."""
    vacancy = _open_vacancy(company_slug, slug)
    if vacancy is None:
        return _closed_page(request, company_slug, slug)
    form = LinkRequestForm(request.POST, prefix="link")
    if not form.is_valid():
        return _vacancy_page(request, vacancy, link_form=form, status=400)
    try:
        with link_request_limit(request=request).spend():
            screening_services.application_link_request(vacancy=vacancy, email=form.cleaned_data["email"])
    except RateLimited as limited:
        message = _("Too many requests from your network. Try again %(wait)s.") % {"wait": limited.wait_text()}
        page = {"vacancy": vacancy, "hide_login": True, "message": message}
        return ratelimit.rate_limited_render(request, "chat/rate_limited.html", page, limited)
    return _check_inbox(request, vacancy)


def _response_or_404(token):
    response = selectors.response_get_by_token(token=token)
    if response is None:
        raise Http404
    return response


# Integrators embed the screening in an iframe on their own careers site: the company's embed_origins may
# frame it (CSP frame-ancestors, csp_allow_framing), which X-Frame-Options cannot express, so it is off here.
@xframe_options_exempt
def candidate_chat(request, token):
    """The chat page: the transcript rendered on the server, a form that posts without JS, the socket with JS.

    A finished chat's link turns read-only (the transcript, no form, no socket, nothing written) and
    later expires (410, with a way to get the application's link again by email): ``chat_link_status``.
    """
    response = _response_or_404(token)
    link = selectors.chat_link_status(response=response)
    embed_origins = response.vacancy.company.embed_origins
    if link.phase == selectors.LINK_EXPIRED:
        return csp_allow_framing(_link_expired_page(request, response), origins=embed_origins)
    if link.is_open:
        ctx, snapshot = services.chat_open(response=response)
    else:
        ctx, snapshot = services.chat_transcript(response=response)
    question = snapshot.question
    with translation.override(ctx.language):
        page = render(
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
                "read_only": not link.is_open,
                "link_expires_at": link.expires_at,
                "telegram_link": telegram_deep_link(response=response) if link.is_open else "",
                # A recruiter wrote after the finish: the candidate may reply (docs/notifications.md).
                "can_reply": link.is_open
                and snapshot.state == services.STATE_FINISHED
                and services.chat_reply_open(response=response),
                # A finished chat has no socket, so the offer's buttons cannot book: a link to the booking page
                # does, on this page only (the transcript the team reads never holds the private link).
                "can_book": link.is_open
                and snapshot.state == services.STATE_FINISHED
                and any((m.payload or {}).get("slots") for m in snapshot.messages)
                and scheduling.response_can_book(response=response),
            },
        )
    return csp_allow_framing(page, origins=embed_origins)


def _link_expired_page(request, response):
    """410 Gone: the chat link expired; the candidate can have the application's link emailed again."""
    vacancy = response.vacancy
    with translation.override(vacancy.language):
        return render(
            request,
            "chat/link_expired.html",
            {
                "vacancy": vacancy,
                "company": vacancy.company,
                "can_request_link": vacancy.is_open,
                "link_form": LinkRequestForm(prefix="link"),
                "hide_login": True,
            },
            status=410,
        )


@require_POST
def candidate_chat_send(request, token):
    """The no-JS way to answer: the same service as the socket, then back to the page."""
    response = _response_or_404(token)
    link = selectors.chat_link_status(response=response)
    if link.phase == selectors.LINK_EXPIRED:
        return _link_expired_page(request, response)
    if not link.is_open:  # read-only: nothing is written; the page shows the transcript
        return redirect(response.get_chat_url())
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
                ctx=ctx,
                client_id=data["client_id"],
                text=data["text"],
                choices=data["choices"] or None,
                question_id=data["question"],
            )
        except services.ChatError as error:
            messages.error(request, error.message)
            return redirect(f"{response.get_chat_url()}#chat-form")
        if turn.error is not None:  # refused, and the question now awaited asked (the script changed)
            messages.error(request, turn.error.message)
    paused = turn.state == services.STATE_PAUSED
    if not turn.duplicate and (paused or turn.watchers):  # the bot's turns go to watching recruiters only
        live.broadcast_frames(response_id=response.pk, frames=f.turn_frames(ctx, turn), staff_only=not paused)
    return redirect(f"{response.get_chat_url()}#chat-form")


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


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
        live.broadcast_frames(response_id=response.pk, frames=f.turn_frames(ctx, turn), leader_id=f.leader_id(turn))
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
                "chat_link": selectors.chat_link_status(response=response),
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


# --- interview booking behind the private link (docs/scheduling.md) ---------------------------------------------


def _interview_page(request, response, *, time_zone: str, taken: bool = False, status: int = 200):
    """The booking page: the live booking (reschedule, cancel) and the free slots, in ``time_zone``."""
    booking = scheduling.booking_live(response=response)
    free = scheduling.slots_free(vacancy=response.vacancy, limit=30)  # the booked one is not free
    shown_zone = time_zone or (booking.candidate_time_zone if booking else "") or response.vacancy.company.time_zone
    rows = [(slot, calendars.slot_text(slot, shown_zone)) for slot in free]
    return render(
        request,
        "chat/interview.html",
        {
            "response": response,
            "vacancy": response.vacancy,
            "booking": booking,
            "booking_text": calendars.slot_text(booking.slot, shown_zone) if booking else "",
            "slots": rows,
            "time_zone": shown_zone,
            "taken": taken,
            "can_book": scheduling.response_can_book(response=response),
            "hide_login": True,
        },
        status=status,
    )


def candidate_interview(request, token):
    """Book, move or cancel the interview: the free slots as buttons in the candidate's time zone (the browser
    tells it, ``?tz=``; the company's until then). A slot taken a moment ago: 409 and the remaining ones.
    POST ``action``: "book" (or none) with ``slot``, or "cancel"; any other action changes nothing."""
    response = _response_or_404(token)
    with translation.override(response.vacancy.language):
        if request.method == "GET":
            return _interview_page(request, response, time_zone=calendars.zone_name(request.GET.get("tz", "")))
        if request.method != "POST":
            raise Http404
        time_zone = calendars.zone_name(request.POST.get("time_zone", ""))
        back = reverse("chat:interview", args=[token]) + (f"?{urlencode({'tz': time_zone})}" if time_zone else "")
        action = request.POST.get("action") or "book"
        if action not in ("book", "cancel"):
            messages.error(request, _("Unknown action: choose a time to book, or cancel your interview."))
            return redirect(back)
        if action == "cancel":
            booking = scheduling.booking_live(response=response)
            if booking is not None:
                try:
                    scheduling.booking_cancel(booking=booking, by=scheduling.CANDIDATE)
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                else:
                    messages.success(request, _("Your interview is cancelled. You can book another time below."))
            return redirect(back)
        slot_id = request.POST.get("slot", "")
        if not slot_id.isdigit() or len(slot_id) > 18:
            messages.error(request, _("Choose a time."))
            return redirect(back)
        try:
            booking = scheduling.booking_create(response=response, slot_id=int(slot_id), candidate_time_zone=time_zone)
        except scheduling.SlotTaken:
            return _interview_page(request, response, time_zone=time_zone, taken=True, status=409)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        if getattr(booking, "rescheduled", False):
            messages.success(request, _("Your interview is moved. We sent the new time to your email."))
        else:
            messages.success(request, _("Your interview is booked. We sent the details to your email."))
        return redirect(back)


# --- a person for the candidate, and messages after the chat (docs/notifications.md) ----------------------------


@require_POST
def candidate_chat_human(request, token):
    """The no-JS "Talk to a person" button: the same service as the socket's ``human`` frame, then the page."""
    response = _response_or_404(token)
    link = selectors.chat_link_status(response=response)
    if link.phase == selectors.LINK_EXPIRED:
        return _link_expired_page(request, response)
    if not link.is_open:
        return redirect(response.get_chat_url())
    ctx, _snapshot = services.chat_open(response=response)
    client_id = request.POST.get("client_id", "")
    if not f.CLIENT_ID_RE.match(client_id):
        client_id = uuid.uuid4().hex
    with translation.override(ctx.language):
        try:
            turn = services.chat_human_request(ctx=ctx, client_id=client_id)
        except services.ChatError as error:
            messages.error(request, error.message)
            return redirect(f"{response.get_chat_url()}#chat-form")
    if not turn.duplicate and turn.watchers:
        live.broadcast_frames(response_id=response.pk, frames=f.turn_frames(ctx, turn), staff_only=True)
    return redirect(f"{response.get_chat_url()}#chat-form")


@require_POST
def candidate_chat_reply(request, token):
    """The candidate's reply in a finished chat, once a recruiter wrote after the finish (``chat_reply_open``)."""
    response = _response_or_404(token)
    link = selectors.chat_link_status(response=response)
    if link.phase == selectors.LINK_EXPIRED:
        return _link_expired_page(request, response)
    back = f"{response.get_chat_url()}#reply"
    if not link.is_open:
        return redirect(response.get_chat_url())
    form = ChatFallbackForm(request.POST)
    with translation.override(response.vacancy.language):
        if not form.is_valid():
            messages.error(request, _("The message could not be sent: %(errors)s") % {"errors": _form_errors(form)})
            return redirect(back)
        text, client_id = form.cleaned_data["text"], form.cleaned_data["client_id"]
        try:
            with ratelimit.candidate_reply_limit(token=response.token).spend():
                turn = services.chat_candidate_reply(response=response, text=text, client_id=client_id)
        except RateLimited as limited:  # 429: the form again with what they typed, and when to send it
            page = {"response": response, "text": text, "client_id": client_id, "hide_login": True}
            return ratelimit.rate_limited_render(request, "chat/reply_limited.html", page, limited)
        except services.ChatError as error:
            messages.error(request, error.message)
            return redirect(back)
        if not turn.duplicate:
            messages.success(request, _("Your reply was sent."))
    if not turn.duplicate:
        live.broadcast_frames(response_id=response.pk, frames=[f.message_frame(turn.own_message)], staff_only=True)
    return redirect(back)


@require_POST
@editor_required
def human_claim(request, pk):
    """Claim a request from the queue and take the chat over (the existing takeover), then the response's page,
    where the recruiter talks live; a finished chat is answered by a message after it, on the same page."""
    human_request = human_request_get_for_user(user=request.user, pk=pk)
    try:
        human_request_claim(request=human_request, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("screening:queue")
    response = human_request.response
    back = f"{response.get_absolute_url()}#transcript"
    ctx, snapshot = services.chat_snapshot(response=response)
    if not ctx.session_id or snapshot.state == services.STATE_FINISHED:
        messages.info(request, _("The chat has finished: write to the candidate below. They get it by email."))
        return redirect(back)
    try:
        turn = services.chat_takeover(ctx=ctx, user=request.user)
    except services.ChatError as error:
        messages.error(request, error.message)
        return redirect(back)
    live.broadcast_frames(response_id=response.pk, frames=f.turn_frames(ctx, turn), leader_id=f.leader_id(turn))
    messages.success(request, _("You lead the chat now and the bot is paused. Hand it back when you are done."))
    return redirect(back)


@require_POST
@editor_required
def chat_message_after_send(request, pk):
    """A recruiter writes to the candidate of a finished chat (``chat_message_after``): email, transcript, live."""
    response = response_get_for_user(user=request.user, pk=pk)
    back = f"{response.get_absolute_url()}#transcript"
    form = ChatFallbackForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["text"].strip():
        messages.error(request, _("Write a message of at most 4,000 characters."))
        return redirect(back)
    try:
        turn = services.chat_message_after(
            response=response,
            user=request.user,
            text=form.cleaned_data["text"],
            client_id=form.cleaned_data["client_id"],
        )
    except services.ChatError as error:
        messages.error(request, error.message)
        return redirect(back)
    if not turn.duplicate:
        live.broadcast_frames(response_id=response.pk, frames=[f.message_frame(turn.own_message)])
        messages.success(request, _("Sent. The candidate gets it by email with their link and can reply there."))
    return redirect(back)
