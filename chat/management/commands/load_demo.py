"""Demo data for `make demo`: a company, its team, four open vacancies, a dozen hand-written screened candidates
and a few hundred generated ones (``chat.demo_volume``).

For the hand-written candidates everything a recruiter would do goes through the
services (apply, chat, answer, finish, decide, note), so the demo shows what the
product really computes: scores, knockout reasons, history. Only the chat
transcript rows are written directly. The generated ones are read and judged by
the same scoring functions and written in bulk. Idempotent: a second run finds
everything in place and adds nothing (it only resets the demo passwords to the
printed one).
"""

from __future__ import annotations

from datetime import time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Company, User
from chat import services as chat_services
from chat import texts as chat_texts
from chat.demo import (
    APPLICANTS,
    COMPANY_ANSWERS,
    COMPANY_SLUG,
    DEMO_PASSWORD,
    SLOT_DAYS,
    SLOT_TIMES,
    SLOT_VACANCY,
    SLOT_VIDEO_URL,
    TEAM,
    VACANCIES,
    Applicant,
)
from chat.demo_volume import volume_load
from screening import scoring, services
from screening.models import ChatMessage, ChatSession, Note, Response, StatusChange
from screening.services import calendars, scheduling
from vacancies import services as vacancy_services
from vacancies.models import Vacancy


