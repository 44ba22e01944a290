"""accounts.audit.audit_record: one entry per call, the name kept, never raising into the caller; append-only."""

import pytest
from django.db import transaction
from django.test import RequestFactory

from accounts.audit import audit_record
from accounts.models import AuditEntry, Role
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_entry_keeps_who_what_and_the_address(company, owner):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    entry = audit_record(
        company=company,
        actor=owner,
        action=AuditEntry.Action.ROLE_CHANGED,
        target="user:5",
        summary="Role changed",
        details={"from": "viewer", "to": "recruiter"},
        request=request,
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.company_id, stored.actor_id, stored.action) == (company.pk, owner.pk, "role_changed")
    assert stored.actor_name == owner.get_full_name()
    assert (stored.target, stored.details, stored.ip_address) == (
        "user:5",
        {"from": "viewer", "to": "recruiter"},
        "203.0.113.7",
    )


def test_the_name_outlives_the_member(company):
    member = UserFactory(company=company, role=Role.RECRUITER, first_name="Rita", last_name="Smith")
    entry = audit_record(company=company.pk, actor=member, action=AuditEntry.Action.LOGIN)
    member.delete()
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor_id is None
    assert stored.actor_name == "Rita Smith"


def test_an_unknown_action_is_logged_not_raised(company, owner, caplog):
    assert audit_record(company=company, actor=owner, action="launch_missiles") is None
    assert AuditEntry.objects.count() == 0
    assert "Audit entry not written" in caplog.text


def test_a_failing_write_leaves_the_callers_transaction_usable(company, owner):
    with transaction.atomic():
        assert audit_record(company=company, actor=owner, action="login", details={"bad": object()}) is None
        # The caller's transaction goes on: this write commits.
        good = audit_record(company=company, actor=owner, action="login")
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [good.pk]


def test_no_company_writes_nothing(owner):
    assert audit_record(company=None, actor=owner, action="login") is None
    assert AuditEntry.objects.count() == 0


def test_an_entry_rolls_back_with_the_action_it_records(company, owner):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(company=company, actor=owner, action="login")
        raise RuntimeError
    assert AuditEntry.objects.count() == 0


def test_the_log_is_append_only_save_update_and_delete_raise(company, owner):
    entry = audit_record(company=company, actor=owner, action="login", summary="Signed in")
    entry.summary = "Edited"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="Edited")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "Signed in"
