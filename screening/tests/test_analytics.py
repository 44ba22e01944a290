"""Funnel analytics (screening.analytics, its pages, CSVs and charts) against a dataset known by construction
(``analytics_data``: read its docstring first)."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from screening import analytics
from screening.models import Response
from screening.tests.analytics_data import MOSCOW, make_response, seed
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

MARCH_10 = analytics.Period(start=date(2026, 3, 10), end=date(2026, 3, 10), zone=MOSCOW)


@pytest.fixture
def data(company, owner):
    company.time_zone = "Europe/Moscow"
    company.save(update_fields=["time_zone"])
    return seed(company, owner)


@pytest.fixture
def report(company, data):
    return analytics.analytics_report(company=company, vacancy=data.vacancy, period=MARCH_10)


def _question(report, question):
    return next(row for row in report.questions if row.question_id == question.pk)


def test_the_funnel_counts_every_stage_reached_at_some_point(report):
    assert report.funnel == {
        "applied": 8,
        "chat_started": 7,
        "finished": 5,
        "passed": 3,
        "needs_review": 1,
        "rejected": 1,
        "shortlisted": 2,  # r5 (declined since) and r6
        "interview": 2,  # r5 went through it; r6 was hired, a later stage
        "offer": 1,
        "hired": 1,
    }


def test_dropoff_is_counted_at_the_question_that_was_awaited(report, data):
    q1, q2, q3 = (_question(report, q) for q in (data.q1, data.q2, data.q3))
    assert (q1.reached, q1.answered, q1.stopped) == (7, 6, 1)
    assert (q2.reached, q2.answered, q2.stopped) == (6, 5, 1)
    assert (q3.reached, q3.answered, q3.stopped) == (5, 5, 0)
    assert q1.dropoff_rate == pytest.approx(1 / 7)
    assert q2.dropoff_rate == pytest.approx(1 / 6)
    assert report.stopped_after_last == 0


def test_knockout_rate_is_per_rule_version(report, data):
    rows = [(row.question_id, row.rule, row.judged, row.failed, row.review) for row in report.rules]
    assert rows == [
        (data.q1.pk, "must be “yes”", 6, 0, 0),
        (data.q2.pk, "must be at least 2", 1, 0, 0),
        (data.q2.pk, "must be at least 3", 4, 1, 1),
    ]
    assert report.rules[2].knockout_rate == 0.25


def test_event_rates_count_applications_once_per_question(report, data):
    q1, q2 = _question(report, data.q1), _question(report, data.q2)
    assert q1.events == {"clarification": 1, "read_back": 1}
    assert q2.events == {"correction": 1, "read_back": 1}
    assert q1.event_rate("clarification") == pytest.approx(1 / 7)
    assert q2.event_rate("correction") == pytest.approx(1 / 6)
    assert q2.event_rate("clarification") == 0


def test_medians_of_answer_finish_and_first_decision(report, data):
    medians = [
        (_question(report, q).timed, _question(report, q).median_answer_seconds) for q in (data.q1, data.q2, data.q3)
    ]
    assert medians == [(6, pytest.approx(35)), (5, pytest.approx(30)), (2, pytest.approx(150))]
    assert (report.finished_timed, report.finish_median_seconds) == (5, pytest.approx(180))
    assert (report.decided, report.decision_median_seconds) == (3, pytest.approx(3600))


def test_sources_and_ai_agreement(report):
    sources = [(row.source, row.applied, row.finished, row.passed, row.hired) for row in report.sources]
    assert sources == [("api", 2, 2, 1, 0), ("web", 6, 3, 2, 1)]
    agreement = [(row.recommendation, row.moved_on, row.declined, row.undecided) for row in report.agreement]
    assert agreement == [("advance", 1, 1, 0), ("hold", 0, 0, 0), ("reject", 0, 1, 1)]
    assert (report.agreed, report.advised_decided) == (2, 3)


def test_the_company_report_never_counts_another_company(company, other_company, data):
    make_response(VacancyFactory(company=other_company))
    report = analytics.analytics_report(company=company, period=MARCH_10)
    assert report.funnel["applied"] == 8
    assert {row.label.split(":")[0] for row in report.questions} == {"Analyst"}


def test_the_period_is_counted_in_days_of_the_company_zone(company):
    vacancy = VacancyFactory(company=company)
    # 23:30 and 00:30 in Moscow (UTC+3): both on 10 March in UTC, on two days in Moscow.
    make_response(vacancy, created=datetime(2026, 3, 10, 23, 30, tzinfo=MOSCOW))
    make_response(vacancy, created=datetime(2026, 3, 11, 0, 30, tzinfo=MOSCOW))
    counts = [
        analytics.analytics_report(company=company, period=analytics.Period(day, day, MOSCOW)).funnel["applied"]
        for day in (date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12))
    ]
    assert counts == [1, 1, 0]


def test_the_report_makes_the_same_number_of_queries_for_more_data(company, owner, data):
    with CaptureQueriesContext(connection) as small:
        analytics.analytics_report(company=company, vacancy=data.vacancy, period=MARCH_10)
    seed(company, owner)
    for _ in range(20):
        make_response(data.vacancy, status=Response.Status.IN_CHAT)
    with CaptureQueriesContext(connection) as large:
        bigger = analytics.analytics_report(company=company, period=MARCH_10)
    assert bigger.funnel["applied"] == 36
    assert len(small) == len(large)
    assert len([q for q in small.captured_queries if q["sql"].startswith("SELECT")]) == analytics.QUERIES


# --- the pages, the CSVs, the charts and the API -------------------------------------------------------------

QUERY = {"start": "2026-03-10", "end": "2026-03-10"}
SVG = "{http://www.w3.org/2000/svg}"
CHART = '<svg xmlns="http://www.w3.org/2000/svg" class="chart"'


def _charts(page: str) -> list[ET.Element]:
    """Every chart of the page, parsed as XML (a chart that is not well-formed fails here)."""
    return [ET.fromstring(CHART + chunk.split("</svg>")[0] + "</svg>") for chunk in page.split(CHART)[1:]]


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _csv_rows(answer) -> list[list[str]]:
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(answer.content.decode())))


def test_a_viewer_reads_the_vacancy_page_with_every_chart_as_wellformed_svg(viewer_client, data):
    answer = viewer_client.get(reverse("screening:analytics_vacancy", args=[data.vacancy.pk]), QUERY)
    assert answer.status_code == 200
    page = answer.content.decode()
    charts = _charts(page)
    assert len(charts) == 7
    for svg in charts:
        assert svg.find(f"{SVG}title").text
        assert list(svg.iter(f"{SVG}rect"))
        assert not [el for el in svg.iter() if "style" in el.attrib or el.tag == f"{SVG}script"]
    assert "Applications made from 10 March 2026 to 10 March 2026 (Europe/Moscow)." in page


def test_the_funnel_bars_are_proportional_to_the_counts(viewer_client, data):
    page = viewer_client.get(reverse("screening:analytics_vacancy", args=[data.vacancy.pk]), QUERY).content.decode()
    funnel = _charts(page)[0]
    widths = [float(rect.get("width")) for rect in funnel.iter(f"{SVG}rect")]
    counts = [8, 7, 5, 3, 1, 1, 2, 2, 1, 1]
    assert widths == [pytest.approx(330 * n / 8, abs=0.1) for n in counts]


def test_the_dropoff_csv_has_the_numbers_of_the_chart(viewer_client, data):
    url = reverse("screening:analytics_vacancy_csv", args=[data.vacancy.pk])
    answer = viewer_client.get(url, {**QUERY, "chart": "dropoff"})
    assert 'filename="analytics-vacancy-' in answer["Content-Disposition"]
    assert _csv_rows(answer) == [
        ["Question", "Reached", "Stopped here", "Drop-off rate"],
        ["Before the chat (never opened it)", "8", "1", "0.125"],
        [data.q1.text, "7", "1", "0.1429"],
        [data.q2.text, "6", "1", "0.1667"],
        [data.q3.text, "5", "0", "0.0"],
    ]


def test_a_csv_cell_that_looks_like_a_formula_stays_text(viewer_client, data):
    data.q1.text = "=HYPERLINK(1)"
    data.q1.save(update_fields=["text"])
    url = reverse("screening:analytics_vacancy_csv", args=[data.vacancy.pk])
    assert _csv_rows(viewer_client.get(url, {**QUERY, "chart": "dropoff"}))[2][0] == "'=HYPERLINK(1)"
    data.vacancy.title = "@SUM"
    data.vacancy.save(update_fields=["title"])
    answer = viewer_client.get(reverse("screening:analytics_csv"), {**QUERY, "chart": "dropoff"})
    assert _csv_rows(answer)[2][0] == "'@SUM: =HYPERLINK(1)"


def test_the_times_csv_gives_medians_in_seconds(owner_client, data):
    answer = owner_client.get(reverse("screening:analytics_csv"), {**QUERY, "chart": "times"})
    assert _csv_rows(answer)[1:] == [
        ["Median time to finish the chat", "5", "180.0"],
        ["Median time to the first recruiter decision", "3", "3600.0"],
    ]


def test_an_unknown_chart_is_a_404_and_a_reversed_period_a_400(owner_client, data):
    assert owner_client.get(reverse("screening:analytics_csv"), {"chart": "nope"}).status_code == 404
    bad = {"start": "2026-03-11", "end": "2026-03-10"}
    assert owner_client.get(reverse("screening:analytics_csv"), bad).status_code == 400
    page = owner_client.get(reverse("screening:analytics"), bad)
    assert page.status_code == 400
    assert "The period must not end before it starts." in page.content.decode()


def test_the_company_page_links_each_vacancy_and_the_pages_speak_russian(owner_client, data):
    page = owner_client.get(reverse("screening:analytics"), QUERY, headers={"accept-language": "ru"})
    assert reverse("screening:analytics_vacancy", args=[data.vacancy.pk]) in page.content.decode()


def test_the_page_makes_the_same_number_of_queries_for_more_data(owner_client, company, owner, data):
    url = reverse("screening:analytics_vacancy", args=[data.vacancy.pk])
    owner_client.get(url, QUERY)  # the first request fills the cached unread-notifications count of the nav
    with CaptureQueriesContext(connection) as small:
        owner_client.get(url, QUERY)
    for _ in range(30):
        make_response(data.vacancy, status=Response.Status.IN_CHAT)
    seed(company, owner)
    with CaptureQueriesContext(connection) as large:
        owner_client.get(url, QUERY)
    assert len(small) == len(large)


def test_an_outsider_gets_404_for_a_foreign_vacancy_and_sees_none_of_it_in_their_company_report(outsider_client, data):
    for name in ("screening:analytics_vacancy", "screening:analytics_vacancy_csv"):
        assert outsider_client.get(reverse(name, args=[data.vacancy.pk]), QUERY).status_code == 404
    rows = _csv_rows(outsider_client.get(reverse("screening:analytics_csv"), QUERY))
    assert rows[1] == ["All applications", "0", ""]


def test_the_api_gives_the_report_of_a_vacancy(viewer, data):
    answer = api_client(viewer).get(f"/api/v1/vacancies/{data.vacancy.pk}/analytics/", QUERY)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["scope"] == {
        "company": data.vacancy.company_id,
        "vacancy": data.vacancy.pk,
        "start": "2026-03-10",
        "end": "2026-03-10",
        "time_zone": "Europe/Moscow",
    }
    assert [row["count"] for row in body["funnel"]] == [8, 7, 5, 3, 1, 1, 2, 2, 1, 1]
    assert body["questions"][0]["stopped"] == 1
    assert body["questions"][0]["median_answer_seconds"] == pytest.approx(35)
    assert body["agreement"]["agreed"] == 2 and body["agreement"]["decided"] == 3
    assert body["times"]["first_decision_median_seconds"] == pytest.approx(3600)


def test_the_api_refuses_a_reversed_period_and_hides_foreign_vacancies(owner, outsider, data):
    refused = api_client(owner).get("/api/v1/analytics/", {"start": "2026-03-11", "end": "2026-03-10"})
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["end"]
    edge = api_client(owner).get("/api/v1/analytics/", {"start": "9999-12-31"})
    assert edge.status_code == 400, edge.content
    assert api_client(outsider).get(f"/api/v1/vacancies/{data.vacancy.pk}/analytics/").status_code == 404
    assert api_client(outsider).get("/api/v1/analytics/", QUERY).json()["funnel"][0]["count"] == 0


# --- the chart drawing (pure) ----------------------------------------------------------------------------------


def test_a_label_with_markup_is_escaped_and_the_svg_stays_wellformed():
    from screening.charts import Bar, bar_chart

    svg = bar_chart(key="k", title="<b>&", bars=[Bar('<script>"x"</script> & more', [3], ["3 < 4"])])
    parsed = ET.fromstring(str(svg))
    assert "<script>" not in svg
    assert [t.text for t in parsed.iter(f"{SVG}text")] == ['<script>"x"</script> & more', "3 < 4"]


def test_durations_read_at_a_glance_and_missing_values_are_a_dash():
    from screening.charts import duration, percent

    assert [duration(s) for s in (None, 35, 250, 3 * 3600 + 300, 2 * 86400 + 4 * 3600)] == [
        "—",
        "35 s",
        "4 min 10 s",
        "3 h 5 min",
        "2 d 4 h",
    ]
    assert [percent(r) for r in (None, 0, 0.25, 1)] == ["—", "0%", "25%", "100%"]


def test_the_vacancy_page_and_the_menu_link_to_the_analytics(viewer_client, data):
    page = viewer_client.get(reverse("vacancies:detail", args=[data.vacancy.pk])).content.decode()
    assert reverse("screening:analytics_vacancy", args=[data.vacancy.pk]) in page
    assert f'href="{reverse("screening:analytics")}"' in page


def test_a_long_label_takes_two_lines_that_fit_the_label_column_and_ends_with_an_ellipsis():
    from screening.charts import LABEL_CHARS, Bar, bar_chart, label_lines

    question = "Менеджер по продажам B2B: С какими CRM-системами вы работали последние три года и как долго?"
    lines = label_lines(question)
    assert len(lines) == 2 and all(len(line) <= LABEL_CHARS for line in lines)
    assert lines[0].startswith("Менеджер по продажам B2B:") and lines[1].endswith("…")
    assert label_lines("How many years of Python?") == ["How many years of Python?"]
    parsed = ET.fromstring(str(bar_chart(key="k", title="t", bars=[Bar(question, [3], ["3"])])))
    assert [span.text for span in parsed.iter(f"{SVG}tspan")] == lines
    assert parsed.find(f"{SVG}g/{SVG}title").text == question  # the whole label on hover
