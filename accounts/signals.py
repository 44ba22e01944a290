"""Signals the apps further along the arrows answer, so accounts never imports them.

``member_removing``: sent inside ``accounts.team.member_remove``'s transaction, before the member is
detached, with ``company`` (a ``Company``), ``member`` (the ``User`` leaving) and ``successor`` (the ``User``
who takes over their open work, or None: left unassigned). A receiver moves or releases its own rows that
name the member (screening: claimed requests for a person, interview slots, chats taken over) and returns a
dict of counts ``{"human_requests": 2, ...}``, merged into the audit entry's details. It runs in the
removal's transaction: raising rolls the removal back.
"""

from django.dispatch import Signal

member_removing = Signal()
