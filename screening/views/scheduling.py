"""Interview scheduling in the recruiter workspace: a vacancy's slots and interviews, a response's invitation,
the calendar feed page and the feed itself (docs/scheduling.md).

Thin doors: the forms in ``screening.scheduling_forms`` validate, ``screening.services.scheduling`` writes.
Members read; owners and recruiters change (viewers get 403); anything of another company is 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import company_member_required, editor_required
from accounts.models import User, validate_time_zone
from accounts.selectors import team_editors
from smartbot.forms import form_add_service_errors
from vacancies.selectors import vacancy_get_for_user

from .. import selectors
from ..models import Booking
from ..services import calendars
from ..services import scheduling as svc
from .htmx import render_partial_or_page


class _SlotFields(forms.Form):
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"), min_value=5, max_value=480, initial=45
    )
    time_zone = forms.CharField(label=gettext_lazy("Time zone"), max_length=64, validators=[validate_time_zone])
    # Owners and recruiters only: a viewer has read-only access and is not offered (the service refuses one too).
    interviewers = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Interviewers"),
        queryset=User.objects.none(),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Interviewers must be owners or recruiters of your company.")},
    )
    location = forms.CharField(label=gettext_lazy("Place"), max_length=300, required=False)
    video_url = forms.URLField(label=gettext_lazy("Video link"), max_length=500, required=False, assume_scheme="https")

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewers"].queryset = team_editors(company=company)
        self.fields["time_zone"].initial = company.time_zone

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        keys = ("duration_minutes", "time_zone", "interviewers", "location", "video_url")
        return {key: data[key] for key in keys}


class SlotForm(_SlotFields):
    """One slot: a date and a start time (wall clock in the time zone)."""

    day = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=gettext_lazy("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}))


class SlotSeriesForm(_SlotFields):
    """Back-to-back slots on one date from one time to another, with a gap between them."""

    day = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=gettext_lazy("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=gettext_lazy("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    gap_minutes = forms.IntegerField(label=gettext_lazy("Gap (minutes)"), min_value=0, max_value=240, initial=15)


class MarkForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in svc.MARKS])


# The buttons say what they do (a status name alone, "No-show", reads as a state, not an action).
MARK_BUTTONS = {
    Booking.Status.NO_SHOW: gettext_lazy("Mark as no-show"),
    Booking.Status.ATTENDED: gettext_lazy("Mark as attended"),
}


def _marks() -> dict:
    """What ``_booking_actions.html`` needs: the clock (marking waits for the start) and the marks."""
    return {"now": timezone.now(), "marks": [(status.value, MARK_BUTTONS[status]) for status in svc.MARKS]}


def _slots_page(request, vacancy, *, slot_form=None, series_form=None, status=200):
    company = request.user.company
    can_edit = request.user.can_edit
    slot_rows = list(svc.slot_list(vacancy=vacancy))
    bookings = list(svc.bookings_for_company(company=company, vacancy=vacancy)[:100])
    for slot in slot_rows:
        slot.text = calendars.slot_text(slot, place=False)
    for booking in bookings:
        booking.text = calendars.slot_text(booking.slot, place=False)
    context = {
        "vacancy": vacancy,
        "slots": slot_rows,
        "bookings": bookings,
        "can_edit": can_edit,
        **_marks(),
    }
    if can_edit:
        context["slot_form"] = slot_form or SlotForm(company=company, prefix="one")
        context["series_form"] = series_form or SlotSeriesForm(company=company, prefix="series")
    return render(request, "screening/slots.html", context, status=status)


@company_member_required
def slots(request, vacancy_pk):
    """A vacancy's interview slots and interviews; a POST adds one slot (``action=one``) or a series."""
    vacancy = vacancy_get_for_user(user=request.user, pk=vacancy_pk)
    if request.method == "GET":
        return _slots_page(request, vacancy)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if not request.user.can_edit:
        raise PermissionDenied
    company = request.user.company
    back = reverse("screening:slots", args=[vacancy.pk])
    if request.POST.get("action") == "series":
        form = SlotSeriesForm(request.POST, company=company, prefix="series")
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = svc.slot_series_create(
                    vacancy=vacancy,
                    day=data["day"],
                    start=data["start"],
                    end=data["end"],
                    gap_minutes=data["gap_minutes"],
                    created_by=request.user,
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("%(count)d slots added.") % {"count": len(made)})
                return redirect(back)
        return _slots_page(request, vacancy, series_form=form, status=400)
    form = SlotForm(request.POST, company=company, prefix="one")
    if form.is_valid():
        data = form.cleaned_data
        starts_at = calendars.local_datetime(day=data["day"], at=data["start"], time_zone=data["time_zone"])
        try:
            svc.slot_create(vacancy=vacancy, starts_at=starts_at, created_by=request.user, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Slot added."))
            return redirect(back)
    return _slots_page(request, vacancy, slot_form=form, status=400)


@require_POST
@editor_required
def slot_delete(request, pk):
    slot = selectors.slot_get_for_user(user=request.user, pk=pk)
    try:
        svc.slot_delete(slot=slot)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Slot deleted."))
    return redirect("screening:slots", slot.vacancy_id)


def _back(request, booking: Booking) -> str:
    if request.POST.get("next") == "response":
        return booking.response.get_absolute_url() + "#interview"
    return reverse("screening:slots", args=[booking.slot.vacancy_id]) + "#interviews"


@require_POST
@editor_required
def booking_cancel(request, pk):
    booking = selectors.booking_get_for_user(user=request.user, pk=pk)
    try:
        svc.booking_cancel(booking=booking, by=svc.RECRUITER, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Interview cancelled; the candidate is told by email."))
    return redirect(_back(request, booking))


@require_POST
@editor_required
def booking_mark(request, pk):
    booking = selectors.booking_get_for_user(user=request.user, pk=pk)
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Mark an interview as attended or as a no-show."))
        return redirect(_back(request, booking))
    try:
        svc.booking_mark(booking=booking, status=form.cleaned_data["status"], user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Interview marked."))
    return redirect(_back(request, booking))


@require_POST
@editor_required
def response_invite(request, pk):
    """Invite the candidate to book an interview: the free slots by email (and their private link)."""
    response = selectors.response_get_for_user(user=request.user, pk=pk)
    if svc.slots_offer(response=response, actor=request.user):
        messages.success(request, _("The candidate was invited to book an interview."))
    elif svc.booking_live(response=response) is not None:
        messages.error(request, _("The candidate has already booked an interview."))
    else:
        messages.error(request, _("Nothing to offer: add free interview slots to the vacancy first."))
    return redirect(response.get_absolute_url() + "#interview")


@never_cache
@company_member_required
def calendar(request):
    """The member's private calendar feed: create (or replace) its URL, see it once, revoke it."""
    feed_url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            calendars.calendar_feed_revoke(user=request.user)
            messages.success(request, _("The calendar feed was revoked; its address no longer works."))
            return redirect("screening:calendar")
        token = calendars.calendar_feed_create(user=request.user)
        feed_url = calendars.calendar_feed_url(token)
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    feed = calendars.calendar_feed_get(user=request.user)
    return render(request, "screening/interviews_calendar.html", {"feed": feed, "feed_url": feed_url})


def calendar_feed(request, token):
    """The feed itself, for calendar apps: no login, the token is the key (only its hash is stored)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    result = calendars.calendar_feed_render(token=token)
    if result is None:
        raise Http404
    answer = HttpResponse(result.ics, content_type="text/calendar; charset=utf-8")
    answer["Cache-Control"] = "private, max-age=300"
    answer["Content-Disposition"] = 'inline; filename="interviews.ics"'
    return answer


@company_member_required
def response_interview(request, pk):
    """The interview block of a response page (htmx loads it; without JavaScript it is a page): the latest
    booking with its actions, and the invitation to book."""
    response = selectors.response_get_for_user(user=request.user, pk=pk)
    booking = svc.booking_latest(response=response)
    if booking is not None:
        booking.text = calendars.slot_text(booking.slot)
        if booking.candidate_time_zone and booking.candidate_time_zone != booking.slot.time_zone:
            booking.candidate_text = calendars.slot_text(booking.slot, booking.candidate_time_zone, place=False)
    context = {
        "response": response,
        "vacancy": response.vacancy,
        "booking": booking,
        "free_count": svc.slots_free_qs(vacancy=response.vacancy).count(),
        "can_edit": request.user.can_edit and not response.is_erased,
        **_marks(),
    }
    return render_partial_or_page(
        request, page="screening/interview_page.html", partial="screening/_interview.html", context=context
    )
