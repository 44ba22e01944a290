"""The generated demo people's raw material (chat/demo_volume.py): names, answers as people type them, resumes,
tags, the recruiters' comments, and the two people who applied twice with their phone typed differently.

``ANSWERS[vacancy slug][question index]``: ``(raw answer, weight)`` pairs. A raw answer is what the candidate
types; a tuple is one typed after the other (an answer the bot cannot read, then another). Unreadable single
answers make the bot ask again; some readings are read back (magnitudes, words, failing answers).
"""

from __future__ import annotations

import random

# (Russian, Latin) spellings.
NAMES = {
    "female_first": [
        ("Анна", "Anna"), ("Мария", "Maria"), ("Елена", "Elena"), ("Ольга", "Olga"), ("Наталья", "Natalia"),
        ("Екатерина", "Ekaterina"), ("Дарья", "Daria"), ("Юлия", "Yulia"), ("Алина", "Alina"), ("Полина", "Polina"),
        ("Светлана", "Svetlana"), ("Виктория", "Viktoria"), ("Ксения", "Ksenia"), ("Татьяна", "Tatiana"),
    ],
    "male_first": [
        ("Александр", "Alexander"), ("Дмитрий", "Dmitry"), ("Максим", "Maxim"), ("Сергей", "Sergey"),
        ("Андрей", "Andrey"), ("Алексей", "Alexey"), ("Иван", "Ivan"), ("Михаил", "Mikhail"), ("Егор", "Egor"),
        ("Никита", "Nikita"), ("Артём", "Artem"), ("Павел", "Pavel"), ("Илья", "Ilya"), ("Тимур", "Timur"),
    ],
    "female_last": [
        ("Иванова", "Ivanova"), ("Смирнова", "Smirnova"), ("Кузнецова", "Kuznetsova"), ("Попова", "Popova"),
        ("Васильева", "Vasilyeva"), ("Петрова", "Petrova"), ("Соколова", "Sokolova"), ("Михайлова", "Mikhailova"),
        ("Новикова", "Novikova"), ("Фёдорова", "Fedorova"), ("Морозова", "Morozova"), ("Волкова", "Volkova"),
        ("Алексеева", "Alekseeva"), ("Лебедева", "Lebedeva"), ("Семёнова", "Semenova"), ("Егорова", "Egorova"),
        ("Павлова", "Pavlova"), ("Козлова", "Kozlova"), ("Степанова", "Stepanova"), ("Николаева", "Nikolaeva"),
    ],
    "male_last": [
        ("Иванов", "Ivanov"), ("Смирнов", "Smirnov"), ("Кузнецов", "Kuznetsov"), ("Попов", "Popov"),
        ("Васильев", "Vasilyev"), ("Петров", "Petrov"), ("Соколов", "Sokolov"), ("Михайлов", "Mikhailov"),
        ("Новиков", "Novikov"), ("Фёдоров", "Fedorov"), ("Морозов", "Morozov"), ("Волков", "Volkov"),
        ("Алексеев", "Alekseev"), ("Лебедев", "Lebedev"), ("Семёнов", "Semenov"), ("Егоров", "Egorov"),
        ("Павлов", "Pavlov"), ("Козлов", "Kozlov"), ("Степанов", "Stepanov"), ("Николаев", "Nikolaev"),
    ],
}  # fmt: skip

_PROJECTS_EN = (
    "Moved a monolith's reports to Celery workers; the pages stopped timing out and the team kept the pattern.",
    "Built the billing service on Django and PostgreSQL: invoices, refunds and reconciliation with the bank.",
    "Wrote an internal API for the warehouse scanners and cut picking errors by a third.",
    "A small CRUD app.",
    "Nothing special, mostly support tasks.",
    "Led the migration of a Django 1.11 project to Django 4 with zero downtime, with tests written first.",
)
_BUGS_EN = (
    "Found a race in the checkout when two tabs paid at once; wrote the test that reproduced it every time.",
    "A timezone bug that charged customers twice on the last day of the month, caught by a nightly pytest run.",
    "Noticed the search ignored Cyrillic capitals; reported it with a minimal case and a fix.",
    "A button that did not work.",
    "Memory leak in a websocket handler, found with a Playwright soak test over a weekend.",
)
_DEALS_RU = (
    "Закрыл сделку с сетью из сорока магазинов: полгода переговоров, пилот в трёх точках и договор на три года.",
    "Вернула клиента, который ушёл к конкуренту: разобрала претензии и предложила новый формат обслуживания.",
    "Сложный клиент.",
    "Продал крупную партию оборудования заводу после тендера с пятью участниками.",
    "Пока не было сложных сделок.",
)
_WHY_RU = (
    "Люблю помогать людям и спокойно объяснять сложные вещи, работала в поддержке банка два года.",
    "Нужна удалённая работа со сменным графиком, а ваша платформа мне знакома как пользователю.",
    "Хочу работать.",
    "Нравится общаться с клиентами и решать их вопросы с первого раза, есть опыт в колл-центре оператора связи.",
)

