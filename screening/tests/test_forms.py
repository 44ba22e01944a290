import pytest

from accounts.tests.factories import CompanyFactory
from screening.forms import NoteForm, ResponseFilterForm, ResponseStatusForm
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


def test_empty_filter_is_valid_and_sorts_newest_first(company):
    form = ResponseFilterForm({}, company=company)
    assert form.is_valid()
    assert form.cleaned_data == {
        "vacancy": None,
        "status": "",
        "screening": "",
        "min_score": None,
        "tag": None,
        "sort": "-date",
    }


def test_filter_normalises_its_values(company):
    vacancy = VacancyFactory(company=company)
    form = ResponseFilterForm(
        {
            "vacancy": str(vacancy.pk),
            "status": "shortlisted",
            "screening": "passed",
            "min_score": " 70 ",
            "sort": "-ai_score",
        },
        company=company,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "vacancy": vacancy,
        "status": "shortlisted",
        "screening": "passed",
        "min_score": 70,
        "tag": None,
        "sort": "-ai_score",
    }


def test_the_screening_filter_takes_only_the_screenings_verdicts(company):
    for value in ("shortlisted", "in_chat", "nonsense"):
        form = ResponseFilterForm({"screening": value}, company=company)
        assert not form.is_valid() and form.errors["screening"] == ["Unknown screening outcome."]


def test_filter_offers_only_the_companys_vacancies(company):
    mine = VacancyFactory(company=company, title="Mine")
    VacancyFactory(company=CompanyFactory(), title="Theirs")
    form = ResponseFilterForm({}, company=company)
    assert list(form.fields["vacancy"].queryset) == [mine]


def test_filter_refuses_a_vacancy_of_another_company(company):
    foreign = VacancyFactory(company=CompanyFactory())
    form = ResponseFilterForm({"vacancy": str(foreign.pk)}, company=company)
    assert not form.is_valid()
    assert form.errors["vacancy"] == ["Unknown vacancy."]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"vacancy": "abc"}, "vacancy"),
        ({"vacancy": "999999"}, "vacancy"),
        ({"status": "bogus"}, "status"),
        ({"min_score": "abc"}, "min_score"),
        ({"min_score": "101"}, "min_score"),
        ({"min_score": "-1"}, "min_score"),
        ({"min_score": "4.5"}, "min_score"),
        ({"sort": "password"}, "sort"),
    ],
)
def test_filter_reports_invalid_input_on_its_field(company, data, field):
    form = ResponseFilterForm(data, company=company)
    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_status_form_offers_only_decision_statuses():
    values = [value for value, _label in ResponseStatusForm().fields["status"].choices if value]
    assert values == ["shortlisted", "interview", "offer", "hired", "declined", "withdrawn"]


@pytest.mark.parametrize("status", ["", "passed", "rejected", "new", "in_chat", "bogus"])
def test_status_form_refuses_statuses_not_set_by_hand(status):
    form = ResponseStatusForm({"status": status, "comment": ""})
    assert not form.is_valid()
    assert "status" in form.errors


def test_status_form_comment_is_optional_and_bounded():
    assert ResponseStatusForm({"status": "interview"}).is_valid()
    assert not ResponseStatusForm({"status": "interview", "comment": "x" * 2001}).is_valid()


def test_note_form_needs_text():
    assert not NoteForm({"text": "   "}).is_valid()
    form = NoteForm({"text": "  Call on Monday  "})
    assert form.is_valid()
    assert form.cleaned_data["text"] == "Call on Monday"
