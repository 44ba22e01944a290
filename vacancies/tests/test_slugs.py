"""Addresses from names: one transliteration (unidecode) for companies and vacancies alike."""

import pytest

from accounts.services import company_signup
from accounts.slugs import slug_from_text
from vacancies.services import vacancy_save, vacancy_slug_for
from vacancies.tests.factories import VacancyFactory


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("ООО «Ромашка»", "ooo-romashka"),
        ("Разработчик Python — senior", "razrabotchik-python-senior"),
        ("Щука, ёж и подъезд", "shchuka-iozh-i-podezd"),
        ("Acme Rockets, Inc.", "acme-rockets-inc"),
        ("Café Größe", "cafe-grosse"),
        ("!!!", "fallback"),
        ("", "fallback"),
    ],
)
def test_slug_from_text_transliterates_and_falls_back(text, slug):
    assert slug_from_text(text, max_length=50, default="fallback") == slug


def test_slug_from_text_is_cut_without_a_trailing_hyphen():
    assert slug_from_text("Ромашка Лютик", max_length=9, default="x") == "romashka"


@pytest.mark.django_db
def test_a_cyrillic_company_name_gets_a_transliterated_careers_address():
    owner = company_signup(
        company_name="ООО Ромашка",
        first_name="Olga",
        last_name="Ivanova",
        email="olga@romashka.test",
        password="tps-reports-2026",
    )
    assert owner.company.slug == "ooo-romashka"


@pytest.mark.django_db
def test_a_cyrillic_vacancy_title_gets_the_same_transliteration(company, owner):
    vacancy = vacancy_save(vacancy=None, company=company, user=owner, data={"title": "Разработчик Python"})
    assert vacancy.slug == "razrabotchik-python"
    VacancyFactory(company=company, slug="ooo-romashka")
    assert vacancy_slug_for(company=company, title="ООО Ромашка") == "ooo-romashka-2"
