"""accounts.audit's reads: filters by person, action and days in the company's zone; the CSV neutralised."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from accounts.audit import audit_csv_lines, audit_entries, audit_people, audit_record, csv_safe
from accounts.models import AuditEntry

pytestmark = pytest.mark.django_db


def _at(entry, when):
    # created_at is auto_now_add and the model refuses updates: a raw UPDATE, for the test only.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET created_at = %s WHERE id = %s", [when, entry.pk])


def test_filters_by_person_action_and_days_in_the_company_zone(company, owner, recruiter, outsider):
    company.time_zone = "Asia/Vladivostok"  # UTC+10
    company.save(update_fields=["time_zone"])
    zone = ZoneInfo("Asia/Vladivostok")
    late = audit_record(company=company, actor=owner, action="login")
    _at(late, datetime(2026, 3, 1, 23, 30, tzinfo=zone))  # 1 March there, 13:30 UTC
    early = audit_record(company=company, actor=recruiter, action="logout")
    _at(early, datetime(2026, 3, 2, 0, 30, tzinfo=zone))  # 2 March there, still 1 March in UTC
    audit_record(company=outsider.company, actor=outsider, action="login")

    assert [e.pk for e in audit_entries(company=company)] == [early.pk, late.pk]
    assert [e.pk for e in audit_entries(company=company, actor_id=owner.pk)] == [late.pk]
    assert [e.pk for e in audit_entries(company=company, action="logout")] == [early.pk]
    one_day = audit_entries(company=company, date_from=date(2026, 3, 2), date_to=date(2026, 3, 2))
    assert [e.pk for e in one_day] == [early.pk]
    assert [e.pk for e in audit_entries(company=company, date_to=date(2026, 3, 1))] == [late.pk]


def test_people_are_everyone_with_an_entry_of_the_company(company, owner, recruiter, outsider):
    audit_record(company=company, actor=owner, action="login")
    audit_record(company=company, actor=owner, action="logout")
    audit_record(company=outsider.company, actor=outsider, action="login")
    assert audit_people(company=company) == [(owner.pk, owner.get_full_name())]


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_csv_cells_that_start_a_formula_are_neutralised(text):
    assert csv_safe(text) == "'" + text


def test_plain_cells_are_left_alone():
    assert csv_safe("Role changed") == "Role changed"
    assert csv_safe(None) == ""


def test_the_csv_export_has_a_header_and_neutralised_rows(company, owner):
    owner.first_name, owner.last_name = "=cmd|' /C calc'!A0", ""
    audit_record(company=company, actor=owner, action="login", summary="+evil", details={"x": 1})
    text = "".join(audit_csv_lines(company=company, entries=audit_entries(company=company)))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["when", "who", "action", "target", "summary", "details", "ip_address"]
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][4] == "'+evil"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
