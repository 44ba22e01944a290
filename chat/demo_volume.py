"""The demo at volume (issue 15): a few hundred generated applications across the demo's vacancies, so the board,
search, bulk actions, exports and analytics have something to show.

Every answer is read and judged by the screening's own pure functions (``scoring.read_answer``, ``scoring.check``,
``scoring.outcome``, ``rule_snapshot``), with the chat's clarifications, read-backs and corrections, so the rows
are the ones the chat would have written; they are then written in bulk (a few thousand rows in one pass), with
times spread over the last ``WEEKS`` weeks. Seeded, so every load is the same; loaded once (``volume_load``).

Shape, by design: statuses over the whole pipeline with the recruiters' history; chats abandoned at every
question, most of them at the Python vacancy's salary question (``Plan.stops``: the drop-off chart's clear
winner); sources web, API and import; AI advice on the finished applications whose candidates allowed it; tags;
and two people who applied twice with their phone typed differently (``PHONE_TWINS``).
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Company, User
from chat import texts as chat_texts
from chat.demo_people import ANSWERS, NAMES, PHONE_TWINS, RESUMES, TAGS, decision_comment
from screening import ai, identity, scoring, selectors
from screening.models import (
    Answer,
    Candidate,
    ChatMessage,
    ChatSession,
    Evaluation,
    QuestionEvent,
    Response,
    StatusChange,
)
from screening.services import company_llm_fallback
from screening.services.tags import tag_get_or_create
from vacancies.models import Vacancy
from vacancies.rules import rule_snapshot

SEED = 15
WEEKS = 8
# Every generated person's address is at this domain: how a later load knows the volume is in place.
DOMAIN = "candidates.example"


@dataclass(frozen=True)
class Plan:
    """One vacancy's generated applications: ``count`` in all, ``new`` of them never opened the chat, and
    ``stops[i]`` stopped answering at question ``i`` (chats abandoned there); the rest finished."""

    count: int
    new: int
    stops: tuple[int, ...]


PLANS = {
    "python-developer": Plan(count=120, new=8, stops=(3, 2, 2, 3, 16, 2)),  # the salary question loses most
    "menedzher-po-prodazham": Plan(count=100, new=7, stops=(2, 3, 7, 2, 1)),
    "qa-engineer": Plan(count=70, new=5, stops=(2, 5, 2, 2, 1)),
    "operator-kontakt-centra": Plan(count=60, new=4, stops=(2, 4, 1, 1, 1)),
}
SOURCES = ((Response.Source.WEB, 65), (Response.Source.API, 22), (Response.Source.IMPORT, 13))


def volume_load(*, company: Company, vacancies: dict[str, Vacancy], team: dict[str, User]) -> int:
    """Generate and write the demo's volume of applications, unless it is in place already.

    ``vacancies`` by slug (every one ``PLANS`` names), ``team`` by email. Returns how many applications it
    wrote (0 when a previous load wrote them). Call it inside a transaction: it writes in several passes.
    """
    if Response.objects.filter(vacancy__company=company, email__endswith="@" + DOMAIN).exists():
        return 0
    rng = random.Random(SEED)
    now = timezone.now()
    builder = _Builder(company=company, team=team, rng=rng, now=now)
    people = _people(rng)
    for slug, plan in PLANS.items():
        vacancy = vacancies[slug]
        fates = ["new"] * plan.new + [stop for stop, n in enumerate(plan.stops) for _i in range(n)]
        fates += ["finish"] * (plan.count - len(fates))
        rng.shuffle(fates)
        for fate in fates:
            person = next(people)
            # A chat and its decisions all lie in the past: only a fresh application may be minutes old.
            days_ago = rng.uniform(0.02 if fate == "new" else 0.5, 56)
            builder.add(vacancy=vacancy, person=person, fate=fate, phone=_phone(rng), days_ago=days_ago)
    for person, applications in PHONE_TWINS:
        for slug, email, phone, days_ago in applications:
            builder.add(
                vacancy=vacancies[slug],
                person={**person, "email": email},
                fate="finish",
                phone=phone,
                days_ago=days_ago,
            )
    return builder.write()


# --- generating one application ---------------------------------------------------------------------------------


def _people(rng: random.Random):
    """Endless distinct people: ``{"ru": "Имя Фамилия", "en": "Name Surname", "email"}``."""
    number = 0
    while True:
        female = rng.random() < 0.5
        first = rng.choice(NAMES["female_first" if female else "male_first"])
        last = rng.choice(NAMES["female_last" if female else "male_last"])
        number += 1
        yield {
            "ru": f"{first[0]} {last[0]}",
            "en": f"{first[1]} {last[1]}",
            "email": f"{first[1]}.{last[1]}.{number}@{DOMAIN}".lower(),
        }


def _phone(rng: random.Random) -> str:
    """A Russian mobile number, typed in one of the ways people type it ("" now and then: no phone)."""
    if rng.random() < 0.08:
        return ""
    code, a, b, c = rng.randint(900, 999), rng.randint(200, 999), rng.randint(10, 99), rng.randint(10, 99)
    return rng.choice(
        (
            f"+7 {code} {a}-{b}-{c}",
            f"8 ({code}) {a}-{b}-{c}",
            f"+7{code}{a}{b}{c}",
            f"8 {code} {a} {b} {c}",
            f"+7 ({code}) {a}-{b}-{c}",
        )
    )


def _weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights)[0]


@dataclass
class _Application:
    response: Response
    history: list
    answers: list
    messages: list  # (sender, text, question, payload, at)
    events: list  # (question, kind, at)
    tags: list
    evaluation: Evaluation | None

    def say(self, sender: str, text, question, at, payload=None) -> None:
        self.messages.append((sender, text, question, payload, at))


class _Builder:
    """Collects the generated rows in memory; ``write`` stores them in bulk."""

    def __init__(self, *, company: Company, team: dict[str, User], rng: random.Random, now):
        self.company, self.rng, self.now = company, rng, now
        self.recruiter, self.owner = team["recruiter@demo.smartbot"], team["owner@demo.smartbot"]
        self.applications: list[_Application] = []
        self.questions: dict[int, list] = {}
        self.rubric: dict[int, str] = {}
        self.fallback = company_llm_fallback(company=company)

    def _script(self, vacancy: Vacancy) -> list:
        if vacancy.pk not in self.questions:
            self.questions[vacancy.pk] = list(vacancy.questions.order_by("position", "id"))
            self.rubric[vacancy.pk] = selectors.vacancy_rubric_hash(vacancy=vacancy)
        return self.questions[vacancy.pk]

    def add(self, *, vacancy: Vacancy, person: dict, fate, phone: str, days_ago: float) -> None:
        """One application of ``person`` to ``vacancy``: ``fate`` "new", "finish" or the question index the
        candidate stopped at."""
        rng, questions = self.rng, self._script(vacancy)
        created = self.now - timedelta(days=days_ago)
        name = person[vacancy.language]
        response = Response(
            vacancy=vacancy,
            source=_weighted(rng, SOURCES),
            full_name=name,
            email=person["email"],
            phone=phone,
            phone_e164=identity.phone_normalise(phone, region=self.company.phone_region or "RU") if phone else "",
            resume_text=rng.choice(RESUMES[vacancy.language]) if rng.random() < 0.6 else "",
            consent_version=settings.CONSENT_TEXT_VERSION,
            consent_at=created,
            ai_consent_at=created if rng.random() < 0.88 else None,
            talent_pool_consent_at=created if rng.random() < 0.3 else None,
            created_at=created,
            updated_at=created,
        )
        app = _Application(response, [("", Response.Status.NEW, None, "", created)], [], [], [], [], None)
        self.applications.append(app)
        if fate == "new":
            return
        clock = _Clock(created + timedelta(minutes=rng.uniform(1, min(600, days_ago * 24 * 60 * 0.2))))
        app.history.append((Response.Status.NEW, Response.Status.IN_CHAT, None, "", clock.now))
        first_name = name.split()[0]
        with translation.override(vacancy.language):
            greeting = chat_texts.greeting_text(vacancy=vacancy, first_name=first_name, count=len(questions))
            app.say(ChatMessage.Sender.BOT, greeting, None, clock.tick(0.1))
            answered = questions if fate == "finish" else questions[:fate]
            results = [self._answer(app, question, number, clock) for number, question in enumerate(answered)]
            response.updated_at = clock.now
            if fate != "finish":
                waiting = questions[fate]
                app.say(ChatMessage.Sender.BOT, _ask(waiting), waiting, clock.tick(0.1))
                response.status = Response.Status.IN_CHAT
                response.city = _city(response, questions, app.answers, rng)
                # The one reminder went out (the beat would otherwise email a crowd of invented people).
                response.stall_reminded_at = min(clock.now + timedelta(hours=24), self.now)
                return
            result = scoring.outcome(results, threshold=vacancy.pass_threshold)
            closing = chat_texts.closing_text(vacancy=vacancy, first_name=first_name, status=result.status)
            app.say(ChatMessage.Sender.BOT, closing, None, clock.tick(0.1))
            comment = _("Screening finished with score %(score)d.") % {"score": result.score}
        response.city = _city(response, questions, app.answers, rng)
        response.status = response.screening_verdict = result.status
        response.score, response.completed_at, response.updated_at = result.score, clock.now, clock.now
        response.rejection_reasons, response.review_reasons = result.reasons, result.review_reasons
        app.history.append((Response.Status.IN_CHAT, result.status, None, comment, clock.now))
        if response.ai_consent_at:
            knocked_out = any(checked.passed is False for _spec, checked in results)
            app.evaluation = self._evaluation(response, result, clock.now, knocked_out=knocked_out)
        self._decide(app, clock)
        if rng.random() < 0.3:
            app.tags = rng.sample(TAGS, k=rng.choice((1, 1, 2)))
            if response.status in (Response.Status.OFFER, Response.Status.HIRED):
                app.tags.append(TAGS[0])

    def _answer(self, app: _Application, question, number: int, clock: _Clock):
        """The candidate answers ``question`` as the chat takes it (asked again, read back, corrected, sent to a
        person); returns ``(spec, Checked)`` for the outcome."""
        rng, spec = self.rng, scoring.QuestionSpec.from_question(question)
        pool = ANSWERS[question.vacancy.slug][number]
        app.say(ChatMessage.Sender.BOT, _ask(question), question, clock.tick(0.2))
        choice = _weighted(rng, pool)
        attempts = list(choice) if isinstance(choice, tuple) else [choice]
        kinds, confirmed, raw = [], False, ""
        while attempts:
            raw = attempts.pop(0)
            typing = rng.uniform(2, 6) if question.kind == "text" else 0.4  # minutes
            app.say(ChatMessage.Sender.CANDIDATE, raw, question, clock.tick(typing))
            try:
                value, how = scoring.read_answer(spec, raw)
            except scoring.InvalidAnswer as invalid:
                if not attempts and "clarification" in kinds:  # unclear after the clarification: a person decides
                    checked = scoring.check(spec, None, words=raw, unread=True)
                    app.say(ChatMessage.Sender.BOT, chat_texts.clarification_review_text(), None, clock.tick(0.1))
                    kinds.append("review")
                    value, how = None, "unread"
                    break
                app.say(ChatMessage.Sender.BOT, invalid.message, question, clock.tick(0.1))
                app.say(ChatMessage.Sender.BOT, _ask(question), question, clock.tick(0.1))
                kinds.append("clarification")
                if not attempts:
                    attempts = [_readable(rng, spec, pool)]
                continue
            checked = scoring.check(spec, value, words=raw)
            if scoring.needs_read_back(how, checked, spec=spec):
                text = scoring.read_back_text(
                    spec, value, words=raw, how=how, currency=question.vacancy.salary_currency
                )
                payload = {"confirm": {"raw": raw, "value": value, "how": how}}
                app.say(ChatMessage.Sender.BOT, text, question, clock.tick(0.1), payload)
                kinds.append("read_back")
                if rng.random() < 0.12 and "correction" not in kinds:
                    app.say(ChatMessage.Sender.CANDIDATE, str(chat_texts.CONFIRM_NO), question, clock.tick(0.2))
                    app.say(ChatMessage.Sender.BOT, _ask(question), question, clock.tick(0.1))
                    kinds.append("correction")
                    attempts = [_readable(rng, spec, pool)]
                    continue
                app.say(ChatMessage.Sender.CANDIDATE, str(chat_texts.CONFIRM_YES), question, clock.tick(0.2))
                confirmed = True
            break
        app.answers.append(
            Answer(
                question=question,
                raw_text=raw.strip()[:4000],
                value=checked.value,
                read_how=how,
                passed=checked.passed,
                needs_review=checked.review,
                confirmed=confirmed,
                rule=rule_snapshot(question),
                points=checked.points,
                created_at=clock.now,
            )
        )
        app.events.extend((question, kind, clock.now) for kind in kinds)
        return spec, checked

    def _evaluation(self, response: Response, result: scoring.Outcome, at, *, knocked_out: bool) -> Evaluation:
        """The builtin evaluator's advice as it would store it: a score near the rules' one, the rubric's
        recommendation for it (so it mostly, not always, agrees with what the recruiters decide)."""
        rng = self.rng
        score = max(0, min(100, result.score + rng.randint(-18, 12)))
        recommendation = ai.rubric_recommendation(score, knocked_out=knocked_out)
        concerns = [{"text": reason, "quotes": [], "by": "smartbot"} for reason in result.reasons[:2]]
        response.ai_score, response.ai_recommendation = score, recommendation
        done = at + timedelta(seconds=rng.randint(5, 90))
        return Evaluation(
            prompt_version=ai.PROMPT_VERSION,
            status=Evaluation.Status.DONE,
            evaluator=Evaluation.Evaluator.BUILTIN,
            fallback_reason=self.fallback,
            score=score,
            summary=_SUMMARIES[recommendation],
            concerns=concerns,
            recommendation=recommendation,
            rubric_version=ai.RUBRIC_VERSION,
            rubric_hash=self.rubric[response.vacancy.pk],
            run_scores=[score],
            model="builtin",
            attempts=1,
            created_at=at,
            updated_at=done,
            finished_at=done,
        )

    def _decide(self, app: _Application, clock: _Clock) -> None:
        """The recruiters' decisions after the screening, days apart, none in the future."""
        rng, response = self.rng, app.response
        steps = _weighted(rng, _DECISIONS[response.status])
        clock.tick(rng.uniform(60, 60 * 24 * 3))
        previous = response.status
        for step in steps:
            if clock.now > self.now - timedelta(minutes=10):
                break
            actor = self.owner if step in (Response.Status.OFFER, Response.Status.HIRED) else self.recruiter
            comment = decision_comment(rng, step, response.vacancy.language)
            app.history.append((previous, step, actor, comment, clock.now))
            response.status = previous = step
            response.updated_at = clock.now
            clock.tick(rng.uniform(60 * 12, 60 * 24 * 5))

    # --- writing ---------------------------------------------------------------------------------------------

    def write(self) -> int:
        """Store everything collected, in bulk; returns the number of applications."""
        apps = self.applications
        timed = (Candidate, Response, StatusChange, Answer, ChatSession, ChatMessage, QuestionEvent, Evaluation)
        with _times_as_given(*timed):
            candidates = {}
            for app in apps:
                key = identity.email_normalise(app.response.email)
                if key not in candidates:
                    at = app.response.created_at
                    candidates[key] = Candidate(company=self.company, email=key, created_at=at, updated_at=at)
                app.response.candidate = candidates[key]
            Candidate.objects.bulk_create(candidates.values())
            for app in apps:
                app.response.candidate_id = app.response.candidate.pk
            Response.objects.bulk_create([app.response for app in apps])
            history, answers, sessions, events, evaluations = [], [], [], [], []
            for app in apps:
                response = app.response
                for from_status, to_status, actor, comment, at in app.history:
                    history.append(
                        StatusChange(
                            response=response,
                            actor=actor,
                            from_status=from_status,
                            to_status=to_status,
                            comment=comment,
                            created_at=at,
                        )
                    )
                for answer in app.answers:
                    answer.response = response
                answers += app.answers
                events += [
                    QuestionEvent(response=response, question=q, kind=k, created_at=at) for q, k, at in app.events
                ]
                if app.evaluation:
                    app.evaluation.response = response
                    evaluations.append(app.evaluation)
                if app.messages:
                    finished = response.completed_at is not None
                    start, last = app.messages[0][4], app.messages[-1][4]
                    sessions.append(
                        ChatSession(
                            response=response,
                            state=ChatSession.State.FINISHED if finished else ChatSession.State.ACTIVE,
                            started_at=start,
                            last_activity_at=last,
                            finished_at=last if finished else None,
                        )
                    )
            StatusChange.objects.bulk_create(history, batch_size=500)
            Answer.objects.bulk_create(answers, batch_size=500)
            QuestionEvent.objects.bulk_create(events, batch_size=500)
            Evaluation.objects.bulk_create(evaluations, batch_size=500)
            ChatSession.objects.bulk_create(sessions, batch_size=500)
            chats = {session.response_id: session for session in sessions}
            messages = [
                ChatMessage(
                    session=chats[app.response.pk],
                    sender=sender,
                    text=str(text),
                    question=question,
                    payload=payload,
                    created_at=at,
                )
                for app in apps
                if app.messages
                for sender, text, question, payload, at in app.messages
            ]
            ChatMessage.objects.bulk_create(messages, batch_size=500)
        self._tag(apps)
        return len(apps)

    def _tag(self, apps: list[_Application]) -> None:
        tags = {name: tag_get_or_create(company=self.company, name=name) for name in TAGS}
        through = Response.tags.through
        links = {(app.response.pk, tags[name].pk) for app in apps for name in app.tags}
        through.objects.bulk_create([through(response_id=r, tag_id=t) for r, t in sorted(links)], batch_size=500)


