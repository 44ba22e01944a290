"""The pipeline's WebSocket (``ws/pipeline/`` and ``ws/pipeline/<vacancy id>/``): a company's live changes for the
responses table and the board (static/js/board.js, static/js/pipeline-live.js; docs/pipeline.md "Live updates").

Listen-only. The services push ``screening.live.pipeline_broadcast`` events after commit to the company's group;
this consumer passes them on as frames, only the vacancy's when the path names one.
"""

from __future__ import annotations

import contextlib
from functools import partial

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.two_factor import two_factor_pending
from screening.board import column_of
from screening.live import pipeline_group
from vacancies.models import Vacancy

from . import frames as f

_db = partial(database_sync_to_async, thread_sensitive=False)


def _member_company_id(user, session, vacancy_id: int | None) -> int | None:
    """The company id of a signed-in member (two-factor done) who may see ``vacancy_id`` (any of the company's, or
    None for the whole company); None for anyone else."""
    if user is None or not user.is_authenticated or user.company_id is None or not user.is_active:
        return None
    if two_factor_pending(user=user, session=session):
        return None
    if vacancy_id is not None and not Vacancy.objects.filter(pk=vacancy_id, company_id=user.company_id).exists():
        return None
    return user.company_id


class PipelineConsumer(AsyncJsonWebsocketConsumer):
    """A member's live pipeline. Refused at the handshake with 4403 for anyone who is not a signed-in member of the
    vacancy's company (a vacancy of another company included), 4404 for a malformed vacancy id.

    Frames sent: ``{"v": 1, "type": "hello"}`` on connect, then ``{"v": 1, "type": "pipeline", "kind",
    "response_id", "vacancy_id", "from_status", "status", "from_column", "column"}`` per change (``kind``:
    "created", "chat_started", "finished", "status", or "live" with ``"live": true|false`` when the candidate comes
    back to a running chat or leaves it; columns are the board's, ``screening.board.column_of``).
    """

    group: str | None = None
    vacancy_id: int | None = None

    async def connect(self):
        raw = str((self.scope.get("url_route") or {}).get("kwargs", {}).get("vacancy_id") or "")
        if raw and not (raw.isdigit() and len(raw) <= 18):
            await self.close(code=f.CLOSE_NOT_FOUND)
            return
        self.vacancy_id = int(raw) if raw else None
        company_id = await _db(_member_company_id)(self.scope.get("user"), self.scope.get("session"), self.vacancy_id)
        if company_id is None:
            await self.close(code=f.CLOSE_FORBIDDEN)
            return
        self.group = pipeline_group(company_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"v": f.PROTOCOL_VERSION, "type": "hello"})

    async def disconnect(self, code):
        if self.group:
            with contextlib.suppress(Exception):  # best effort: the layer expires the membership anyway
                await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """The pipeline's pages send nothing; whatever a client sends is ignored."""

    async def pipeline_changed(self, event):
        if self.vacancy_id is not None and event.get("vacancy_id") != self.vacancy_id:
            return
        from_status, status = event.get("from_status", ""), event.get("status", "")
        live = {"live": bool(event["live"])} if "live" in event else {}  # the "live" kind only
        await self.send_json(
            {
                "v": f.PROTOCOL_VERSION,
                "type": "pipeline",
                "kind": event.get("kind", ""),
                "response_id": event.get("response_id"),
                "vacancy_id": event.get("vacancy_id"),
                "from_status": from_status,
                "status": status,
                "from_column": column_of(from_status) if from_status else "",
                "column": column_of(status),
                **live,
            }
        )
