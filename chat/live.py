"""Fan-out of chat frames to the other sockets of a response, through the channel layer.

Two groups per response, both named from the validated integer id:

- ``response_group(id)`` (screening.live): every socket of the response, the
  candidate's and the recruiters'. Recruiter messages, takeover and hand-back
  go here, and so do other apps' events (``evaluation.updated``).
- ``staff_group(id)``: recruiters' sockets only. The bot's turns go here: the
  candidate's own socket already got its reply directly, so a candidate's
  answer costs one small group message (to a usually empty group) and no echo.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from screening.live import CHAT_FRAMES_EVENT, response_group

logger = logging.getLogger(__name__)

FRAMES_EVENT = CHAT_FRAMES_EVENT


def staff_group(response_id: int) -> str:
    return f"{response_group(response_id)}-staff"


def frames_event(frames: list[dict], *, origin: str = "", leader_id: int | None = None) -> dict:
    """A channel-layer event carrying ready frames; the socket named ``origin`` skips it (it has them already).

    ``leader_id``: the user id of the recruiter leading the chat after a takeover, hand-back or recruiter
    message, so each recruiter socket can tell its page "you lead" (a second tab of the same recruiter
    included). It travels beside the frames, never in them: candidates are not shown staff ids.
    """
    event = {"type": FRAMES_EVENT, "frames": frames, "origin": origin}
    if leader_id is not None:
        event["leader_id"] = leader_id
    return event


async def send_frames(
    layer, *, response_id: int, frames: list[dict], staff_only: bool, origin: str = "", leader_id: int | None = None
) -> None:
    if not frames or layer is None:
        return
    group = staff_group(response_id) if staff_only else response_group(response_id)
    try:
        await layer.group_send(group, frames_event(frames, origin=origin, leader_id=leader_id))
    except Exception:  # best effort: the other side replays the transcript on reconnect
        logger.exception("chat fan-out for response %s failed", response_id)


def broadcast_frames(
    *, response_id: int, frames: list[dict], staff_only: bool = False, leader_id: int | None = None
) -> None:
    """From sync code (the HTTP fallback and recruiter forms). Never raises."""
    async_to_sync(send_frames)(
        get_channel_layer(),
        response_id=response_id,
        frames=frames,
        staff_only=staff_only,
        origin="",
        leader_id=leader_id,
    )
