"""Questions from the candidate (``screening.reading.asked``), table by table, in English and Russian (issue 12).

Pure functions: is a message a question or an answer, which passage answers it and what is quoted, and when
nothing does ("I don't know").
"""

import pytest

from screening.reading.asked import (
    MAX_QUOTE_CHARS,
    SOURCE_COMPANY_ANSWER,
    SOURCE_VACANCY,
    Passage,
    find_answer,
    is_question,
    rank_passages,
    vacancy_passages,
)
from screening.reading.topics import read_topics, satisfies, stem, words_of

# --- question or answer ------------------------------------------------------------------------------------------

QUESTIONS = [
    # The examples.
    "What is the salary?", "Можно удалённо?", "Where is the office?", "Какой график?", "сколько платят",
    "is there a dress code?",
    # English.
    "What's the salary range?", "How much do you pay?", "How many vacation days do you give?",
    "Can I work from home?", "Do you offer health insurance?", "Is it full-time?", "Are there any bonuses?",
    "Where is your office located", "What are the working hours?", "When does the working day start?",
    "Which city is the office in?", "Will I get a laptop?", "Is relocation possible?", "Why?", "Salary?",
    "Benefits?", "Remote work possible?", "Hello! What is the salary?", "Sorry, where is the office?",
    "By the way, is there a dress code?", "I have a question: what is the schedule?", "Tell me about the team",
    "Could you tell me the salary", "I'd like to know the salary", "And remote?", "Any benefits?",
    "what is the salary", "How big is the team?",
    # Russian.
    "Какая зарплата?", "какая зарплата", "Сколько платят?", "Сколько?", "Где офис?", "Где находится офис",
    "Есть ли ДМС?", "есть ли дмс", "Есть ДМС?", "Можно ли работать удалённо?", "Нужно ходить в офис?",
    "Какой график работы", "Когда начинается рабочий день?", "Зарплата?", "А удалёнка?", "А зарплата какая?",
    "Офис в центре?", "Удалённая работа возможна?", "Подскажите, пожалуйста, какой график?",
    "Подскажите какой график", "Здравствуйте! Какая зарплата?", "У меня вопрос: какая зарплата?",
    "У меня есть вопрос, можно удалённо?", "Расскажите про офис", "Интересует зарплата", "Что по зарплате?",
    "что по зп", "Как у вас с удалёнкой", "Будет ли премия?", "Официальное трудоустройство?",
    "Хочу узнать про график", "Сколько дней отпуска?", "Почему так мало?",
]  # fmt: skip

ANSWERS = [
    # The examples.
    "yes", "5 years", "Москва", "не уверен", "no problem", "Нет вопросов, могу", "да?", "5?", "maybe?",
    # Plain answers, idioms and hedges, with or without a question mark.
    "Yes", "No", "Yes?", "нет", "Нет?", "Да, могу", "Конечно", "ok", "Why not?", "Why not", "Почему бы и нет",
    "Почему бы и нет?", "No problem?", "Нет проблем", "Не против", "maybe", "может быть?", "Возможно?",
    "Не знаю", "Не знаю, смогу ли", "I'm not sure", "It depends", "Of course", "Of course not",
    # Numbers.
    "5", "400k", "400k?", "около 300 тысяч?", "2-3 года", "300 000 ₽", "since 2019", "How about 300k?",
    "What about 300k?",
    # Choices.
    "Moscow", "Москва?", "Москва или Питер?", "Remote?", "Hybrid?", "Удалённо", "Django, PostgreSQL",
    "Full-time?", "Питер",
    # Statements opened by a question word.
    "Сколько угодно", "Когда угодно", "Где угодно", "Как скажете", "Как правило, да", "Когда как",
    "Что-то около 5 лет", "Что касается опыта, 5 лет", "Где-то 3 года", "Как-то так", "Чем больше, тем лучше",
    "What I did was a billing system", "When I was at Yandex, I led a team", "Where I live there is no office",
    "How I solved it: a queue", "Can do", "Could be", "Is fine", "Did it last year", "Have a nice day",
    # Answers with a question attached, and questions after something said: kept as answers.
    "I have 5 years. What is the salary?", "Ok, where is the office?", "Да, могу. А какая зарплата?",
    "5 лет, а какая зарплата?", "Yes, is there a bonus?", "Я из Москвы, где офис?", "Я из Москвы где офис?",
    "Конечно, что за вопрос", "I'm not sure, what do you mean?",
    # Nothing asked.
    "", "   ", "?", "👍", "Hello", "Здравствуйте", "I have a question", "Thanks!",
    "I built a billing system in Django with PostgreSQL, and it handled a million payments a day.",
]  # fmt: skip


