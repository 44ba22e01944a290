"""The audit log in the admin: owners (and superusers) read their company's entries; nobody adds, changes or
deletes one, superusers included."""

import pytest
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import AuditEntry
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_auditentry_changelist")
ADD = reverse("admin:accounts_auditentry_add")


@pytest.fixture
def entry(company, recruiter):
    return audit_record(company=company, actor=recruiter, action="status_changed", summary="Response 1 moved")


@pytest.fixture
def foreign(outsider):
    return audit_record(company=outsider.company, actor=outsider, action="export", summary="Globex export")


def _change(entry):
    return reverse("admin:accounts_auditentry_change", args=[entry.pk])


def _delete(entry):
    return reverse("admin:accounts_auditentry_delete", args=[entry.pk])


def test_the_owner_reads_the_companys_entries_only(owner_client, entry, foreign):
    page = owner_client.get(CHANGELIST)
    assert page.status_code == 200
    assert set(page.context["cl"].queryset) >= {entry}
    assert foreign not in set(page.context["cl"].queryset)
    assert owner_client.get(_change(foreign)).status_code == 302  # "not found": back to the index with a message


def test_the_owner_views_an_entry_but_cannot_change_it(owner_client, entry):
    assert owner_client.get(_change(entry)).status_code == 200
    assert owner_client.post(_change(entry), {"summary": "Edited"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).summary == "Response 1 moved"


@pytest.mark.parametrize("persona", ["owner_client", "superuser_client"])
def test_nobody_adds_or_deletes_an_entry_superusers_included(request, persona, entry):
    client = request.getfixturevalue(persona)
    count = AuditEntry.objects.count()
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"action": "login", "summary": "Forged"}).status_code == 403
    assert client.get(_delete(entry)).status_code == 403
    assert client.post(_delete(entry), {"post": "yes"}).status_code == 403
    bulk = client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert bulk.status_code in (200, 302)
    assert AuditEntry.objects.count() == count
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_superuser_cannot_change_an_entry_either(superuser_client, entry):
    assert superuser_client.post(_change(entry), {"summary": "Edited"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).summary == "Response 1 moved"


@pytest.mark.parametrize("persona", ["recruiter_client", "viewer_client"])
def test_recruiters_and_viewers_do_not_see_the_audit_log(request, persona, entry):
    assert request.getfixturevalue(persona).get(CHANGELIST).status_code == 403


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(email="root@smartbot.test", company=None, is_superuser=True, is_staff=True))
    return client
