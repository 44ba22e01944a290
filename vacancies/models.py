from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Company

from . import rules


class Vacancy(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class EmploymentType(models.TextChoices):
        FULL_TIME = "full_time", _("Full-time")
        PART_TIME = "part_time", _("Part-time")
        CONTRACT = "contract", _("Contract")
        INTERNSHIP = "internship", _("Internship")
        TEMPORARY = "temporary", _("Temporary")

    class Currency(models.TextChoices):
        RUB = "RUB", "RUB"
        USD = "USD", "USD"
        EUR = "EUR", "EUR"

    class Language(models.TextChoices):
        EN = "en", _("English")
        RU = "ru", _("Russian")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="vacancies", verbose_name=_("company"))
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    requirements = models.TextField(
        _("requirements"), blank=True, max_length=10000, help_text=_("One requirement per line.")
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    salary_from = models.PositiveIntegerField(_("salary from"), null=True, blank=True)
    salary_to = models.PositiveIntegerField(_("salary to"), null=True, blank=True)
    salary_currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.RUB)
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    pass_threshold = models.PositiveSmallIntegerField(
        _("pass threshold"),
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Minimum relevance score (0-100) to pass the screening."),
    )
    show_outcome = models.BooleanField(
        _("tell the candidate the outcome"),
        default=False,
        help_text=_("If off, the chat ends with a neutral thank-you."),
    )
    language = models.CharField(_("chat language"), max_length=2, choices=Language.choices, default=Language.EN)
    rejection_reason_shown = models.BooleanField(
        _("tell declined candidates the reason"),
        default=False,
        help_text=_("If on, the email to a declined candidate states the reason the recruiter gives, in plain words."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Publishing with screening questions the lint flags (``vacancies.question_lint``: age, family, religion...)
    # needs a person's reason, kept here with who gave it and when.
    lint_override_reason = models.TextField(_("reason to publish flagged questions"), blank=True, max_length=1000)
    lint_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lint_override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["company", "slug"], name="vacancy_slug_unique_per_company"),
            models.CheckConstraint(condition=models.Q(pass_threshold__lte=100), name="vacancy_pass_threshold_0_100"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("vacancies:detail", args=[self.pk])

    def clean(self):
        if self.salary_from and self.salary_to and self.salary_from > self.salary_to:
            raise ValidationError({"salary_to": _("Must not be lower than 'salary from'.")})

    def get_public_url(self):
        return reverse("chat:vacancy", args=[self.company.slug, self.slug])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def salary_display(self) -> str:
        """The salary as people read it, in the active language: "200,000 – 300,000 RUB" ("200 000" in
        Russian), "from 200,000 RUB", "up to 300,000 RUB"; "" when there is none. Every page shows this one."""
        low, high, currency = self.salary_from, self.salary_to, self.salary_currency
        if low and high:
            return f"{number_format(low, force_grouping=True)} – {number_format(high, force_grouping=True)} {currency}"
        if low:
            return gettext("from %(amount)s %(currency)s") % {
                "amount": number_format(low, force_grouping=True),
                "currency": currency,
            }
        if high:
            return gettext("up to %(amount)s %(currency)s") % {
                "amount": number_format(high, force_grouping=True),
                "currency": currency,
            }
        return ""

    @property
    def requirement_lines(self) -> list[str]:
        return [line.strip(" -*\t") for line in self.requirements.splitlines() if line.strip(" -*\t")]


class ScreeningQuestion(models.Model):
    """One question of a vacancy's screening script, with its optional knockout rule.

    The rule depends on the kind:
    - yes/no: ``must_equal`` with ``knockout_value`` "yes" or "no";
    - number: ``at_least`` / ``at_most`` with a number in ``knockout_value``;
    - single choice: ``one_of`` with the allowed options in ``allowed_options``;
    - multiple choice: ``one_of``: at least one chosen option must be allowed;
    - free text: no rule.
    """

    # The kinds and rules live in vacancies.rules (with which rule goes with which kind).
    Kind = rules.Kind
    Knockout = rules.Knockout
    Unit = rules.Unit

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("answer kind"), max_length=20, choices=Kind.choices, default=Kind.TEXT)
    options = models.JSONField(_("options"), default=list, blank=True, help_text=_("Choices, for choice questions."))
    knockout = models.CharField(_("knockout rule"), max_length=20, choices=Knockout.choices, default="", blank=True)
    knockout_value = models.CharField(
        _("knockout value"), max_length=50, blank=True, help_text=_("'yes'/'no' or a number, depending on the rule.")
    )
    allowed_options = models.JSONField(_("allowed options"), default=list, blank=True)
    review_value = models.CharField(
        _("review from"),
        max_length=50,
        blank=True,
        help_text=_(
            "Number rules only: answers between this number and the knockout value go to a person instead of "
            "failing (at least 3, review from 2: 2 to 3 needs review)."
        ),
    )
    unit = models.CharField(_("unit"), max_length=20, choices=rules.Unit.choices, default="", blank=True)
    aliases = models.JSONField(
        _("aliases"),
        default=dict,
        blank=True,
        help_text=_("Other names candidates use for an option, e.g. Saint Petersburg: SPb, Piter."),
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("screening question")
        verbose_name_plural = _("screening questions")
        ordering = ["vacancy", "position", "id"]

    def __str__(self):
        return self.text

    @property
    def is_choice(self) -> bool:
        return self.kind in rules.CHOICE_KINDS

    def rule_text(self) -> str:
        """The knockout rule in words ("must be at least 3; 2 to 3 goes to review"); "" without a rule.

        See ``rules.rule_text``.
        """
        return rules.rule_text(
            kind=self.kind,
            knockout=self.knockout,
            knockout_value=self.knockout_value,
            allowed_options=self.allowed_options,
            review_value=self.review_value,
        )

    def clean(self):
        errors = rules.rule_errors(
            kind=self.kind,
            options=self.options,
            knockout=self.knockout,
            knockout_value=self.knockout_value,
            allowed_options=self.allowed_options,
            review_value=self.review_value,
            unit=self.unit,
            aliases=self.aliases,
        )
        if errors:
            raise ValidationError(errors)


class CompanyAnswer(models.Model):
    """One of a company's answers to what candidates ask (benefits, office, schedule, remote work).

    The screening bot answers candidates' questions from these and from the vacancy's own text, quoting the
    passage it used (``screening.reading.asked``); the recruiters edit the list.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="company_answers")
    question = models.CharField(
        _("question"), max_length=300, help_text=_("As a candidate would ask it, e.g. “Can I work remotely?”")
    )
    answer = models.TextField(_("answer"), max_length=2000)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company answer")
        verbose_name_plural = _("company answers")
        ordering = ["company", "position", "id"]

    def __str__(self):
        return self.question