@pytest.mark.parametrize("text", QUESTIONS)
def test_a_question_to_the_bot_is_recognised(text):
    assert is_question(text) is True


@pytest.mark.parametrize("text", ANSWERS)
def test_an_answer_is_not_taken_for_a_question(text):
    assert is_question(text) is False


def test_a_very_long_message_is_an_answer_even_when_it_ends_with_a_question():
    assert is_question("I built many things. " * 40 + "What is the salary?") is False


def test_is_question_never_raises_on_odd_input():
    for text in (None, 5, "???", "…", "-", "\n\n", "a" * 10_000, "<<<END>>>?"):
        assert is_question(text) in (True, False)


# --- topics ------------------------------------------------------------------------------------------------------

TOPICS = [
    ("What is the salary?", {"salary"}), ("зп какая", {"salary"}), ("Какой оклад?", {"salary"}),
    ("Сколько платят", {"salary"}), ("Какой доход?", {"salary"}), ("Можно на удалёнке?", {"remote"}),
    ("Можно удаленно?", {"remote"}), ("work from home", {"remote"}), ("из дома", {"remote"}),
    ("Где находится офис?", {"location"}), ("адрес офиса", {"location"}), ("office address", {"location"}),
    ("Какой график?", {"schedule"}), ("смены", {"schedule"}), ("выходные", {"schedule"}),
    ("working hours", {"schedule"}), ("ДМС", {"insurance"}), ("страховка", {"insurance"}),
    ("отпуск", {"vacation"}), ("Is it full-time?", {"employment"}), ("Официальное трудоустройство?", {"employment"}),
    ("benefits", {"benefits"}), ("Какие льготы?", {"benefits"}), ("dress code", {"dress_code"}),
    ("дресс-код", {"dress_code"}), ("релокация", {"relocation"}), ("командировки", {"travel"}),
    # Phrases that look like a topic and are not.
    ("We pay attention to quality", set()), ("Of course", set()),
]  # fmt: skip


@pytest.mark.parametrize(("text", "topics"), TOPICS)
def test_topics_are_read_in_both_languages_with_word_forms(text, topics):
    assert set(read_topics(words_of(text)).strong) == topics


def test_a_question_about_benefits_is_answered_by_any_benefit_and_not_the_other_way_round():
    assert satisfies("benefits", {"insurance"})
    assert not satisfies("insurance", {"benefits"})
    assert not satisfies("insurance", {"vacation"})


@pytest.mark.parametrize(("a", "b"), [("парковка", "парковку"), ("offices", "office"), ("parking", "parks")])
def test_word_forms_share_a_stem(a, b):
    assert stem(a) == stem(b)


# --- passages of a vacancy ---------------------------------------------------------------------------------------

DESCRIPTION = """We are building a recruiting platform used by hundreds of companies. You will design APIs, \
background jobs and real-time features together with a small, friendly team.

We offer:
- Health insurance (ДМС) from the first month
- 28 days of paid vacation
- A MacBook Pro and a second monitor
- Courses and conferences paid by the company

Schedule: Monday to Friday, 10:00-19:00, flexible start. We pay attention to code quality."""

VACANCY = vacancy_passages(
    title="Python developer",
    description=DESCRIPTION,
    requirements="3+ years of Python\nDjango and PostgreSQL\nGood written English",
    location="Moscow or Saint Petersburg (hybrid)",
    salary_text="250,000 – 350,000 RUB",
    employment_type_text="Full-time",
)
REMOTE = "Yes: up to three days a week from home; the rest in the office."
OFFICE = "Москва, ул. Тверская, 7, пять минут от метро «Тверская»."
PARKING = "Free parking for employees in the building's garage."
HOURS = "С понедельника по пятницу, с 10 до 19, начало можно сдвинуть на час."
COMPANY = [
    Passage(SOURCE_COMPANY_ANSWER, "Can I work remotely?", REMOTE),
    Passage(SOURCE_COMPANY_ANSWER, "Где находится офис?", OFFICE),
    Passage(SOURCE_COMPANY_ANSWER, "Is there parking?", PARKING),
    Passage(SOURCE_COMPANY_ANSWER, "Какой график?", HOURS),
]
PASSAGES = VACANCY + COMPANY


