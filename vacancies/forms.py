"""Forms of the vacancy editor: the vacancy itself and its screening questions (an ordered formset)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import CompanyAnswer, ScreeningQuestion, Vacancy
from .question_lint import Finding, lint_question
from .rules import Kind, Knockout, Unit, clean_options
from .services import (
    COMPANY_ANSWER_MAX_LENGTH,
    LINT_OVERRIDE_REASON_MAX_LENGTH,
    MAX_QUESTIONS,
    VACANCY_FIELDS,
    question_validate,
)


class VacancyForm(forms.ModelForm):
    """The vacancy's own fields. A blank slug is filled from the title by the service."""

    class Meta:
        model = Vacancy
        fields = VACANCY_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "requirements": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "slug": _(
                "Part of the public link. Leave blank to make it from the title. "
                "Changing it breaks links already shared."
            ),
        }

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["slug"].required = False
        self.fields["pass_threshold"].widget.attrs.update(min=0, max=100)

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        if slug:
            taken = Vacancy.objects.filter(company=self.company, slug=slug).exclude(pk=self.instance.pk)
            if taken.exists():
                raise forms.ValidationError(_("Another vacancy of your company already uses this address."))
        return slug

    # salary_from <= salary_to and the threshold's 0-100 are checked by the model (Vacancy.clean, validators).


