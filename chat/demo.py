"""The demo's people and data (``manage.py load_demo``): the company's team, its vacancies with their screening
scripts, the company's answers, the applicants with their answers and the recruiters' decisions, and the interview
slots offered on the Python vacancy."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Role

COMPANY_SLUG = "demo"
DEMO_PASSWORD = "smartbot-demo"  # noqa: S105 - a published demo login, printed on purpose
TEAM = [
    ("owner@demo.smartbot", "Olga", "Orlova", Role.OWNER),
    ("recruiter@demo.smartbot", "Roman", "Romanov", Role.RECRUITER),
    ("viewer@demo.smartbot", "Vera", "Volkova", Role.VIEWER),
]


def q(text, kind, *, options=(), knockout="", value="", allowed=(), weight=1, required=True, review="", unit=""):
    return {
        "text": text,
        "kind": kind,
        "options": list(options),
        "knockout": knockout,
        "knockout_value": value,
        "allowed_options": list(allowed),
        "review_value": review,
        "unit": unit,
        "weight": weight,
        "required": required,
    }


VACANCIES = [
    {
        "data": {
            "title": "Python developer (Django)",
            "slug": "python-developer",
            "description": (
                "We are building a recruiting platform used by hundreds of companies. You will design APIs, "
                "background jobs and real-time features together with a small, friendly team."
            ),
            "requirements": (
                "3+ years of Python\nDjango and PostgreSQL\nCelery or another task queue\nGood written English"
            ),
            "location": "Moscow or Saint Petersburg (hybrid)",
            "salary_from": 250000,
            "salary_to": 350000,
            "salary_currency": "RUB",
            "employment_type": "full_time",
            "pass_threshold": 75,
            "show_outcome": True,
            "language": "en",
        },
        "questions": [
            q(
                "Which city do you live in?",
                "single_choice",
                options=["Moscow", "Saint Petersburg", "Kazan", "Other"],
                knockout="one_of",
                allowed=["Moscow", "Saint Petersburg"],
            ),
            q(
                "How many years of commercial Python experience do you have?",
                "number",
                knockout="at_least",
                value="2",
                review="1",  # 1 to 2 years: a person decides
                unit="years",
                weight=2,
            ),
            q("Are you legally allowed to work in Russia?", "yes_no", knockout="must_equal", value="yes"),
            q(
                "Which of these have you used in production?",
                "multiple_choice",
                options=["Django", "PostgreSQL", "Celery", "Redis", "React"],
                knockout="one_of",
                allowed=["Django", "PostgreSQL", "Celery"],
                weight=2,
            ),
            q(
                "What monthly salary do you expect, in roubles?",
                "number",
                knockout="at_most",
                value="350000",
                unit="money_month",
            ),
            q("Tell us about a project you are proud of.", "text", weight=2),
        ],
    },
    {
        "data": {
            "title": "Менеджер по продажам B2B",
            "slug": "menedzher-po-prodazham",
            "description": (
                "Ищем менеджера, который будет продавать нашу платформу компаниям: от первого звонка до "
                "подписания договора."
            ),
            "requirements": "Опыт B2B-продаж от 1 года\nРабота с CRM\nГотовность к командировкам",
            "location": "Москва",
            "salary_from": 120000,
            "salary_to": 200000,
            "salary_currency": "RUB",
            "employment_type": "full_time",
            "pass_threshold": 70,
            "show_outcome": False,
            "language": "ru",
        },
        "questions": [
            q(
                "В каком городе вы живёте?",
                "single_choice",
                options=["Москва", "Санкт-Петербург", "Казань", "Другой"],
                knockout="one_of",
                allowed=["Москва"],
            ),
            q(
                "Сколько лет у вас опыта в B2B-продажах?",
                "number",
                knockout="at_least",
                value="1",
                unit="years",
                weight=2,
            ),
            q("Готовы ли вы к командировкам?", "yes_no", knockout="must_equal", value="yes"),
            q(
                "С какими CRM вы работали?",
                "multiple_choice",
                options=["amoCRM", "Битрикс24", "Salesforce", "Не работал"],
                knockout="one_of",
                allowed=["amoCRM", "Битрикс24", "Salesforce"],
            ),
            q("Расскажите о самой сложной сделке, которую вы закрыли.", "text", weight=2),
        ],
    },
    # Two more vacancies for the demo at volume (chat/demo_volume.py): only generated applicants.
    {
        "data": {
            "title": "QA engineer",
            "slug": "qa-engineer",
            "description": (
                "Help us keep a real-time product reliable: test plans, automated tests in pytest and Playwright, "
                "and a say in how we release."
            ),
            "requirements": "1+ year in testing\nAutomated tests in Python\nSQL basics",
            "location": "Kazan or remote",
            "salary_from": 150000,
            "salary_to": 220000,
            "salary_currency": "RUB",
            "employment_type": "full_time",
            "pass_threshold": 70,
            "show_outcome": True,
            "language": "en",
        },
        "questions": [
            q(
                "Where would you work from?",
                "single_choice",
                options=["Kazan", "Remote in Russia", "Abroad"],
                knockout="one_of",
                allowed=["Kazan", "Remote in Russia"],
            ),
            q(
                "How many years have you worked in testing?",
                "number",
                knockout="at_least",
                value="1",
                unit="years",
                weight=2,
            ),
            q("Have you written automated tests yourself?", "yes_no", knockout="must_equal", value="yes"),
            q(
                "Which tools have you used?",
                "multiple_choice",
                options=["pytest", "Playwright", "Selenium", "Postman", "None of these"],
                knockout="one_of",
                allowed=["pytest", "Playwright", "Selenium"],
                weight=2,
            ),
            q("Describe a bug you are proud of finding.", "text", weight=2),
        ],
    },
    {
        "data": {
            "title": "Оператор контакт-центра",
            "slug": "operator-kontakt-centra",
            "description": "Отвечать клиентам по телефону и в чате, помогать им разобраться с платформой.",
            "requirements": "Грамотная речь\nГотовность к сменному графику\nУверенный пользователь ПК",
            "location": "Москва, удалённо",
            "salary_from": 60000,
            "salary_to": 90000,
            "salary_currency": "RUB",
            "employment_type": "full_time",
            "pass_threshold": 60,
            "show_outcome": False,
            "language": "ru",
        },
        "questions": [
            q(
                "Откуда вы будете работать?",
                "single_choice",
                options=["Москва", "Московская область", "Другой регион"],
                knockout="one_of",
                allowed=["Москва", "Московская область"],
            ),
            q("Готовы работать по сменам, включая выходные?", "yes_no", knockout="must_equal", value="yes"),
            q(
                "Сколько часов в день вы готовы работать?",
                "number",
                knockout="at_least",
                value="6",
            ),
            q(
                "Какими каналами связи вы уже работали с клиентами?",
                "multiple_choice",
                options=["Телефон", "Чат", "Почта", "Не работал"],
                knockout="one_of",
                allowed=["Телефон", "Чат", "Почта"],
            ),
            q("Почему вы хотите работать у нас?", "text", weight=2),
        ],
    },
]

# The company's answers to what candidates ask the bot (beside each vacancy's own text).
COMPANY_ANSWERS = [
    ("Can I work remotely?", "Yes, hybrid: up to three days a week from home, the rest in the office."),
    ("Where is the office?", "Moscow: 7 Tverskaya Street. Saint Petersburg: 12 Nevsky Prospekt."),
    ("Можно работать удалённо?", "Да, гибридный формат: до трёх дней в неделю из дома, остальные — в офисе."),
    ("Какие льготы?", "ДМС со стоматологией с первого месяца, 28 дней отпуска, оплата курсов и конференций."),
    ("Какой график работы?", "Пятидневка, с 10:00 до 19:00, начало можно сдвинуть на час."),
]


@dataclass
class Applicant:
    vacancy: str  # slug
    name: str
    email: str
    city: str
    # Raw answers in question order; a (wrong, right) pair shows the bot asking again.
    answers: list = field(default_factory=list)
    finish: bool = True
    decisions: list = field(default_factory=list)  # (status, actor email, comment)
    note: str = ""
    resume: str = ""
    days_ago: int = 1
    # Answered as the chat answers: a value not read literally (or failing, or in a review band) is read back and
    # confirmed; an answer unclear after the clarification goes to a person.
    read_back: bool = False
    # Questions the candidate asks the bot before the first answer (answered as the chat answers them).
    asked: list = field(default_factory=list)


GOOD_PROJECT = (
    "I led the rewrite of a logistics dispatch system from PHP to Django with Celery workers, "
    "cut the order processing time from minutes to seconds and mentored two junior developers."
)

APPLICANTS = [
    Applicant(
        "python-developer",
        "Anna Smirnova",
        "anna.smirnova@example.com",
        "Moscow",
        ["Moscow", "6 years", "yes", "Django, PostgreSQL, Celery, Redis", "300 000", GOOD_PROJECT],
        decisions=[
            ("shortlisted", "recruiter@demo.smartbot", "Strong background, matches the stack."),
            ("interview", "owner@demo.smartbot", "Technical interview on Thursday at 11:00."),
        ],
        note="Prefers a hybrid schedule; available in two weeks.",
        resume="Senior Python developer, 6 years. Django, DRF, PostgreSQL, Celery, Redis. Team lead of 3.",
        days_ago=6,
    ),
    Applicant(
        "python-developer",
        "Boris Kuznetsov",
        "boris.kuznetsov@example.com",
        "Saint Petersburg",
        [
            "2",
            ("a lot", "4"),
            "Yes, I am",
            "1, 2",
            "280000",
            "Built an internal analytics service on Django and PostgreSQL that the whole sales department uses daily.",
        ],
        resume="Python developer, 4 years. Django, PostgreSQL, a bit of React.",
        days_ago=5,
    ),
    Applicant(
        "python-developer",
        "Clara Novikova",
        "clara.novikova@example.com",
        "Moscow",
        ["Moscow", "3,5", "да", "Django, Celery", "320000", GOOD_PROJECT],
        decisions=[("shortlisted", "recruiter@demo.smartbot", "")],
        days_ago=4,
    ),
    Applicant(
        "python-developer",
        "Dmitry Orlov",
        "dmitry.orlov@example.com",
        "Kazan",
        ["Kazan", "5", "yes", "Django, PostgreSQL", "250000", GOOD_PROJECT],
        days_ago=4,
    ),
    Applicant(
        "python-developer",
        "Elena Popova",
        "elena.popova@example.com",
        "Moscow",
        ["Moscow", "1 year", "no", "React", "400000", "Mostly frontend work so far."],
        days_ago=3,
    ),
    Applicant(
        "python-developer",
        "Farid Aliev",
        "farid.aliev@example.com",
        "Moscow",
        ["Moscow", "2", "yes", "Django", "200000", "Small CRUD apps."],
        days_ago=3,
    ),
    Applicant(
        "python-developer",
        "Galina Sokolova",
        "galina.sokolova@example.com",
        "Saint Petersburg",
        ["Saint Petersburg", "7", "yes"],
        finish=False,
        days_ago=0,
    ),
    Applicant(
        "menedzher-po-prodazham",
        "Ирина Волкова",
        "irina.volkova@example.com",
        "Москва",
        [
            "Москва",
            "4 года",
            "Да, конечно",
            "amoCRM, Битрикс24",
            "Закрыла контракт с федеральной сетью на 12 млн рублей: полгода переговоров, три тендера и "
            "защита проекта перед советом директоров.",
        ],
        decisions=[
            ("shortlisted", "recruiter@demo.smartbot", "Отличный опыт крупных сделок."),
            ("interview", "recruiter@demo.smartbot", "Встреча в офисе в понедельник."),
        ],
        note="Просит связаться после 18:00.",
        days_ago=5,
    ),
    Applicant(
        "menedzher-po-prodazham",
        "Кирилл Смирнов",
        "kirill.smirnov@example.com",
        "Казань",
        ["Казань", "3", "да", "Битрикс24", "Продал партию оборудования крупному заводу после долгих переговоров."],
        days_ago=4,
    ),
    Applicant(
        "menedzher-po-prodazham",
        "Мария Лебедева",
        "maria.lebedeva@example.com",
        "Москва",
        ["Москва", "2", "да", "amoCRM", "Сложный клиент."],
        days_ago=2,
    ),
    Applicant(
        "menedzher-po-prodazham",
        "Олег Павлов",
        "oleg.pavlov@example.com",
        "Москва",
        ["1", ("много", "5")],
        finish=False,
        days_ago=0,
    ),
    Applicant(
        "menedzher-po-prodazham",
        "Светлана Морозова",
        "svetlana.morozova@example.com",
        "Москва",
        [
            "Москва",
            "6",
            "да",
            "Salesforce, amoCRM, Битрикс24",
            "Вывела на рынок новый продукт и за квартал заключила двадцать договоров с региональными дистрибьюторами.",
        ],
        decisions=[
            ("shortlisted", "owner@demo.smartbot", ""),
            ("interview", "owner@demo.smartbot", ""),
            ("offer", "owner@demo.smartbot", "Оффер отправлен, ждём ответа до пятницы."),
        ],
        days_ago=7,
    ),
    Applicant(
        "menedzher-po-prodazham",
        "Тимур Зайцев",
        "timur.zaitsev@example.com",
        "Санкт-Петербург",
        [],
        finish=False,
        days_ago=0,
    ),
    # Needs review: 1.5 years is in the years rule's review band. "No problem" and «300k» are read back and
    # confirmed. The bot answers the salary question from the vacancy and passes the other to the recruiters.
    Applicant(
        "python-developer",
        "Nikita Belov",
        "nikita.belov@example.com",
        "Moscow",
        ["Moscow", "1.5 years", "No problem", "Django, PostgreSQL", "300k", GOOD_PROJECT],
        read_back=True,
        asked=["What is the salary?", "Is there a gym in the office?"],
        resume="Python developer, 1.5 years in a product team. Django, PostgreSQL, some Celery.",
        days_ago=1,
    ),
    # Needs review: "не уверен", then "сложно сказать" about business trips cannot be read even after the
    # clarification, so a person decides. "полтора года" is read back as 1.5 and confirmed.
    Applicant(
        "menedzher-po-prodazham",
        "Анна Егорова",
        "anna.egorova@example.com",
        "Москва",
        [
            "Москва",
            "полтора года",
            ("не уверен", "сложно сказать"),
            "amoCRM",
            "Довела до договора клиента, который два года работал с конкурентом.",
        ],
        read_back=True,
        asked=["Какая зарплата?"],
        days_ago=1,
    ),
]


# Interview slots on the Python vacancy, for the next working days at these local times (company time zone), so
# a candidate who passes in the demo is offered times in the chat; 45 minutes each, the recruiter interviews.
SLOT_VACANCY = "python-developer"
SLOT_DAYS = 3
SLOT_TIMES = ("11:00", "14:00", "16:30")
SLOT_VIDEO_URL = "https://meet.example.com/smartbot-demo"
