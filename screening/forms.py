"""Forms of the recruiter workspace's responses pages: they validate and normalise, services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BulkAction, Note, Response, StatusChange
from .selectors import DEFAULT_RESPONSE_SORT, response_filter_vacancies, response_table
from .services import DECISION_STATUSES
from .services.bulk import EXPORT_FORMATS
from .services.saved_filters import TABLE_COLUMNS
from .services.tags import TAG_NAME_MAX_LENGTH, tag_list


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
    # Choices filled from one query of the company's tags, which the page reuses (``self.tags``).
    tag = forms.ChoiceField(
        label=_("Tag"),
        required=False,
        error_messages={"invalid_choice": _("Unknown tag.")},
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=SORT_CHOICES,
        error_messages={"invalid_choice": _("Unknown sort order.")},
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["vacancy"].queryset = response_filter_vacancies(company=company)
        self.tags = list(tag_list(company=company))
        self.fields["tag"].choices = [("", _("Any tag")), *[(str(tag.pk), tag.name) for tag in self.tags]]

    def clean_sort(self):
        return self.cleaned_data.get("sort") or DEFAULT_RESPONSE_SORT

    def clean_tag(self):
        value = self.cleaned_data.get("tag")
        return next((tag for tag in self.tags if str(tag.pk) == value), None)

    def responses(self):
        """The company's responses these (valid, or unbound: none) filters match, for the table and bulk actions."""
        filters = self.cleaned_data if self.is_bound else {}
        return response_table(
            company=self.company,
            vacancy=filters.get("vacancy"),
            status=filters.get("status", ""),
            screening=filters.get("screening", ""),
            min_score=filters.get("min_score"),
            tag=filters.get("tag"),
            sort=filters.get("sort") or DEFAULT_RESPONSE_SORT,
        )


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


class BulkActionForm(forms.Form):
    """A bulk action on the responses table (or any page that includes screening/_bulk_form.html): what to do, and
    on which responses: the ticked ``ids``, or (``scope`` "matching") every response matching ``filters``, the
    table's query string, resolved by the server across every page."""

    SCOPE_SELECTED, SCOPE_MATCHING = "selected", "matching"

    kind = forms.ChoiceField(label=_("Action"), choices=BulkAction.Kind.choices)
    scope = forms.ChoiceField(
        choices=[(SCOPE_SELECTED, _("The selected responses")), (SCOPE_MATCHING, _("Every response matching"))],
        required=False,
    )
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    filters = forms.CharField(required=False, max_length=2000)
    status = decision_status_field(required=False)
    email = forms.BooleanField(label=_("Email the candidates (the company's template)"), required=False)
    comment = decision_comment_field()
    candidate_reason = forms.CharField(required=False, max_length=1000)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=TAG_NAME_MAX_LENGTH)
    format = forms.ChoiceField(
        label=_("Format"), choices=[(fmt, fmt.upper()) for fmt in EXPORT_FORMATS], required=False
    )
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any integer is a valid choice here; the service keeps the company's responses only.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit() and len(str(value)) < 12

    def clean(self):
        data = super().clean()
        if data.get("kind") == BulkAction.Kind.ERASE and not data.get("confirm"):
            self.add_error("confirm", _("Tick “I understand” to erase the candidates' data."))
        if data.get("kind") == BulkAction.Kind.STATUS and not data.get("status"):
            self.add_error("status", _("Choose the new status."))
        if data.get("kind") in (BulkAction.Kind.TAG, BulkAction.Kind.UNTAG) and not (data.get("tag") or "").strip():
            self.add_error("tag", _("Name the tag."))
        if data.get("scope") != self.SCOPE_MATCHING and not data.get("ids"):
            self.add_error(None, _("Select at least one response."))
        return data

    def action_params(self) -> dict:
        """The service's ``params`` of the chosen action (``services.bulk.bulk_action_start``)."""
        data = self.cleaned_data
        return {
            "status": data.get("status"),
            "email": data.get("email"),
            "comment": data.get("comment"),
            "candidate_reason": data.get("candidate_reason"),
            "tag": data.get("tag"),
            "format": data.get("format") or "xlsx",
        }


class TagForm(forms.Form):
    name = forms.CharField(label=_("Tag"), max_length=TAG_NAME_MAX_LENGTH)


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name of this filter"), max_length=80)
    filters = forms.CharField(required=False, max_length=2000)


class ColumnsForm(forms.Form):
    columns = forms.MultipleChoiceField(
        label=_("Columns"), choices=TABLE_COLUMNS, required=False, widget=forms.CheckboxSelectMultiple
    )
