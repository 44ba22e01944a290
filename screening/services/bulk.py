"""Bulk actions: one action on many applications (change status, re-evaluate, add or remove a tag, export, erase),
run by a Celery task with live progress (docs/pipeline.md, "Bulk actions, tags and saved filters").

- ``bulk_action_start`` checks who may act, freezes the selection (explicit ids, or every response matching the
  table's filters, resolved by the caller) into one ``BulkActionItem`` per application and queues
  ``screening.tasks.run_bulk_action`` after the commit.
- ``bulk_action_run`` (the task's body) handles the items not done yet, each in its own transaction together
  with its progress counters; so a retried or redelivered task skips what was done, and every application is
  changed once (one ``StatusChange`` each). A failure of one application is recorded on its item and shown.
- When the last item is handled the action is finished and one ``AuditEntry`` is written for the whole action
  (for an export, the one ``export_file`` writes).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEntry, Role

from .. import tasks
from ..models import BulkAction, BulkActionItem, Erasure, Response, Tag
from .evaluations import evaluation_request
from .privacy import candidate_erase
from .responses import DECISION_STATUSES, response_change_status
from .tags import response_tag_add, response_tag_remove, tag_get_or_create

logger = logging.getLogger(__name__)

# One action handles at most this many applications: enough for a vacancy's whole pile, small enough that a
# mistake is bounded and the progress bar moves. Candidate emails are rate limited by ``send_email`` anyway.
BULK_MAX_RESPONSES = 1000
# Actions of a company queued or running at once; more wait for these to finish (a flood stays bounded).
BULK_ACTIVE_MAX = 5
EXPORT_FORMATS = ("csv", "xlsx")
Kind = BulkAction.Kind


def bulk_action_get_for_user(*, user, pk: int) -> BulkAction:
    """The bulk action if it belongs to the user's company; ``Http404`` otherwise."""
    return get_object_or_404(BulkAction.objects.select_related("user", "company"), pk=pk, company_id=user.company_id)


def bulk_action_failures(*, bulk_action: BulkAction, limit: int = 100) -> list[BulkActionItem]:
    """The action's failed items (with their responses and vacancies), first ``limit`` by id."""
    return list(
        bulk_action.items.exclude(error="").select_related("response", "response__vacancy").order_by("pk")[:limit]
    )


def _params(*, company, kind: str, params: dict) -> dict:
    """The action's own parameters, checked and normalised; ``ValidationError`` with field errors otherwise."""
    params = params or {}
    if kind == Kind.STATUS:
        status = params.get("status")
        if status not in DECISION_STATUSES:
            raise ValidationError({"status": _("This status cannot be set by hand.")})
        return {
            "status": status,
            "comment": str(params.get("comment") or "").strip()[:1000],
            "candidate_reason": str(params.get("candidate_reason") or "").strip()[:1000],
            "email": bool(params.get("email")),
        }
    if kind in (Kind.TAG, Kind.UNTAG):
        name = params.get("tag")
        if kind == Kind.TAG:
            tag = tag_get_or_create(company=company, name=str(name or ""))
        else:
            tag = Tag.objects.filter(company=company, name__iexact=" ".join(str(name or "").split())).first()
            if tag is None:
                raise ValidationError({"tag": _("Unknown tag.")})
        return {"tag_id": tag.pk, "tag": tag.name}
    if kind == Kind.EXPORT:
        fmt = params.get("format") or "xlsx"
        if fmt not in EXPORT_FORMATS:
            raise ValidationError({"format": _("Choose CSV or XLSX.")})
        return {"format": fmt}
    if kind in (Kind.REEVALUATE, Kind.ERASE):
        return {}
    raise ValidationError({"kind": _("Unknown action.")})


