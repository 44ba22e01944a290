"""Exports of responses (CSV, XLSX) and the decision record: content, formula injection, tenancy, query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEntry
from screening.models import Answer, Evaluation, Response, StatusChange, Tag
from screening.services import exports
from screening.tests.factories import ResponseFactory
from vacancies.rules import rule_snapshot
from vacancies.tests.factories import VacancyFactory, full_script

pytestmark = pytest.mark.django_db

INJECTIONS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://evil.example","x")']


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def vacancy(company, owner):
    vacancy = VacancyFactory(company=company, created_by=owner, title="Python developer")
    full_script(vacancy)
    return vacancy


def make_response(vacancy, *, actor=None, name="Anna Petrova", years="five", tags=(), **fields):
    """A finished response: the years answer read as 5 and passed, an AI evaluation, two history entries."""
    response = ResponseFactory(vacancy=vacancy, full_name=name, status=Response.Status.PASSED, score=80, **fields)
    question = vacancy.questions.get(position=2)
    Answer.objects.create(
        response=response, question=question, raw_text=years, value=5.0, read_how="words", passed=True,
        rule=rule_snapshot(question),
    )  # fmt: skip
    city = vacancy.questions.get(position=1)
    Answer.objects.create(
        response=response, question=city, raw_text="Kazan", value="Kazan", passed=False, rule=rule_snapshot(city)
    )
    Evaluation.objects.create(
        response=response, prompt_version="v1", status=Evaluation.Status.DONE, score=71, recommendation="advance",
        summary="Strong Django background.", strengths=[{"text": "Knows Django", "by": "model", "quotes": []}],
        evidence=[{"kind": "requirement", "label": "PostgreSQL", "level": "yes", "by": "model"}],
    )  # fmt: skip
    StatusChange.objects.create(response=response, from_status="in_chat", to_status="passed")
    StatusChange.objects.create(response=response, actor=actor, from_status="passed", to_status="shortlisted")
    for tag in tags:
        response.tags.add(Tag.objects.get_or_create(company=vacancy.company, name=tag)[0])
    return response


def csv_rows(answer) -> list[list[str]]:
    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_csv_has_candidate_answers_read_verdicts_with_rules_ai_and_history(owner_client, owner, vacancy):
    make_response(vacancy, actor=owner, tags=["strong English"])
    answer = owner_client.get(reverse("screening:export"), {"format": "csv", "vacancy": vacancy.pk})
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    header, row = csv_rows(answer)
    cells = dict(zip(header, row, strict=True))
    years = "How many years of Python experience do you have?"
    assert cells["Name"] == "Anna Petrova" and cells["Score"] == "80"
    assert cells[f"{years}: answer"] == "five" and cells[f"{years}: value"] == "5"
    assert cells[f"{years}: verdict"] == "✓ passed (must be at least 3)"
    assert cells["Which city do you live in?: verdict"].startswith("✗ failed")
    assert cells["AI recommendation"] == "advance" and cells["AI summary"] == "Strong Django background."
    assert "Knows Django" in cells["AI evidence"] and "PostgreSQL: yes" in cells["AI evidence"]
    assert cells["Tags"] == "strong English"
    history = cells["Status history"].splitlines()
    assert history[0].endswith("In chat → Passed · SmartBot")
    assert history[1].endswith(f"Passed → Shortlisted · {owner}")


def test_a_list_of_several_vacancies_puts_every_answer_in_one_column(owner_client, company, owner, vacancy):
    other = VacancyFactory(company=company, created_by=owner, title="Go developer")
    full_script(other)
    make_response(vacancy)
    make_response(other, name="Boris Ivanov")
    header, *rows = csv_rows(owner_client.get(reverse("screening:export"), {"format": "csv"}))
    assert "Answers" in header and not any(name.endswith(": verdict") for name in header)
    answers = [dict(zip(header, row, strict=True))["Answers"] for row in rows]
    assert all("How many years of Python experience do you have?: five → 5 [✓ passed" in text for text in answers)


def test_xlsx_opens_in_openpyxl_with_the_same_content(owner_client, vacancy):
    make_response(vacancy)
    answer = owner_client.get(reverse("screening:export"), {"format": "xlsx", "vacancy": vacancy.pk})
    assert answer.status_code == 200
    sheet = xlsx_sheet(b"".join(answer.streaming_content))
    header, row = ([cell.value for cell in line] for line in sheet.iter_rows())
    cells = dict(zip(header, row, strict=True))
    assert cells["Name"] == "Anna Petrova" and cells["Score"] == 80
    assert cells["How many years of Python experience do you have?: value"] == "5"


@pytest.mark.parametrize("payload", INJECTIONS)
def test_formula_prefixes_are_neutralised_in_every_text_field_csv_and_xlsx(owner_client, vacancy, payload):
    vacancy.questions.filter(position=5).update(text=payload)  # a header too
    make_response(vacancy, name=payload, years=payload, city=payload, resume_text=payload, tags=[payload])
    query = {"vacancy": vacancy.pk}
    header, row = csv_rows(owner_client.get(reverse("screening:export"), {**query, "format": "csv"}))
    for cells in (header, row):
        assert not any(cell.startswith(exports.FORMULA_PREFIXES) for cell in cells)
    assert row.count("'" + payload) >= 4  # name, city, the answer, the resume (tags: below)
    answer = owner_client.get(reverse("screening:export"), {**query, "format": "xlsx"})
    sheet = xlsx_sheet(b"".join(answer.streaming_content))
    values = []
    for line in sheet.iter_rows():
        for cell in line:
            assert cell.data_type != "f", cell.value
            values.append(cell.value)
    assert values.count("'" + payload) >= 5  # the text survives, behind its apostrophe (the tag cell included)


def test_cell_text_neutralises_each_prefix_and_leaves_plain_text_alone():
    for payload in INJECTIONS:
        assert exports.cell_text(payload) == "'" + payload
    assert exports.cell_text("Anna =1") == "Anna =1"
    assert exports.cell_text("a\x00b\x07c") == "abc"  # XML cannot hold these


def test_export_file_keeps_only_the_companys_ids_and_its_members_download_it(
    owner, outsider, vacancy, client, other_company
):
    mine = make_response(vacancy)
    foreign_vacancy = VacancyFactory(company=other_company, title="Foreign")
    full_script(foreign_vacancy)
    foreign = make_response(foreign_vacancy, name="Foreign Person")
    name = exports.export_file(company=owner.company, response_ids=[mine.pk, foreign.pk], fmt="xlsx", user=owner)
    assert name.startswith(f"exports/{owner.company.pk}/") and name.endswith(".xlsx")
    url = exports.export_file_url(name=name)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    answer = client.get(url)
    assert answer.status_code == 200
    names = [row[2].value for row in xlsx_sheet(b"".join(answer.streaming_content)).iter_rows(min_row=2)]
    assert names == ["Anna Petrova"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == owner and entry.details["count"] == 1 and entry.company == owner.company


def test_an_expired_export_file_is_gone(owner, vacancy, client, monkeypatch):
    name = exports.export_file(company=owner.company, response_ids=[make_response(vacancy).pk], fmt="csv", user=owner)
    monkeypatch.setattr(exports, "EXPORT_FILE_TTL", timedelta(seconds=-1))  # every file is past its time
    client.force_login(owner)
    assert client.get(exports.export_file_url(name=name)).status_code == 404
    assert not exports.default_storage.exists(name)


def test_every_export_writes_an_audit_entry_and_viewers_may_export(viewer_client, viewer, vacancy):
    make_response(vacancy)
    answer = viewer_client.get(reverse("screening:export"), {"format": "csv", "status": "passed"})
    assert answer.status_code == 200 and len(csv_rows(answer)) == 2
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == viewer and entry.details["filters"]["status"] == "passed"


def test_the_outsider_exports_nothing_of_the_company(outsider_client, vacancy):
    make_response(vacancy)
    answer = outsider_client.get(reverse("screening:export"), {"format": "csv"})
    assert len(csv_rows(answer)) == 1  # the header only
    assert outsider_client.get(reverse("screening:export"), {"format": "csv", "vacancy": vacancy.pk}).status_code == 400


def test_erased_applications_are_left_out(owner_client, vacancy):
    from django.utils import timezone

    make_response(vacancy, erased_at=timezone.now())
    assert len(csv_rows(owner_client.get(reverse("screening:export"), {"format": "csv"}))) == 1


def test_bad_format_or_filters_are_a_400(owner_client):
    assert owner_client.get(reverse("screening:export"), {"format": "pdf"}).status_code == 400
    assert owner_client.get(reverse("screening:export"), {"format": "csv", "min_score": "x"}).status_code == 400


def _queries(company, vacancy) -> int:
    queryset = exports.export_queryset(company=company, responses=Response.objects.filter(vacancy=vacancy))
    with CaptureQueriesContext(connection) as captured:
        rows = list(exports.export_rows(company=company, queryset=queryset))
    assert len(rows) == Response.objects.filter(vacancy=vacancy).count() + 1
    return len(captured)


def test_query_count_does_not_grow_with_the_rows(company, owner, vacancy):
    for index in range(5):
        make_response(vacancy, actor=owner, name=f"Person {index}", tags=["a"])
    five = _queries(company, vacancy)
    for index in range(45):
        make_response(vacancy, actor=owner, name=f"Other {index}", tags=["b"])
    assert _queries(company, vacancy) == five


def test_decision_record_page_shows_what_was_asked_read_judged_recommended_and_decided(owner_client, owner, vacancy):
    response = make_response(vacancy, actor=owner)
    answer = owner_client.get(reverse("screening:decision_record", args=[response.pk]))
    assert answer.status_code == 200
    page = answer.content.decode()
    for text in ("How many years of Python experience do you have?", "five", "must be at least 3", "✓ passed"):
        assert text in page
    assert "Strong Django background." in page and str(owner) in page and "Shortlisted" in page
    detail = owner_client.get(response.get_absolute_url()).content.decode()
    assert reverse("screening:decision_record", args=[response.pk]) in detail


def test_decision_record_html_export_is_self_contained_and_audited(viewer_client, vacancy):
    response = make_response(vacancy)
    answer = viewer_client.get(reverse("screening:decision_record_html", args=[response.pk]))
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    html = answer.content.decode()
    assert "<style>" in html and "Anna Petrova" in html and "five" in html
    for external in ("<script", "<link", "src=", "http://", "https://", "url("):
        assert external not in html
    assert AuditEntry.objects.get(action=AuditEntry.Action.EXPORT).target == f"response:{response.pk}"


def test_decision_record_of_another_company_is_404(outsider_client, vacancy):
    response = make_response(vacancy)
    for name in ("screening:decision_record", "screening:decision_record_html"):
        assert outsider_client.get(reverse(name, args=[response.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_the_responses_page_links_the_export_with_its_filters(owner_client, vacancy):
    page = owner_client.get(reverse("screening:list"), {"vacancy": vacancy.pk, "status": "passed"}).content.decode()
    assert f"{reverse('screening:export')}?vacancy={vacancy.pk}&amp;status=passed&amp;format=csv" in page


def test_the_record_of_an_erased_application_keeps_only_its_decisions(owner_client, owner, vacancy):
    from django.utils import timezone

    response = make_response(vacancy, actor=owner)
    Response.objects.filter(pk=response.pk).update(erased_at=timezone.now())
    page = owner_client.get(reverse("screening:decision_record", args=[response.pk])).content.decode()
    assert "five" not in page and "Strong Django background." not in page
    assert "Shortlisted" in page and str(owner) in page


def test_a_phone_keeps_its_plus_in_xlsx_and_its_apostrophe_in_csv(owner_client, vacancy):
    # An XLSX string cell is shown as the text it holds: "+7 900 555-01-19" is data there, not a formula. A CSV
    # cell is parsed by the spreadsheet, so the sign stays behind the apostrophe (a formula otherwise).
    make_response(vacancy, phone="+7 900 555-01-19", phone_e164="+79005550119")
    query = {"vacancy": vacancy.pk}
    sheet = xlsx_sheet(
        b"".join(owner_client.get(reverse("screening:export"), {**query, "format": "xlsx"}).streaming_content)
    )
    header, row = ([cell.value for cell in line] for line in sheet.iter_rows())
    cells = dict(zip(header, row, strict=True))
    assert "+7 900 555-01-19" in cells.values() and "+79005550119" in cells.values()
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
    header, row = csv_rows(owner_client.get(reverse("screening:export"), {**query, "format": "csv"}))
    assert "'+79005550119" in row


def test_only_a_plain_signed_number_keeps_its_bare_sign_in_a_typed_cell():
    assert exports.cell_text("+7 (900) 555-01-19", typed=True) == "+7 (900) 555-01-19"
    assert exports.cell_text("-5", typed=True) == "-5"
    for payload in INJECTIONS:
        assert exports.cell_text(payload, typed=True) == "'" + payload
    assert exports.cell_text("+7 900", typed=False) == "'+7 900"