ANSWERS = {
    "python-developer": [
        (("Moscow", 42), ("moscow", 6), ("Saint Petersburg", 20), ("2", 5), ("Kazan", 5), ("Other", 3),
         ("Novosibirsk", 2)),
        (("5", 14), ("3 years", 14), ("7", 8), ("2,5", 6), ("1.5 years", 12), ("six months", 2), ("10", 4),
         ("4 года", 3), ("a lot", 3), ("1", 2)),
        (("yes", 40), ("Yes, I am", 8), ("да", 5), ("no", 3), ("not sure", 2), (("not sure", "hard to say"), 4)),
        (("Django, PostgreSQL, Celery", 18), ("Django, PostgreSQL", 16), ("1, 2, 4", 6), ("React", 3),
         ("Django", 8), ("Redis, React", 2), ("Celery, Redis", 4)),
        (("300000", 12), ("250 000", 10), ("300k", 6), ("280 тысяч", 4), ("400000", 4), ("500k", 2),
         ("320000", 8), ("200000", 6), ("as much as possible", 2)),
        tuple((text, 1) for text in _PROJECTS_EN),
    ],
    "menedzher-po-prodazham": [
        (("Москва", 44), ("москва", 6), ("Санкт-Петербург", 5), ("Казань", 4), ("Другой", 3), ("1", 5)),
        (("3", 10), ("2 года", 8), ("5", 8), ("полтора года", 5), ("полгода", 3), ("10 лет", 3), ("много", 3),
         ("1", 4)),
        (("да", 36), ("Да, конечно", 8), ("нет", 4), ("не уверен", 2), (("не уверен", "сложно сказать"), 4)),
        (("amoCRM", 12), ("Битрикс24", 12), ("amoCRM, Битрикс24", 8), ("Salesforce", 4), ("Не работал", 4),
         ("2, 3", 3)),
        tuple((text, 1) for text in _DEALS_RU),
    ],
    "qa-engineer": [
        (("Kazan", 18), ("Remote in Russia", 24), ("remote in russia", 4), ("Abroad", 3), ("2", 3)),
        (("2", 10), ("3 years", 8), ("1", 6), ("6 months", 3), ("5", 5), ("a year and a half", 3), ("many", 2)),
        (("yes", 34), ("Yes", 6), ("no", 4), ("sometimes", 2), (("sometimes", "it depends"), 3)),
        (("pytest, Playwright", 14), ("Selenium", 8), ("Postman", 3), ("pytest", 8), ("None of these", 2),
         ("1, 3", 3)),
        tuple((text, 1) for text in _BUGS_EN),
    ],
    "operator-kontakt-centra": [
        (("Москва", 22), ("Московская область", 16), ("Другой регион", 5), ("2", 3)),
        (("да", 34), ("Да", 6), ("нет", 4), ("по-разному", 2), (("по-разному", "смотря как"), 3)),
        (("8", 14), ("6", 8), ("4", 3), ("12 часов", 4), ("восемь", 3), ("сколько нужно", 2)),
        (("Телефон", 12), ("Телефон, Чат", 10), ("Почта", 4), ("Не работал", 3), ("1, 2, 3", 4)),
        tuple((text, 1) for text in _WHY_RU),
    ],
}  # fmt: skip

RESUMES = {
    "en": (
        "Python developer, 5 years. Django, DRF, PostgreSQL, Celery. Fintech and logistics.",
        "QA engineer, 3 years: pytest, Playwright, CI in GitLab. ISTQB Foundation.",
        "Backend developer: Python, Go, Kafka. Previously a data analyst.",
        "Junior developer after a bootcamp; pet projects on Django and React.",
    ),
    "ru": (
        "Менеджер по продажам, 4 года в B2B: amoCRM, холодные звонки, ведение ключевых клиентов.",
        "Оператор колл-центра, 2 года: входящая линия банка, чат-поддержка, скрипты.",
        "Администратор салона, опыт работы с кассой и клиентами, уверенный пользователь ПК.",
    ),
}

TAGS = ["Top candidate", "Strong English", "Referral", "Relocation", "Call back later", "Из hh.ru"]

# Two people who applied to two vacancies, typing their phone differently each time: search by phone finds
# both applications. The first used the same email (one candidate), the second a different one (two).
PHONE_TWINS = [
    (
        {"en": "Anton Fedorov", "ru": "Антон Фёдоров"},
        [
            ("python-developer", "anton.fedorov@candidates.example", "+7 (912) 345-67-89", 20.3),
            ("qa-engineer", "anton.fedorov@candidates.example", "8 912 345 67 89", 6.7),
        ],
    ),
    (
        {"en": "Ksenia Orlova", "ru": "Ксения Орлова"},
        [
            ("menedzher-po-prodazham", "ksenia.orlova@candidates.example", "8 (916) 555-12-34", 33.1),
            ("operator-kontakt-centra", "k.orlova@candidates.example", "+79165551234", 4.2),
        ],
    ),
]

_COMMENTS = {
    "en": {
        "shortlisted": ("Good match on the stack.", "Strong answers, worth a call.", ""),
        "interview": ("Technical interview booked.", "Phone screen went well; next the team interview.", ""),
        "offer": ("Offer sent.", "Offer approved by the team lead."),
        "hired": ("Accepted the offer, starts on the 1st.", "Signed."),
        "declined": ("Not enough production experience.", "Salary expectations too far apart.", ""),
        "withdrawn": ("Accepted another offer.", "No longer looking, wrote by email."),
    },
    "ru": {
        "shortlisted": ("Подходит по опыту.", "Хорошие ответы, стоит позвонить.", ""),
        "interview": ("Собеседование назначено.", "Телефонное интервью прошло хорошо.", ""),
        "offer": ("Оффер отправлен.", "Оффер согласован с руководителем."),
        "hired": ("Принял оффер, выходит с понедельника.", "Документы подписаны."),
        "declined": ("Мало опыта в B2B.", "Не сошлись по графику.", ""),
        "withdrawn": ("Принял другое предложение.", "Больше не ищет работу."),
    },
}


def decision_comment(rng: random.Random, status: str, language: str) -> str:
    """A recruiter's comment on moving an application to ``status`` ("" sometimes: comments are optional)."""
    return rng.choice(_COMMENTS["ru" if language == "ru" else "en"][str(status)])