def bulk_action_start(*, user, kind: str, responses, params: dict | None = None) -> BulkAction:
    """Start ``kind`` (``BulkAction.Kind``) on ``responses`` (a queryset of the user's company's responses: the
    selected ids or every one matching the table's filters) and queue its task after the commit.

    ``params``: for "status" ``status`` (one of ``DECISION_STATUSES``), ``comment``, ``candidate_reason`` and
    ``email`` (True: the candidates get the company's template for that decision, whatever the company's
    default; False: no email); for "tag"/"untag" ``tag`` (a name; "tag" creates it when new); for "export"
    ``format`` ("csv" or "xlsx"). Raises ``PermissionDenied`` for a viewer (and for anyone but the owner on
    "erase"), ``ValidationError`` for bad parameters, an empty selection or one over ``BULK_MAX_RESPONSES``,
    and ``ValidationError(code="conflict")`` when the company has ``BULK_ACTIVE_MAX`` actions going already.
    """
    if not user.can_edit:
        raise PermissionDenied
    if kind == Kind.ERASE and user.role != Role.OWNER:
        raise PermissionDenied
    company = user.company
    ids = list(
        responses.filter(vacancy__company_id=company.pk)
        .order_by()
        .values_list("pk", flat=True)[: BULK_MAX_RESPONSES + 1]
    )
    if not ids:
        raise ValidationError(_("Select at least one response."))
    if len(ids) > BULK_MAX_RESPONSES:
        raise ValidationError(
            _("One action handles at most %(max)d responses: narrow the filters.") % {"max": BULK_MAX_RESPONSES}
        )
    params = _params(company=company, kind=kind, params=params or {})
    active = (BulkAction.State.QUEUED, BulkAction.State.RUNNING)
    with transaction.atomic():
        if BulkAction.objects.filter(company=company, state__in=active).count() >= BULK_ACTIVE_MAX:
            raise ValidationError(
                _("%(max)d bulk actions are running already: wait for one to finish.") % {"max": BULK_ACTIVE_MAX},
                code="conflict",
            )
        bulk_action = BulkAction.objects.create(company=company, user=user, kind=kind, params=params, total=len(ids))
        BulkActionItem.objects.bulk_create(
            [BulkActionItem(bulk_action=bulk_action, response_id=pk) for pk in sorted(ids)]
        )
        tasks.run_bulk_action.delay(bulk_action.pk)  # published on commit (TransactionAwareTask)
    return bulk_action


def _handle(bulk_action: BulkAction, response: Response) -> None:
    """Apply the action to one application; raises ``ValidationError`` (shown on its item) when it cannot."""
    params, actor = bulk_action.params, bulk_action.user
    kind = bulk_action.kind
    if kind == Kind.STATUS:
        response_change_status(
            response=response,
            to_status=params["status"],
            actor=actor,
            comment=params.get("comment", ""),
            candidate_reason=params.get("candidate_reason", ""),
            notify=params.get("email", False),
            audit=False,  # one entry for the whole action (``_finish``)
        )
    elif kind == Kind.REEVALUATE:
        evaluation_request(response=response, force=True)
    elif kind in (Kind.TAG, Kind.UNTAG):
        tag = Tag.objects.filter(pk=params["tag_id"], company_id=bulk_action.company_id).first()
        if tag is None:
            raise ValidationError(_("The tag was deleted meanwhile."))
        if kind == Kind.TAG:
            response_tag_add(response=response, tag=tag)
        else:
            response_tag_remove(response=response, tag=tag)
    elif kind == Kind.ERASE:
        candidate_erase(candidate=response.candidate, reason=Erasure.Reason.OWNER, actor=actor)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)[:300]


def _run_item(bulk_action: BulkAction, item_id: int) -> None:
    """One item in one transaction with the progress counters: handled once however often the task runs."""
    with transaction.atomic():
        item = (
            BulkActionItem.objects.select_for_update()
            .select_related("response", "response__vacancy", "response__vacancy__company", "response__candidate")
            .filter(pk=item_id, done_at__isnull=True)
            .first()
        )
        if item is None:  # done by an earlier run of the task
            return
        error = ""
        try:
            with transaction.atomic():  # a failure undoes this application's writes only
                _handle(bulk_action, item.response)
        except ValidationError as exc:
            error = _error_text(exc)
        except PermissionDenied:
            error = _("Not allowed.")
        except Exception:  # one application's unexpected failure must not stop the others; it is shown
            logger.exception("bulk action %s failed on response %s", bulk_action.pk, item.response_id)
            error = _("Something went wrong with this response; try it on its own page.")
        item.done_at = timezone.now()
        item.error = error
        item.save(update_fields=["done_at", "error"])
        counter = "failed" if error else "done"
        BulkAction.objects.filter(pk=bulk_action.pk).update(**{counter: F(counter) + 1})


