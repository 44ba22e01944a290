"""Validation of a screening question's definition: kind, options and knockout rule.

Pure functions (no ORM, no request) shared by the model, the forms, the admin
and the API, so that a question is judged the same way everywhere.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

KINDS = ("text", "yes_no", "number", "single_choice", "multiple_choice")
CHOICE_KINDS = ("single_choice", "multiple_choice")
RULES_BY_KIND = {
    "text": {""},
    "yes_no": {"", "must_equal"},
    "number": {"", "at_least", "at_most"},
    "single_choice": {"", "one_of"},
    "multiple_choice": {"", "one_of"},
}
MAX_OPTIONS = 20
MAX_OPTION_LENGTH = 100


def clean_options(options) -> list[str]:
    """Strip, drop empties and duplicates (case-insensitively), keep order."""
    if isinstance(options, str):
        options = options.splitlines()
    seen, result = set(), []
    for option in options or []:
        text = str(option).strip()
        if text and text.lower() not in seen:
            seen.add(text.lower())
            result.append(text)
    return result


# The expected answer of a yes/no rule may be typed in either interface language.
_YES_NO_VALUES = {"yes": "yes", "y": "yes", "да": "yes", "no": "no", "n": "no", "нет": "no"}


def yes_no_value(value) -> str | None:
    """'yes' or 'no' for a yes/no rule's expected answer (English or Russian), else None."""
    return _YES_NO_VALUES.get(str(value or "").strip().lower())


def parse_decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def rule_errors(*, kind, options, knockout, knockout_value, allowed_options) -> dict[str, str]:
    """Return field -> message for everything wrong with a question definition."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        return {"kind": _("Unknown answer kind.")}
    options = options or []
    allowed_options = allowed_options or []
    # The admin and the API hand over raw JSON: anything but a list of texts is refused, not crashed on.
    if not isinstance(options, list | tuple) or not all(isinstance(o, str) for o in options):
        return {"options": _("Options must be a list of texts.")}
    if not isinstance(allowed_options, list | tuple) or not all(isinstance(o, str) for o in allowed_options):
        return {"allowed_options": _("Allowed options must be a list of texts.")}
    if kind in CHOICE_KINDS:
        if len(options) < 2:
            errors["options"] = _("A choice question needs at least two options.")
        elif len(options) > MAX_OPTIONS:
            errors["options"] = _("At most %(n)d options.") % {"n": MAX_OPTIONS}
        elif any(len(str(o)) > MAX_OPTION_LENGTH for o in options):
            errors["options"] = _("An option is at most %(n)d characters.") % {"n": MAX_OPTION_LENGTH}
    elif options:
        errors["options"] = _("Only choice questions have options.")
    if knockout not in RULES_BY_KIND[kind]:
        errors["knockout"] = _("This rule does not apply to this kind of answer.")
        return errors
    if knockout == "must_equal" and yes_no_value(knockout_value) is None:
        errors["knockout_value"] = _("Enter 'yes' or 'no'.")
    if knockout in ("at_least", "at_most") and parse_decimal(knockout_value) is None:
        errors["knockout_value"] = _("Enter a number.")
    if knockout == "one_of":
        if not allowed_options:
            errors["allowed_options"] = _("Choose at least one allowed option.")
        elif not set(allowed_options) <= set(options):
            errors["allowed_options"] = _("Allowed options must be among the question's options.")
    elif allowed_options:
        errors["allowed_options"] = _("Allowed options only go with the 'choice within allowed options' rule.")
    return errors
