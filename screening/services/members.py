"""A member leaves the team (``accounts.team.member_remove``): the screening work they hold moves on.

``member_work_reassign`` answers ``accounts.signals.member_removing`` (connected in ``ScreeningConfig.ready``).
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Company, User

from ..models import CalendarFeed, ChatSession, HumanRequest, InterviewSlot


def member_work_reassign(*, company: Company, member: User, successor: User | None) -> dict:
    """Move ``member``'s open work in ``company`` to ``successor``, or leave it unassigned when None.

    - open requests for a person they claimed: claimed by the successor (from now), or back in the queue;
    - interview slots still to come where they interview: the successor instead of them, or without them;
    - chats they have taken over and that are not finished: taken over by the successor, or back with the bot
      (it answers the candidate's next message);
    - their private calendar feed is revoked.

    Past slots, answered requests and finished chats keep their name (history). Returns the counts
    ``{"human_requests": n, "interview_slots": n, "takeovers": n}``.
    """
    now = timezone.now()
    requests = HumanRequest.objects.filter(company=company, claimed_by=member, resolved_at__isnull=True)
    human_requests = requests.update(claimed_by=successor, claimed_at=now if successor is not None else None)
    slots = list(InterviewSlot.objects.filter(company=company, interviewers=member, starts_at__gte=now))
    for slot in slots:
        slot.interviewers.remove(member)
        if successor is not None:
            slot.interviewers.add(successor)
    takeovers = ChatSession.objects.filter(
        response__vacancy__company=company, taken_over_by=member, state=ChatSession.State.ACTIVE
    ).update(taken_over_by=successor)
    CalendarFeed.objects.filter(user=member).delete()
    return {"human_requests": human_requests, "interview_slots": len(slots), "takeovers": takeovers}


def on_member_removing(sender, company, member, successor, **kwargs) -> dict:
    """The ``member_removing`` receiver: ``member_work_reassign``."""
    return member_work_reassign(company=company, member=member, successor=successor)
