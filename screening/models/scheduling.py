"""Interview scheduling (issue 14): a vacancy's slots, candidates' bookings, recruiters' calendar feeds
(docs/scheduling.md). Every time is stored in UTC; each slot keeps the IANA time zone it was set in."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Company, validate_time_zone
from vacancies.models import Vacancy

from .applications import Response


class InterviewSlot(models.Model):
    """One interview time a candidate can book; at most one live booking holds it."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="interview_slots")
    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="interview_slots")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=45, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    interviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="interview_slots", verbose_name=_("interviewers")
    )
    location = models.CharField(_("place"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interview slot")
        verbose_name_plural = _("interview slots")
        ordering = ["starts_at", "id"]

    def __str__(self):
        return f"{self.vacancy_id} at {self.starts_at:%Y-%m-%d %H:%M} UTC"


class Booking(models.Model):
    """A candidate's interview in a slot. Booking is atomic: the partial unique constraints let one live booking
    hold a slot and a response hold one live booking, whoever clicks first."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")
        ATTENDED = "attended", _("Attended")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="bookings")
    slot = models.ForeignKey(InterviewSlot, on_delete=models.PROTECT, related_name="bookings")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="bookings")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    # The candidate's own time zone when their browser told it (emails show both); blank: the slot's.
    candidate_time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    # iCalendar identity: one UID per booking, SEQUENCE raised on every change (RFC 5545 3.8.4.7, 3.8.7.4).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=10, blank=True)  # "candidate" or "recruiter"
    reminded_day_at = models.DateTimeField(null=True, blank=True)  # the 24-hour reminder went out
    reminded_hour_at = models.DateTimeField(null=True, blank=True)  # the 1-hour reminder went out
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("interview booking")
        verbose_name_plural = _("interview bookings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=models.Q(status="booked"), name="booking_one_live_per_slot"
            ),
            models.UniqueConstraint(
                fields=["response"], condition=models.Q(status="booked"), name="booking_one_live_per_response"
            ),
        ]

    def __str__(self):
        return f"{self.response_id} in slot {self.slot_id} ({self.status})"


class CalendarFeed(models.Model):
    """A recruiter's private iCalendar feed of their interviews; the token in the URL is the only key.

    Only a SHA-256 of the token is stored; revoking deletes the row (the old URL answers 404).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"feed of {self.user_id}"