class Command(BaseCommand):
    help = "Load the demo company, its team, four open vacancies and a few hundred screened candidates (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            company = self._company()
            team = self._team(company)
            self._company_answers(company)
            vacancies = {data["data"]["slug"]: self._vacancy(company, team, data) for data in VACANCIES}
            created = sum(self._applicant(vacancies[a.vacancy], team, a) for a in APPLICANTS)
            self._slots(vacancies[SLOT_VACANCY], interviewer=team["recruiter@demo.smartbot"])
            created += volume_load(company=company, vacancies=vacancies, team=team)
        self._print(company, created)

    # --- building blocks ----------------------------------------------------------------------------------------

    def _company(self) -> Company:
        company, _created = Company.objects.get_or_create(
            slug=COMPANY_SLUG,
            defaults={
                "name": "Demo Company",
                "description": "A demo tenant: vacancies, candidates and screenings.",
                # Candidates hear about every decision (emails in the console of `make demo`).
                "notify_candidates_of_decisions": True,
            },
        )
        return company

    def _team(self, company: Company) -> dict[str, User]:
        team = {}
        for email, first, last, role in TEAM:
            user, _created = User.objects.get_or_create(
                email=email, defaults={"first_name": first, "last_name": last, "company": company, "role": role}
            )
            # The printed login always works, even if someone changed the password in the demo.
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            team[email] = user
        return team

    def _company_answers(self, company: Company) -> None:
        if company.company_answers.exists():
            return  # loaded before (or the recruiters wrote their own): left as they are
        for question, answer in COMPANY_ANSWERS:
            vacancy_services.company_answer_add(company=company, question=question, answer=answer)

    def _vacancy(self, company: Company, team: dict[str, User], spec: dict) -> Vacancy:
        existing = Vacancy.objects.filter(company=company, slug=spec["data"]["slug"]).first()
        if existing:
            return existing
        vacancy = vacancy_services.vacancy_save(
            vacancy=None,
            company=company,
            user=team["owner@demo.smartbot"],
            data=spec["data"],
            questions=spec["questions"],
        )
        self._fairness(vacancy, owner=team["owner@demo.smartbot"])
        return vacancy_services.vacancy_publish(vacancy=vacancy)

    def _fairness(self, vacancy: Vacancy, *, owner: User) -> None:
        """With an LLM configured, publishing needs the fairness pre-flight: run it here, as the owner would.

        Over the threshold, the demo owner acknowledges it with a note saying so (the report stays on the
        vacancy's fairness page); after a failed check (the model is down) publishing refuses and the load stops
        with the reason: the gate holds for the demo too.
        """
        if services.company_llm_fallback(company=vacancy.company):
            return  # the builtin evaluator: publishing does not wait for the check
        with transaction.atomic():
            check = services.fairness_check_request(vacancy=vacancy, user=owner)
        check = services.fairness_check_run(check_id=check.pk) or check
        check.refresh_from_db()
        self.stdout.write(
            f"Fairness pre-flight of {vacancy.title}: {check.status}, largest difference {check.max_difference}"
        )
        if check.status == "done" and check.over_threshold:
            note = "Loaded by make demo with a test model: review the pairs before real use."
            services.fairness_acknowledge(check=check, user=owner, note=note)

    def _applicant(self, vacancy: Vacancy, team: dict[str, User], applicant: Applicant) -> int:
        response, created = services.candidate_apply(
            vacancy=vacancy,
            full_name=applicant.name,
            email=applicant.email,
            phone=f"+7 900 555-01-{APPLICANTS.index(applicant) + 10:02d}",
            city=applicant.city,
            resume_text=applicant.resume,
            consent=True,
            ai_consent=True,
            notify=False,  # invented people: no emails to their invented addresses
        )
        if not created:
            return 0
        start = timezone.now() - timedelta(days=applicant.days_ago, hours=3, minutes=7 * APPLICANTS.index(applicant))
        clock = _Clock(start)
        Response.objects.filter(pk=response.pk).update(created_at=clock.tick(0))
        StatusChange.objects.filter(response=response).update(created_at=clock.now)
        if not applicant.answers and not applicant.finish:
            return 1  # applied, has not opened the chat yet

        response = services.response_start_chat(response=response)
        StatusChange.objects.filter(response=response, to_status=Response.Status.IN_CHAT).update(
            created_at=clock.tick()
        )
        session = ChatSession.objects.create(response=response)
        transcript = _Transcript(session, clock)
        questions = list(vacancy.questions.order_by("position", "id"))
        with translation.override(vacancy.language):
            # The live chat's own wording, so one translation serves both.
            first_name = applicant.name.split()[0]
            transcript.bot(chat_services.greeting_text(vacancy=vacancy, first_name=first_name, count=len(questions)))
            for number, (question, raw) in enumerate(zip(questions, applicant.answers, strict=False)):
                attempts = raw if isinstance(raw, tuple) else (raw,)
                transcript.bot(_ask(question), question)
                if number == 0 and applicant.asked:
                    _asked(response, transcript, question, applicant.asked)
                for attempt in attempts:
                    transcript.candidate(attempt, question)
                    if applicant.read_back:
                        if _answer_as_the_chat(response, transcript, question, attempt, last=attempt == attempts[-1]):
                            break
                        continue
                    try:
                        services.response_submit_answer(response=response, question=question, raw=attempt)
                    except scoring.InvalidAnswer as invalid:
                        transcript.bot(invalid.message, question)
                        transcript.bot(_ask(question), question)
            if applicant.finish:
                response = services.response_finish(response=response)
                transcript.bot(
                    chat_services.closing_text(vacancy=vacancy, first_name=first_name, status=response.status)
                )
                ChatSession.objects.filter(pk=session.pk).update(
                    state=ChatSession.State.FINISHED, finished_at=clock.now, last_activity_at=clock.now
                )
            else:
                transcript.bot(_ask(questions[len(applicant.answers)]), questions[len(applicant.answers)])
                ChatSession.objects.filter(pk=session.pk).update(started_at=start, last_activity_at=clock.now)
        Response.objects.filter(pk=response.pk).update(completed_at=clock.now if applicant.finish else None)
        StatusChange.objects.filter(response=response, created_at__gt=clock.now).update(created_at=clock.now)

        for status, actor_email, comment in applicant.decisions:
            clock.tick(60 * 24)
            response = services.response_change_status(
                response=response, to_status=status, actor=team[actor_email], comment=comment
            )
            StatusChange.objects.filter(response=response, to_status=status).update(created_at=clock.now)
        if applicant.note:
            note = services.response_add_note(
                response=response, author=team["recruiter@demo.smartbot"], text=applicant.note
            )
            Note.objects.filter(pk=note.pk).update(created_at=clock.tick(30))
        return 1

    def _slots(self, vacancy: Vacancy, *, interviewer: User) -> None:
        """Free interview slots on the next working days, unless the vacancy still has some in the future."""
        if scheduling.slots_free(vacancy=vacancy, limit=1):
            return
        company = vacancy.company
        zone = calendars.zone(company.time_zone)
        day = timezone.now().astimezone(zone).date()
        added = 0
        while added < SLOT_DAYS:
            day += timedelta(days=1)
            if str(day.isoweekday()) not in company.working_days:
                continue
            for at in SLOT_TIMES:
                scheduling.slot_create(
                    vacancy=vacancy,
                    starts_at=calendars.local_datetime(day=day, at=time.fromisoformat(at), time_zone=company.time_zone),
                    time_zone=company.time_zone,
                    interviewers=[interviewer],
                    video_url=SLOT_VIDEO_URL,
                    created_by=interviewer,
                )
            added += 1

    def _print(self, company: Company, created: int) -> None:
        site = settings.SITE_URL
        write = self.stdout.write
        if created:
            write(self.style.SUCCESS(f"Demo data loaded: {created} new responses."))
        else:
            write(self.style.SUCCESS("Demo data already loaded: nothing to add."))
        write("")
        write(f"  Log in at      {site}{reverse('accounts:login')}")
        for email, _first, _last, role in TEAM:
            write(f"  {role:<10}     {email}  /  password: {DEMO_PASSWORD}")
        write(f"  Admin          {site}{reverse('admin:index')}  (the same logins, with their role)")
        write(f"  Careers page   {site}{reverse('chat:careers', args=[company.slug])}")
        write("")