def test_a_vacancy_becomes_short_tagged_passages_then_its_sections_then_its_requirements():
    assert [(p.title, p.text) for p in VACANCY[:3]] == [
        ("Salary", "Salary: 250,000 – 350,000 RUB"),
        ("Location", "Location: Moscow or Saint Petersburg (hybrid)"),
        ("Employment type", "Employment type: Full-time"),
    ]
    assert [sorted(p.topics) for p in VACANCY[:3]] == [["salary"], ["location"], ["employment"]]
    assert [p.title for p in VACANCY[3:]] == ["Python developer", "We offer", "Python developer", "Requirements"]
    assert VACANCY[4].text.startswith("We offer:\n- Health insurance") and VACANCY[4].text.endswith("the company")
    assert all(p.source == SOURCE_VACANCY for p in VACANCY)


def test_a_vacancy_without_salary_location_or_text_gives_only_what_is_set():
    passages = vacancy_passages(
        title="X", description="", requirements="", location="", salary_text="", employment_type_text="Contract"
    )
    assert [p.text for p in passages] == ["Employment type: Contract"]


def test_markdown_and_bold_headings_open_sections():
    passages = vacancy_passages(
        title="Менеджер",
        description="## Условия\nДМС, 28 дней отпуска\n\n**Обязанности:**\nзвонки клиентам\n\nПросто абзац.",
        requirements="",
        location="",
        salary_text="",
        employment_type_text="",
    )
    assert [(p.title, p.text) for p in passages] == [
        ("Условия", "## Условия\nДМС, 28 дней отпуска"),
        ("Обязанности", "**Обязанности:**\nзвонки клиентам"),
        ("Менеджер", "Просто абзац."),
    ]


# --- found: the passage and the quote ----------------------------------------------------------------------------

FOUND = [
    # (question, the passage's title, the quote)
    ("What is the salary?", "Salary", "Salary: 250,000 – 350,000 RUB"),
    ("Сколько платят?", "Salary", "Salary: 250,000 – 350,000 RUB"),
    ("зп какая", "Salary", "Salary: 250,000 – 350,000 RUB"),
    ("Какой оклад?", "Salary", "Salary: 250,000 – 350,000 RUB"),
    ("Сколько?", "Salary", "Salary: 250,000 – 350,000 RUB"),
    ("What is the salary before taxes?", "Salary", "Salary: 250,000 – 350,000 RUB"),
    ("Можно удалённо?", "Can I work remotely?", REMOTE),
    ("Can I work from home?", "Can I work remotely?", REMOTE),
    ("Is remote work possible?", "Can I work remotely?", REMOTE),
    ("Where is the office?", "Location", "Location: Moscow or Saint Petersburg (hybrid)"),
    ("Is the office in Moscow?", "Location", "Location: Moscow or Saint Petersburg (hybrid)"),
    ("Где офис?", "Где находится офис?", OFFICE),
    ("Как добраться до офиса?", "Где находится офис?", OFFICE),
    ("Какой график?", "Какой график?", HOURS),
    ("Какие выходные?", "Какой график?", HOURS),
    ("What are the working hours?", "Python developer", "Schedule: Monday to Friday, 10:00-19:00, flexible start."),
    ("Is there health insurance?", "We offer", "Health insurance (ДМС) from the first month"),
    ("Есть ли ДМС?", "We offer", "Health insurance (ДМС) from the first month"),
    ("How many vacation days?", "We offer", "28 days of paid vacation"),
    ("Do you give a laptop?", "We offer", "A MacBook Pro and a second monitor"),
    ("Are there courses?", "We offer", "Courses and conferences paid by the company"),
    ("Is it full-time?", "Employment type", "Employment type: Full-time"),
    ("Официальное трудоустройство?", "Employment type", "Employment type: Full-time"),
    ("Do I need English?", "Requirements", "Good written English"),
    ("What skills do I need?", "Requirements", "3+ years of Python\nDjango and PostgreSQL\nGood written English"),
    ("What will I do?", "Python developer",
     "You will design APIs, background jobs and real-time features together with a small, friendly team."),
    ("Where can I park?", "Is there parking?", PARKING),
    ("Is there parking for employees?", "Is there parking?", PARKING),
]  # fmt: skip


@pytest.mark.parametrize(("question", "title", "quote"), FOUND)
def test_the_answer_is_found_and_quoted(question, title, quote):
    found = find_answer(question, PASSAGES)
    assert found is not None, question
    assert (found.passage.title, found.quote) == (title, quote)
    assert found.quote in found.passage.text