def _run_export(bulk_action: BulkAction) -> None:
    """The export: one file for every selected application, then every item done at once (or the action fails)."""
    if bulk_action.result.get("file"):
        return
    try:
        from .exports import export_file
    except ImportError:
        raise ValidationError(_("Exports are not available.")) from None
    ids = list(bulk_action.items.order_by("pk").values_list("response_id", flat=True))
    name = export_file(
        company=bulk_action.company, response_ids=ids, fmt=bulk_action.params["format"], user=bulk_action.user
    )
    with transaction.atomic():
        updated = BulkActionItem.objects.filter(bulk_action=bulk_action, done_at__isnull=True).update(
            done_at=timezone.now()
        )
        BulkAction.objects.filter(pk=bulk_action.pk).update(result={"file": name}, done=F("done") + updated)


def bulk_action_run(*, bulk_action_id: int) -> BulkAction:
    """Run (or resume) a bulk action: every item not done yet, then finish it with one audit entry.

    Idempotent: a finished action is returned as it is; a resumed one skips its done items. An export that
    fails ends the action "failed" with the reason; one application that fails is recorded on its item.
    """
    bulk_action = BulkAction.objects.select_related("company", "user").get(pk=bulk_action_id)
    if bulk_action.state in (BulkAction.State.FINISHED, BulkAction.State.FAILED):
        return bulk_action
    BulkAction.objects.filter(pk=bulk_action.pk, state=BulkAction.State.QUEUED).update(state=BulkAction.State.RUNNING)
    try:
        if bulk_action.kind == Kind.EXPORT:
            _run_export(bulk_action)
        else:
            pending = bulk_action.items.filter(done_at__isnull=True).order_by("pk").values_list("pk", flat=True)
            for item_id in list(pending):
                _run_item(bulk_action, item_id)
    except ValidationError as exc:
        _finish(bulk_action, state=BulkAction.State.FAILED, error=_error_text(exc))
    else:
        _finish(bulk_action, state=BulkAction.State.FINISHED)
    bulk_action.refresh_from_db()
    return bulk_action


def _finish(bulk_action: BulkAction, *, state: str, error: str = "") -> None:
    """The action's end, once: the state and the one audit entry are written together."""
    with transaction.atomic():
        ended = BulkAction.objects.filter(
            pk=bulk_action.pk, state__in=(BulkAction.State.QUEUED, BulkAction.State.RUNNING)
        ).update(state=state, error=error[:300], finished_at=timezone.now())
        if not ended:
            return
        bulk_action.refresh_from_db()
        if bulk_action.kind == Kind.EXPORT and state == BulkAction.State.FINISHED:
            return  # ``export_file`` wrote the export's one audit entry (docs/exports.md)
        audit_record(
            company=bulk_action.company,
            actor=bulk_action.user,
            action=AuditEntry.Action.BULK_ACTION,
            target=f"bulk_action:{bulk_action.pk}",
            summary=_english_summary(bulk_action),
            details={
                "kind": bulk_action.kind,
                "params": bulk_action.params,
                "total": bulk_action.total,
                "done": bulk_action.done,
                "failed": bulk_action.failed,
                "state": bulk_action.state,
                "response_ids": list(bulk_action.items.order_by("pk").values_list("response_id", flat=True)),
            },
        )


def _english_summary(bulk_action: BulkAction) -> str:
    with translation.override("en"):  # the audit log's summaries are English lines
        return bulk_action_summary(bulk_action)


def bulk_action_summary(bulk_action: BulkAction) -> str:
    """One line about the action for people ("Change status to Declined: 28 of 30 done, 2 failed")."""
    what = bulk_action.get_kind_display()
    if bulk_action.kind == Kind.STATUS:
        what = _("Change status to %(status)s") % {"status": Response.Status(bulk_action.params.get("status")).label}
    elif bulk_action.kind in (Kind.TAG, Kind.UNTAG):
        what = f"{what} “{bulk_action.params.get('tag', '')}”"
    return _("%(what)s: %(done)d of %(total)d done, %(failed)d failed") % {
        "what": what,
        "done": bulk_action.done,
        "total": bulk_action.total,
        "failed": bulk_action.failed,
    }