# What the recruiters do after each screening verdict: (steps, weight).
_S = Response.Status
_DECISIONS = {
    "passed": (
        ((), 20),
        ((_S.SHORTLISTED,), 13),
        ((_S.SHORTLISTED, _S.INTERVIEW), 13),
        ((_S.SHORTLISTED, _S.INTERVIEW, _S.OFFER), 8),
        ((_S.SHORTLISTED, _S.INTERVIEW, _S.OFFER, _S.HIRED), 12),
        ((_S.DECLINED,), 8),
        ((_S.SHORTLISTED, _S.INTERVIEW, _S.DECLINED), 8),
        ((_S.SHORTLISTED, _S.WITHDRAWN), 5),
        ((_S.SHORTLISTED, _S.INTERVIEW, _S.OFFER, _S.WITHDRAWN), 4),
    ),
    "needs_review": (((), 55), ((_S.SHORTLISTED,), 20), ((_S.SHORTLISTED, _S.INTERVIEW), 5), ((_S.DECLINED,), 20)),
    "rejected": (((), 80), ((_S.DECLINED,), 20)),
}
_SUMMARIES = {
    "advance": "The answers meet every rule and the experience described matches the requirements.",
    "hold": "Meets the rules, but the answers say little about the experience the vacancy asks for.",
    "reject": "A knockout rule failed or the answers show little of what the vacancy requires.",
}