class _Clock:
    """Plausible timestamps: a chat takes minutes, decisions come days later."""

    def __init__(self, start):
        self.now = start

    def tick(self, minutes: float = 0.5):
        self.now += timedelta(minutes=minutes)
        return self.now


class _Transcript:
    def __init__(self, session: ChatSession, clock: _Clock):
        self.session, self.clock = session, clock

    def _add(self, sender: str, text: str, question=None) -> None:
        message = ChatMessage.objects.create(session=self.session, sender=sender, text=str(text), question=question)
        ChatMessage.objects.filter(pk=message.pk).update(created_at=self.clock.tick())

    def bot(self, text: str, question=None) -> None:
        self._add(ChatMessage.Sender.BOT, text, question)

    def candidate(self, text: str, question=None) -> None:
        self._add(ChatMessage.Sender.CANDIDATE, text, question)


def _answer_as_the_chat(response: Response, transcript: _Transcript, question, raw: str, *, last: bool) -> bool:
    """Take ``raw`` as the chat does (``chat.services.turn``): read back and confirmed, stored, or asked again;
    the ``last`` attempt that still cannot be read goes to a person. True once the answer is stored."""
    events = []
    try:
        services.response_submit_answer(response=response, question=question, raw=raw, read_back=True)
    except scoring.ReadBack as read_back:
        transcript.bot(read_back.text, question)
        transcript.candidate(str(chat_texts.CONFIRM_YES), question)
        services.response_submit_answer(
            response=response, question=question, raw=raw, reading=(read_back.value, read_back.how), confirmed=True
        )
        events.append("read_back")
    except scoring.InvalidAnswer as invalid:
        if not last:
            transcript.bot(invalid.message, question)
            transcript.bot(_ask(question), question)
            services.question_events_record(response_id=response.pk, question_id=question.pk, kinds=["clarification"])
            return False
        services.response_submit_answer(response=response, question=question, raw=raw, unread=True)
        transcript.bot(chat_texts.clarification_review_text())
        events.append("review")
    services.question_events_record(response_id=response.pk, question_id=question.pk, kinds=events)
    return True


def _asked(response: Response, transcript: _Transcript, question, asked: list) -> None:
    """The candidate's questions to the bot while ``question`` waits, the bot's answers, and the question again."""
    for text in asked:
        transcript.candidate(text, question)
        transcript.bot(services.candidate_question_reply(response=response, text=text).text, question)
    transcript.bot(_ask(question), question)


def _ask(question) -> str:
    if question.is_choice:
        return f"{question.text}\n" + "\n".join(f"{i}. {o}" for i, o in enumerate(question.options, start=1))
    return question.text
