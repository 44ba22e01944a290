"""The bulk actions bar of the responses table and a bulk action's progress page, tried by every persona:
ticked rows, "every response matching" across pages, the progress numbers, failures shown, the export download."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.tests.factories import CompanyFactory
from screening.models import BulkAction, Response, StatusChange, Tag
from screening.services.exports import export_file
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("screening:list")
BULK_URL = reverse("screening:bulk")


@pytest.fixture
def vacancy(company, owner):
    return VacancyFactory(company=company, created_by=owner, title="Backend engineer")


@pytest.fixture
def other_vacancy(company, owner):
    return VacancyFactory(company=company, created_by=owner, title="Designer")


def _post(client, capture, data):
    with capture(execute=True):
        return client.post(BULK_URL, data)


def test_declining_thirty_matching_responses_across_pages_changes_those_only(
    recruiter_client, recruiter, vacancy, other_vacancy, django_capture_on_commit_callbacks
):
    matching = [ResponseFactory(vacancy=vacancy, status="needs_review") for _ in range(30)]
    other_status = ResponseFactory(vacancy=vacancy, status="passed")
    other_job = ResponseFactory(vacancy=other_vacancy, status="needs_review")
    filters = urlencode({"vacancy": vacancy.pk, "status": "needs_review"})
    page = recruiter_client.get(f"{LIST_URL}?{filters}").content.decode()
    assert "every response matching the filters, on every page: 30" in page and 'name="ids"' in page

    answer = _post(
        recruiter_client,
        django_capture_on_commit_callbacks,
        {"kind": "status", "status": "declined", "scope": "matching", "filters": filters, "comment": "Not now"},
    )

    action = BulkAction.objects.get()
    assert answer.status_code == 302 and answer["Location"].startswith(
        reverse("screening:bulk_action", args=[action.pk])
    )
    assert (action.state, action.total, action.done, action.failed) == ("finished", 30, 30, 0)
    assert Response.objects.filter(pk__in=[r.pk for r in matching], status="declined").count() == 30
    assert StatusChange.objects.filter(to_status="declined").count() == 30
    for untouched in (other_status, other_job):
        untouched.refresh_from_db()
        assert untouched.status != "declined"
    assert AuditEntry.objects.filter(target=f"bulk_action:{action.pk}").count() == 1
    assert not AuditEntry.objects.filter(action="status_changed").exists()  # none per response


def test_ticked_rows_only_are_tagged(recruiter_client, vacancy, company, django_capture_on_commit_callbacks):
    responses = [ResponseFactory(vacancy=vacancy) for _ in range(4)]
    _post(
        recruiter_client,
        django_capture_on_commit_callbacks,
        {"kind": "tag", "tag": "Call back", "scope": "selected", "ids": [responses[0].pk, responses[2].pk]},
    )
    tag = Tag.objects.get(company=company)
    assert set(tag.responses.values_list("pk", flat=True)) == {responses[0].pk, responses[2].pk}


def test_the_progress_page_shows_the_numbers_and_each_failure(
    recruiter_client, vacancy, django_capture_on_commit_callbacks
):
    responses = [ResponseFactory(vacancy=vacancy, status="needs_review") for _ in range(3)]
    Response.objects.filter(pk=responses[1].pk).update(status="shortlisted", full_name="Already Shortlisted")
    answer = _post(
        recruiter_client,
        django_capture_on_commit_callbacks,
        {"kind": "status", "status": "shortlisted", "scope": "selected", "ids": [r.pk for r in responses]},
    )
    page = recruiter_client.get(answer["Location"]).content.decode()
    assert 'data-done="2"' in page and 'data-failed="1"' in page and 'data-total="3"' in page
    assert '<progress max="3" value="3"' in page
    assert "Already Shortlisted" in page and "already has this status" in page
    assert "every 1s" not in page  # finished: no more polling


def test_a_running_action_polls_its_progress_block(recruiter_client, recruiter, company, vacancy):
    action = BulkAction.objects.create(
        company=company, user=recruiter, kind="reevaluate", state="running", total=10, done=4
    )
    page = recruiter_client.get(reverse("screening:bulk_action", args=[action.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and '<progress max="10" value="4"' in page
    block = recruiter_client.get(reverse("screening:bulk_action", args=[action.pk]), headers={"HX-Request": "true"})
    assert (
        block.content.decode().lstrip().startswith('<div id="bulk-progress"')
        or 'id="bulk-progress"' in block.content.decode()
    )
    assert "<html" not in block.content.decode()


def test_viewer_sees_no_bulk_bar_and_gets_403_and_nothing_changes(viewer_client, vacancy):
    response = ResponseFactory(vacancy=vacancy, status="needs_review")
    assert 'id="bulk-form"' not in viewer_client.get(LIST_URL).content.decode()
    answer = viewer_client.post(BULK_URL, {"kind": "status", "status": "declined", "ids": [response.pk]})
    assert answer.status_code == 403
    response.refresh_from_db()
    assert response.status == "needs_review" and not BulkAction.objects.exists()


def test_outsiders_ids_are_not_acted_on(outsider_client, vacancy, django_capture_on_commit_callbacks):
    response = ResponseFactory(vacancy=vacancy, status="needs_review")
    _post(
        outsider_client,
        django_capture_on_commit_callbacks,
        {"kind": "status", "status": "declined", "scope": "selected", "ids": [response.pk]},
    )
    response.refresh_from_db()
    assert response.status == "needs_review" and not BulkAction.objects.exists()


def test_outsider_gets_404_for_a_bulk_action_and_its_download(outsider_client, recruiter, company):
    action = BulkAction.objects.create(company=company, user=recruiter, kind="export", result={"file": "x.csv"})
    assert outsider_client.get(reverse("screening:bulk_action", args=[action.pk])).status_code == 404
    assert outsider_client.get(reverse("screening:bulk_download", args=[action.pk])).status_code == 404


def test_erase_is_offered_to_the_owner_only_and_refused_to_a_recruiter(recruiter_client, vacancy):
    response = ResponseFactory(vacancy=vacancy)
    assert 'value="erase"' not in recruiter_client.get(LIST_URL).content.decode()
    answer = recruiter_client.post(BULK_URL, {"kind": "erase", "confirm": "on", "ids": [response.pk]})
    assert answer.status_code == 403
    response.refresh_from_db()
    assert not response.is_erased


def test_owner_erases_after_ticking_i_understand(owner_client, vacancy, django_capture_on_commit_callbacks):
    response = ResponseFactory(vacancy=vacancy)
    assert 'value="erase"' in owner_client.get(LIST_URL).content.decode()
    owner_client.post(BULK_URL, {"kind": "erase", "ids": [response.pk]})  # not confirmed
    response.refresh_from_db()
    assert not response.is_erased and not BulkAction.objects.exists()
    _post(owner_client, django_capture_on_commit_callbacks, {"kind": "erase", "confirm": "on", "ids": [response.pk]})
    response.refresh_from_db()
    assert response.is_erased


def test_broken_filters_for_every_matching_response_start_nothing(recruiter_client, vacancy):
    ResponseFactory(vacancy=vacancy)
    foreign = VacancyFactory(company=CompanyFactory())
    answer = recruiter_client.post(
        BULK_URL, {"kind": "reevaluate", "scope": "matching", "filters": f"vacancy={foreign.pk}"}, follow=True
    )
    assert "not valid" in answer.content.decode()
    assert not BulkAction.objects.exists()


def test_nothing_selected_is_a_message_not_an_action(recruiter_client, vacancy):
    answer = recruiter_client.post(BULK_URL, {"kind": "reevaluate", "scope": "selected"}, follow=True)
    assert "Select at least one response." in answer.content.decode()
    assert not BulkAction.objects.exists()


def test_a_member_downloads_the_export_file(viewer_client, recruiter, company, vacancy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = ResponseFactory(vacancy=vacancy, full_name="Exported Person")
    name = export_file(company=company, response_ids=[response.pk], fmt="csv", user=recruiter)
    action = BulkAction.objects.create(
        company=company, user=recruiter, kind="export", state="finished", result={"file": name}
    )
    answer = viewer_client.get(reverse("screening:bulk_download", args=[action.pk]))
    assert answer.status_code == 200 and "Exported Person" in b"".join(answer.streaming_content).decode("utf-8-sig")


def test_bulk_export_makes_a_file_to_download(
    recruiter_client, vacancy, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    responses = [ResponseFactory(vacancy=vacancy) for _ in range(3)]
    answer = _post(
        recruiter_client,
        django_capture_on_commit_callbacks,
        {"kind": "export", "format": "csv", "scope": "selected", "ids": [r.pk for r in responses]},
    )
    action = BulkAction.objects.get()
    assert (action.state, action.done) == ("finished", 3), action.error
    page = recruiter_client.get(answer["Location"]).content.decode()
    download = reverse("screening:bulk_download", args=[action.pk])
    assert download in page
    file = recruiter_client.get(download)
    body = b"".join(file.streaming_content).decode("utf-8-sig")
    assert all(r.full_name in body for r in responses)
    # The export's own entry (export_file), and no second one for the action.
    assert AuditEntry.objects.filter(action__in=["export", "bulk_action"]).count() == 1
    assert AuditEntry.objects.get(action="export").details["count"] == 3