class LinesField(forms.CharField):
    """A textarea of one item per line, cleaned into a list (blank lines and duplicates dropped)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        return clean_options(super().to_python(value))

    def has_changed(self, initial, data):
        return self.to_python(self.prepare_value(initial) or "") != self.to_python(data)


class AliasesField(forms.CharField):
    """Option aliases as a textarea, one option per line: ``Saint Petersburg: SPb, Piter``.

    Cleaned into ``{option: [alias, ...]}`` (names split on commas, blanks dropped); a line without a colon is
    an error naming the line. Whether each option exists and no alias clashes is the rules' check
    (``rules.rule_errors``), run by the service.
    """

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{option}: {', '.join(str(n) for n in names)}" for option, names in value.items())
        return value

    def to_python(self, value):
        aliases: dict[str, list[str]] = {}
        for number, line in enumerate((super().to_python(value) or "").splitlines(), start=1):
            if not line.strip():
                continue
            option, colon, names = line.partition(":")
            if not colon or not option.strip():
                raise ValidationError(
                    _("Line %(n)d: write an option, a colon and its aliases: “Saint Petersburg: SPb, Piter”."),
                    code="invalid",
                    params={"n": number},
                )
            aliases.setdefault(option.strip(), []).extend(clean_options(names.split(",")))
        return aliases

    def has_changed(self, initial, data):
        try:
            return self.to_python(self.prepare_value(initial) or "") != self.to_python(data)
        except ValidationError:
            return True


class QuestionForm(forms.Form):
    """One screening question, checked by ``services.question_validate`` (the services' own check).

    ``answered`` (set by the formset) marks a saved question with candidates' answers: it cannot be removed.
    """

    answered = False

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Question"), max_length=500)
    kind = forms.ChoiceField(label=_("Answer kind"), choices=Kind.choices, initial=Kind.TEXT)
    options = LinesField(
        label=_("Options"), required=False, help_text=_("Choice questions: one option per line, at least two.")
    )
    knockout = forms.ChoiceField(label=_("Knockout rule"), choices=Knockout.choices, required=False, initial="")
    knockout_value = forms.CharField(
        label=_("Knockout value"),
        max_length=50,
        required=False,
        help_text=_("“yes” or “no” for a yes/no question; a number for “at least” / “at most”."),
    )
    allowed_options = LinesField(
        label=_("Allowed options"),
        required=False,
        help_text=_("For “choice within allowed options”: one per line, each one of the options."),
    )
    review_value = forms.CharField(
        label=_("Review from"),
        max_length=50,
        required=False,
        help_text=_(
            "Optional, for “at least” / “at most”: answers between this number and the knockout value go to a "
            "person instead of failing (at least 3, review from 2: 2 to 3 needs review)."
        ),
    )
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=Unit.choices,
        required=False,
        initial="",
        help_text=_("Number questions: what the answer is counted in (“6 months” is 0.5 years)."),
    )
    aliases = AliasesField(
        label=_("Aliases"),
        required=False,
        help_text=_(
            "Choice questions, optional: other names candidates use, one option per line, "
            "e.g. “Saint Petersburg: SPb, Piter”."
        ),
    )
    weight = forms.IntegerField(
        label=_("Weight"), min_value=0, max_value=10, initial=1, help_text=_("0-10: how much it counts in the score.")
    )
    required = forms.BooleanField(label=_("Answer required"), required=False, initial=True)

    def lint_findings(self) -> list[Finding]:
        """What the question lint says about the question as the page shows it (typed or saved): warnings, not
        errors; publishing such a question needs a reason (``services.vacancy_publish``)."""
        if self.prefix and "__prefix__" in self.prefix:
            return []
        options = self["options"].value()
        if isinstance(options, str):
            options = options.splitlines()
        return lint_question(self["text"].value() or "", options or ())

    def has_changed(self):
        # Moving a blank new question up or down fills its order field; it is still blank.
        return any(name not in ("ORDER", "DELETE") for name in self.changed_data)

    def clean(self):
        cleaned = super().clean()
        if any(name in self._errors for name in ("kind", "knockout", "options", "allowed_options", "aliases")):
            return cleaned
        try:
            cleaned.update(question_validate(data=cleaned))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self._errors:  # the form already says what is wrong with this field
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned


class BaseQuestionFormSet(forms.BaseFormSet):
    """The script. ``answered_ids``: the saved questions candidates have answered (offered no "Remove")."""

    def __init__(self, *args, answered_ids: set[int] | frozenset[int] = frozenset(), **kwargs):
        self.answered_ids = answered_ids
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = _("Position")
        form.fields["ORDER"].widget.attrs["min"] = 1
        form.answered = index is not None and form.initial.get("id") in self.answered_ids

    def clean(self):
        if any(self.errors):
            return
        kept = [form for form in self.forms if not self._should_delete_form(form)]
        ids = [form.cleaned_data["id"] for form in kept if form.cleaned_data.get("id")]
        if len(ids) != len(set(ids)):
            raise forms.ValidationError(_("A question appears twice; reload the page and try again."))

    def add_non_form_error(self, messages) -> None:
        """Show an error about the script as a whole (e.g. one the save service found) above the questions."""
        self.non_form_errors().extend(messages)

    def known_question_ids(self) -> set[int]:
        """The saved questions the page was loaded with, kept or marked for removal."""
        return {
            form.cleaned_data["id"] for form in self.forms if getattr(form, "cleaned_data", {}).get("id") is not None
        }

    def questions(self) -> list[dict]:
        """The script in its new order, without deleted and blank new questions (valid formset only)."""
        result = []
        for form in self.ordered_forms:
            data = {key: value for key, value in form.cleaned_data.items() if key not in ("ORDER", "DELETE")}
            result.append(data)
        return result


QuestionFormSet = forms.formset_factory(
    QuestionForm,
    formset=BaseQuestionFormSet,
    extra=2,
    can_order=True,
    can_delete=True,
    max_num=MAX_QUESTIONS,
    validate_max=True,
)


def question_initial(question: ScreeningQuestion) -> dict:
    """A saved question as the formset's initial data."""
    return {
        "id": question.pk,
        "text": question.text,
        "kind": question.kind,
        "options": question.options,
        "knockout": question.knockout,
        "knockout_value": question.knockout_value,
        "allowed_options": question.allowed_options,
        "review_value": question.review_value,
        "unit": question.unit,
        "aliases": question.aliases,
        "weight": question.weight,
        "required": question.required,
    }


class PublishForm(forms.Form):
    """The publish button, with the reason to publish questions the lint flags (asked only when there are some)."""

    override_reason = forms.CharField(
        label=_("Reason to publish these questions anyway"),
        required=False,
        max_length=LINT_OVERRIDE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the vacancy, with your name and the time."),
    )

    def __init__(self, *args, require_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the page's form asks for it: the service judges whether a reason is needed when publishing.
        self.fields["override_reason"].required = require_reason


class VacancyFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *Vacancy.Status.choices], required=False
    )


class CompanyAnswerForm(forms.ModelForm):
    """One of the company's answers to what candidates ask; saved by ``services.company_answer_add`` / ``_update``."""

    class Meta:
        model = CompanyAnswer
        fields = ("question", "answer")
        widgets = {
            "answer": forms.Textarea(attrs={"rows": 4, "maxlength": COMPANY_ANSWER_MAX_LENGTH}),
        }
        help_texts = {
            "answer": _(
                "The bot quotes this answer to candidates who ask about it, word for word; it never makes up "
                "anything else."
            ),
        }