class _Clock:
    def __init__(self, start):
        self.now = start

    def tick(self, minutes: float):
        self.now += timedelta(minutes=minutes)
        return self.now


def _readable(rng: random.Random, spec: scoring.QuestionSpec, pool) -> str:
    """An answer from ``pool`` that reads (what the candidate types after being asked again)."""
    for raw, _weight in sorted(pool, key=lambda _pair: rng.random()):
        if isinstance(raw, str):
            try:
                scoring.read_answer(spec, raw)
            except scoring.InvalidAnswer:
                continue
            return raw
    raise ValueError(f"No readable answer in the pool of {spec.text!r}")


def _city(response: Response, questions: list, answers: list, rng: random.Random) -> str:
    """The city the application form says: the answer to a city question where it is one, else a guess."""
    first = answers[0].value if answers and answers[0].question == questions[0] else None
    cities = ("Moscow", "Saint Petersburg", "Kazan") if response.vacancy.language == "en" else ("Москва", "Казань")
    return first if isinstance(first, str) and first in cities else rng.choice(cities)


def _ask(question) -> str:
    if question.is_choice:
        return f"{question.text}\n" + "\n".join(f"{i}. {o}" for i, o in enumerate(question.options, start=1))
    return question.text


@contextmanager
def _times_as_given(*model_classes: type[models.Model]):
    """Store the created/updated times the rows carry: ``auto_now`` and ``auto_now_add`` are switched off on
    these models' date fields meanwhile (bulk_create would stamp every row with the present otherwise)."""
    switched = []
    for model in model_classes:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
                switched.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in switched:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