def test_a_question_about_benefits_quotes_the_whole_list():
    found = find_answer("What benefits do you offer?", PASSAGES)
    assert found.passage.title == "We offer"
    assert found.quote == VACANCY[4].text


NOT_FOUND = [
    # Topics nothing speaks of.
    "Is there a dress code?", "Do you help with relocation?", "Есть ли релокация?", "Is there a bonus?",
    "Будет ли премия?", "Сколько длится испытательный срок?", "Are there business trips?",
    "When will I hear back?", "Какие этапы собеседования?", "Есть дресс-код?",
    # Something else named than the passage holds.
    "Is the office in Kazan?", "Офис в Казани?", "How big is the team?",
    "Какая зарплата на испытательном сроке?",
    # No topic, and no passage with its words.
    "Do you use Kubernetes?", "Есть ли парковка?", "What is your name?", "Are you a bot?", "How are you?",
    "Is there a kindergarten?", "Работаете по субботам?", "",
]  # fmt: skip


@pytest.mark.parametrize("question", NOT_FOUND)
def test_without_a_passage_that_answers_it_the_bot_does_not_know(question):
    assert find_answer(question, PASSAGES) is None


def test_nothing_is_found_among_no_passages():
    assert find_answer("What is the salary?", []) is None


def test_pay_attention_in_the_vacancy_text_is_not_a_salary():
    passages = vacancy_passages(
        title="Dev", description="We pay attention to code quality.", requirements="", location="",
        salary_text="", employment_type_text="",
    )  # fmt: skip
    assert find_answer("What is the salary?", passages) is None


def test_a_salary_in_the_vacancy_text_is_quoted_when_it_names_an_amount():
    passages = vacancy_passages(
        title="Dev", description="Great team.\n\nWe pay 300,000 RUB a month. Bonuses twice a year.",
        requirements="", location="", salary_text="", employment_type_text="",
    )  # fmt: skip
    assert find_answer("What's the pay?", passages).quote == "We pay 300,000 RUB a month."


def test_a_company_answer_wins_over_the_vacancy_text_when_both_answer_equally():
    passages = [
        Passage(SOURCE_VACANCY, "Dev", "Insurance: ДМС after the probation."),
        Passage(SOURCE_COMPANY_ANSWER, "Do you have health insurance?", "Yes, ДМС with dentistry after 3 months."),
    ]
    assert find_answer("Do you have health insurance?", passages).passage.source == SOURCE_COMPANY_ANSWER


def test_the_vacancys_own_salary_wins_over_a_general_company_answer():
    passages = [
        Passage(SOURCE_COMPANY_ANSWER, "What is the salary?", "The salary depends on the vacancy and the interview."),
        *vacancy_passages(title="Dev", description="", requirements="", location="", salary_text="200,000 RUB",
                          employment_type_text=""),
    ]  # fmt: skip
    assert find_answer("What is the salary?", passages).quote == "Salary: 200,000 RUB"


def test_an_answer_in_the_candidates_language_is_preferred():
    passages = [
        Passage(SOURCE_COMPANY_ANSWER, "Schedule", "Monday to Friday, 10 to 19."),
        Passage(SOURCE_COMPANY_ANSWER, "График", "С понедельника по пятницу, с 10 до 19."),
    ]
    assert find_answer("What is the schedule?", passages).passage.title == "Schedule"
    assert find_answer("Какой график?", passages).passage.title == "График"


def test_an_abbreviation_does_not_cut_a_quote():
    passages = [Passage(SOURCE_VACANCY, "Офис", "Офис: г. Москва, ул. Тверская, д. 7. Кофе бесплатно.")]
    assert find_answer("Где офис?", passages).quote == "Офис: г. Москва, ул. Тверская, д. 7."


def test_a_long_company_answer_is_quoted_by_its_answering_sentences_only():
    long_text = "We value people. " * 40 + "Parking is free for employees. " + "We value people. " * 5
    passages = [Passage(SOURCE_COMPANY_ANSWER, "About us", long_text)]
    found = find_answer("Is there parking?", passages)
    assert found.quote == "Parking is free for employees."
    assert len(found.quote) <= MAX_QUOTE_CHARS


def test_rank_passages_lists_every_answering_passage_best_first():
    ranked = rank_passages("Where is the office?", PASSAGES)
    assert [passage.title for passage, _score, _quote in ranked][:2] == ["Location", "Где находится офис?"]
    scores = [score for _passage, score, _quote in ranked]
    assert scores == sorted(scores, reverse=True)
