"""The question lint, table-driven: what it flags (and as which attribute), and what it leaves alone."""

import pytest
from django.utils import translation

from vacancies.question_lint import ATTRIBUTES, Finding, lint_messages, lint_question

FLAGGED = [
    # Age or date of birth.
    ("How old are you?", "age"),
    ("What is your AGE?", "age"),
    ("Date of birth?", "age"),
    ("Your DOB, please", "age"),
    ("When were you born?", "age"),
    ("Are you over 45?", "age"),
    ("What year did you graduate from high school?", "age"),
    ("Сколько вам лет?", "age"),
    ("Дата рождения?", "age"),
    ("Ваш возраст", "age"),
    ("Укажите год рождения", "age"),
    ("В каком году вы родились?", "age"),
    ("Вы пенсионер?", "age"),
    ("Вам есть 18 лет?", "age"),
    # Marital status.
    ("Are you married?", "marital_status"),
    ("What is your marital status?", "marital_status"),
    ("Does your spouse work?", "marital_status"),
    ("Вы замужем?", "marital_status"),
    ("Вы женаты?", "marital_status"),
    ("Семейное положение?", "marital_status"),
    ("Состоите ли вы в браке?", "marital_status"),
    ("Чем занимается ваш муж?", "marital_status"),
    # Children or pregnancy.
    ("Do you have children?", "children"),
    ("Do you have kids?", "children"),
    ("Are you pregnant?", "children"),
    ("Do you plan to start a family soon?", "children"),
    ("Есть ли у вас дети?", "children"),
    ("Планируете ли беременность?", "children"),
    ("Сколько лет вашему ребёнку?", "children"),
    ("Не собираетесь в декрет?", "children"),
    # Nationality or citizenship beyond the right to work.
    ("What is your nationality?", "nationality"),
    ("Are you a US citizen?", "nationality"),
    ("What is your native language?", "nationality"),
    ("What is your ethnicity?", "nationality"),
    ("Какое у вас гражданство?", "nationality"),
    ("Ваша национальность?", "nationality"),
    ("Вы гражданин РФ?", "nationality"),
    ("Откуда вы родом?", "nationality"),
    # Religion.
    ("Do you go to church?", "religion"),
    ("What is your religion?", "religion"),
    ("Do you pray during work hours?", "religion"),
    ("Какое у вас вероисповедание?", "religion"),
    ("Вы верующий?", "religion"),
    ("Вы ходите в мечеть?", "religion"),
    # Health or disability.
    ("Do you have a disability?", "health"),
    ("Any chronic illnesses?", "health"),
    ("How many sick days did you take last year?", "health"),
    ("Есть ли инвалидность?", "health"),
    ("Как ваше здоровье?", "health"),
    ("Есть ли хронические заболевания или болезни?", "health"),
    ("Часто ли вы на больничном?", "health"),
    # Union membership.
    ("Are you in a union?", "union"),
    ("Have you ever been a trade union member?", "union"),
    ("Состоите ли вы в профсоюзе?", "union"),
    # Appearance.
    ("Please attach a photo", "appearance"),
    ("What is your height and weight?", "appearance"),
    ("How tall are you?", "appearance"),
    ("Пришлите фото", "appearance"),
    ("Ваш рост и вес?", "appearance"),
    ("Приложите фотографию в полный рост", "appearance"),
    ("Сколько вы весите?", "appearance"),
    ("Есть ли у вас татуировки?", "appearance"),
]

NOT_FLAGGED = [
    "How many years of Python experience?",
    "Есть ли у вас право на работу в РФ?",
    "Are you legally allowed to work in Russia?",
    "Are you legally allowed to work in Germany?",
    "Do you need visa sponsorship to work in the UK?",
    "Есть ли у вас разрешение на работу?",
    "Готовы ли вы к командировкам?",
    "Do you have a driving licence?",
    "Сколько лет опыта коммерческой разработки?",
    "How would you fix a race condition?",
    "Have you worked with child processes in Node.js?",
    "Which pages of the site did you manage?",
    "What is your average page load budget?",
    "Have you worked with EU regulations of the European Union?",
    "Do you know SQL UNION and JOIN?",
    "Have you trained models and tuned model weights?",
    "Are you comfortable with CSS line height and layout?",
    "Can you lift weights up to 20 kg?",
    "Have you set up health checks in Kubernetes?",
    "Do you have product photos in your portfolio?",
    "Есть ли у вас медицинская книжка?",
    "Какой карьерный рост вы ожидаете?",
    "Как вы обеспечили рост продаж?",
    "Готовы ли поднимать груз до 20 кг?",
    "Готовы ли работать в Ростове-на-Дону?",
    "Какой у вас уровень английского?",
    "Какие ожидания по зарплате?",
    "Когда вы готовы выйти на работу?",
    "Удобен ли вам график 5/2?",
    "Есть ли опыт работы с 1С?",
    "What motivates you at work?",
    "Are you willing to relocate?",
    "Do you have a valid passport for business trips?",
    "Do you have experience working with children?",
    "Есть ли опыт работы с детьми?",
    "Вес посылок до 5 кг: справитесь?",
    "",
]


@pytest.mark.parametrize(("text", "attribute"), FLAGGED)
def test_a_question_asking_for_a_protected_attribute_is_flagged_as_that_attribute(text, attribute):
    findings = lint_question(text)

    assert attribute in [finding.attribute for finding in findings], findings
    assert all(finding.words for finding in findings)


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_a_fair_question_is_not_flagged(text):
    assert lint_question(text) == []


@pytest.mark.parametrize(
    ("text", "attribute", "words"),
    [
        ("СКОЛЬКО ВАМ ЛЕТ???", "age", ("СКОЛЬКО ВАМ ЛЕТ",)),
        ("Планируете ли беременность?", "children", ("беременность",)),
        ("Планируете ли берЕменность", "children", ("берЕменность",)),
        ("Ваш   рост,   и вес?", "appearance", ("рост", "вес")),
        ("Есть ли у вас ребёнок?", "children", ("ребёнок",)),
        ("Есть ли у вас ребенок?", "children", ("ребенок",)),
        ("Ваш вoзраст?", "age", ("вoзраст",)),  # a Latin "o" inside a Cyrillic word
        ("Date-of-birth:", "age", ("Date-of-birth",)),
    ],
)
def test_case_yo_punctuation_and_lookalike_letters_do_not_hide_an_attribute_and_words_are_as_written(
    text, attribute, words
):
    (finding,) = [finding for finding in lint_question(text) if finding.attribute == attribute]

    assert finding.words == words


def test_a_choice_option_asks_too():
    findings = lint_question("Which describes you?", options=["Single", "Married", "Divorced"])

    assert [finding.attribute for finding in findings] == ["marital_status"]
    assert findings[0].words == ("Married", "Divorced")


def test_a_question_asking_several_things_gets_one_finding_per_attribute_in_table_order():
    findings = lint_question("Your age, nationality and religion?")

    assert [finding.attribute for finding in findings] == ["age", "nationality", "religion"]


def test_each_attribute_has_a_message_in_the_active_language_and_a_json_shape():
    for attribute in ATTRIBUTES:
        finding = Finding(attribute=attribute, words=("x",))
        assert finding.message
        assert finding.as_dict() == {"attribute": attribute, "words": ["x"], "message": finding.message}
    with translation.override("en"):
        assert lint_messages(lint_question("How old are you?")) == ["Asks about age or date of birth. (“How old”)"]


def test_odd_input_is_read_as_text_and_never_raises():
    assert lint_question(None) == []
    assert lint_question("12345", options=[None, 3]) == []
