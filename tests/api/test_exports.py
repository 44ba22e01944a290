"""Exports in the API: the filtered responses as CSV or XLSX, the decision record as JSON and HTML."""

import csv
import io

import pytest
from openpyxl import load_workbook

from accounts.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/api/v1/responses/export/"


def _csv(answer) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))


def test_csv_export_with_filters_lists_the_matching_responses(owner_api, finished_response, vacancy):
    answer = owner_api.get(URL, {"format": "csv", "vacancy": vacancy.pk})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    header, row = _csv(answer)
    assert dict(zip(header, row, strict=True))["Name"] == finished_response.full_name
    assert _csv(owner_api.get(URL, {"format": "csv", "status": "hired"})) == [[*header[:20], "Answers", *header[-2:]]]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == 2


def test_xlsx_is_the_default_and_opens(viewer_api, finished_response):
    answer = viewer_api.get(URL)
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    assert sheet.cell(row=2, column=3).value == finished_response.full_name


def test_a_bad_format_or_filter_is_a_400_in_the_error_shape(owner_api):
    for query in ({"format": "pdf"}, {"format": "csv", "min_score": "x"}):
        answer = owner_api.get(URL, query)
        assert answer.status_code == 400 and answer["Content-Type"].startswith("application/json")
        assert answer.json()["error"]["code"]


def test_the_outsider_exports_nothing_and_cannot_read_a_record(outsider_api, finished_response):
    assert len(_csv(outsider_api.get(URL, {"format": "csv"}))) == 1
    for path in ("record/", "record.html"):
        assert outsider_api.get(f"/api/v1/responses/{finished_response.pk}/{path}").status_code == 404


def test_decision_record_as_json_and_html(viewer_api, finished_response):
    record = viewer_api.get(f"/api/v1/responses/{finished_response.pk}/record/").json()
    assert record["response"] == finished_response.pk
    assert [row["position"] for row in record["questions"]] == [1, 2, 3, 4, 5]
    assert all(row["answered"] and row["rule"] for row in record["questions"][:4])
    assert record["decisions"] and record["decisions"][-1]["by"] == "SmartBot"
    answer = viewer_api.get(f"/api/v1/responses/{finished_response.pk}/record.html")
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    assert finished_response.full_name in answer.content.decode()
    assert AuditEntry.objects.get(action=AuditEntry.Action.EXPORT).target == f"response:{finished_response.pk}"


def test_bad_bytes_in_the_query_or_body_are_refused_as_everywhere_in_the_api(owner_api, finished_response):
    from tests.test_bad_input import BAD_JSON, assert_refused

    paths = [
        URL,
        f"/api/v1/responses/{finished_response.pk}/record/",
        f"/api/v1/responses/{finished_response.pk}/record.html",
    ]
    for path in paths:
        for query in ("search=a%00b", "format=%00", "search=%FF"):
            assert_refused(owner_api.get(f"{path}?{query}"), f"{path}?{query}")
        for label, body in BAD_JSON.items():
            assert_refused(owner_api.generic("GET", path, body, content_type="application/json"), f"{path}: {label}")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()
