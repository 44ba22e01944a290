"""Forms of the recruiter workspace's responses pages: they validate and normalise, services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Note, Response, StatusChange
from .selectors import DEFAULT_RESPONSE_SORT, response_filter_vacancies
from .services import DECISION_STATUSES


class ResponseFilterForm(forms.Form):
    """The responses table's GET filters. Only the company's vacancies are valid choices."""

    SORT_CHOICES = [
        ("-date", _("Newest first")),
        ("date", _("Oldest first")),
        ("-score", _("Score, high to low")),
        ("score", _("Score, low to high")),
        ("-ai_score", _("AI score, high to low")),
        ("ai_score", _("AI score, low to high")),
    ]

    vacancy = forms.ModelChoiceField(
        label=_("Vacancy"),
        queryset=None,
        required=False,
        empty_label=_("All vacancies"),
        error_messages={"invalid_choice": _("Unknown vacancy.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Response.Status.choices],
        error_messages={"invalid_choice": _("Unknown status.")},
    )
    # The screening's verdict, whatever a recruiter decided later: what the vacancy page's counters count.
    screening = forms.ChoiceField(
        label=_("Screening"),
        required=False,
        choices=[
            ("", _("Any outcome")),
            (Response.Status.PASSED.value, _("Passed the screening")),
            (Response.Status.REJECTED.value, _("Rejected by the screening")),
            (Response.Status.NEEDS_REVIEW.value, _("Sent to review by the screening")),
        ],
        error_messages={"invalid_choice": _("Unknown screening outcome.")},
    )
    min_score = forms.IntegerField(
        label=_("Minimum score"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"placeholder": "0-100", "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter a whole number from 0 to 100.")},
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=SORT_CHOICES,
        error_messages={"invalid_choice": _("Unknown sort order.")},
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vacancy"].queryset = response_filter_vacancies(company=company)

    def clean_sort(self):
        return self.cleaned_data.get("sort") or DEFAULT_RESPONSE_SORT


def decision_status_field(*, required: bool = True) -> forms.ChoiceField:
    """The new-status field of a recruiter's decision (the statuses set by hand), for the dashboard and the admin."""
    return forms.ChoiceField(
        label=_("New status"),
        required=required,
        choices=[("", "---------"), *[(s.value, s.label) for s in DECISION_STATUSES]],
        error_messages={"invalid_choice": _("This status cannot be set by hand.")},
    )


def decision_comment_field() -> forms.CharField:
    """The optional "why" of a recruiter's decision, as long as the history keeps it."""
    return forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=StatusChange._meta.get_field("comment").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResponseStatusForm(forms.Form):
    """A recruiter's decision: one of the statuses set by hand, and why."""

    status = decision_status_field()
    comment = decision_comment_field()
    # Told to a declined candidate in their email where the vacancy states reasons (Vacancy.rejection_reason_shown).
    candidate_reason = forms.CharField(
        label=_("Reason to tell the candidate"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "data-show-for-status": "declined"}),
        help_text=_("Only for Declined, in plain words; sent only where the vacancy tells candidates the reason."),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=Note._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
