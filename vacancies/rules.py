"""A screening question's definition in one place: the kinds, the knockout rules, which go together, and their words.

Pure (no ORM, no request). The model's choices, the editor's form and script
(through ``editor_spec`` and ``json_script``), the API, the admin and the AI
suggestions all build from this module, so a question is judged and described
the same way everywhere.
"""

import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Kind(models.TextChoices):
    """What kind of answer a question expects."""

    TEXT = "text", gettext_lazy("Free text")
    YES_NO = "yes_no", gettext_lazy("Yes / no")
    NUMBER = "number", gettext_lazy("Number")
    SINGLE_CHOICE = "single_choice", gettext_lazy("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", gettext_lazy("Multiple choice")


class Knockout(models.TextChoices):
    """A knockout rule: an answer that fails it rejects the candidate."""

    NONE = "", gettext_lazy("No knockout rule")
    MUST_EQUAL = "must_equal", gettext_lazy("Answer must equal")
    AT_LEAST = "at_least", gettext_lazy("Number at least")
    AT_MOST = "at_most", gettext_lazy("Number at most")
    ONE_OF = "one_of", gettext_lazy("Choice within allowed options")


class Unit(models.TextChoices):
    """The unit a number question's answer is read in ("6 месяцев" is 0.5 for years, 6 for months)."""

    NONE = "", gettext_lazy("No unit")
    YEARS = "years", gettext_lazy("Years")
    MONTHS = "months", gettext_lazy("Months")
    MONEY_MONTH = "money_month", gettext_lazy("Money per month")


KINDS: tuple[str, ...] = tuple(Kind.values)
KNOCKOUTS: tuple[str, ...] = tuple(Knockout.values)
# Kinds whose answer is picked from ``options``.
CHOICE_KINDS: tuple[str, ...] = (Kind.SINGLE_CHOICE.value, Kind.MULTIPLE_CHOICE.value)
# Rules compared with ``knockout_value`` (the others use ``allowed_options`` or nothing).
VALUE_RULES: tuple[str, ...] = (Knockout.MUST_EQUAL.value, Knockout.AT_LEAST.value, Knockout.AT_MOST.value)
OPTIONS_RULES: tuple[str, ...] = (Knockout.ONE_OF.value,)
# Rules that may have a review band (``review_value``): a number between it and the knockout value needs a person.
REVIEW_RULES: tuple[str, ...] = (Knockout.AT_LEAST.value, Knockout.AT_MOST.value)
# Kinds whose answer is read in a unit (``unit``), and kinds whose options may have aliases (``aliases``).
UNIT_KINDS: tuple[str, ...] = (Kind.NUMBER.value,)
ALIAS_KINDS: tuple[str, ...] = CHOICE_KINDS
RULES_BY_KIND: dict[str, frozenset[str]] = {
    Kind.TEXT.value: frozenset({""}),
    Kind.YES_NO.value: frozenset({"", Knockout.MUST_EQUAL.value}),
    Kind.NUMBER.value: frozenset({"", Knockout.AT_LEAST.value, Knockout.AT_MOST.value}),
    Kind.SINGLE_CHOICE.value: frozenset({"", Knockout.ONE_OF.value}),
    Kind.MULTIPLE_CHOICE.value: frozenset({"", Knockout.ONE_OF.value}),
}
# A question's own fields, as every door hands them to the services.
QUESTION_FIELDS = (
    "text",
    "kind",
    "options",
    "knockout",
    "knockout_value",
    "allowed_options",
    "review_value",
    "unit",
    "aliases",
    "weight",
    "required",
)
# The fields a verdict depends on: what ``rule_snapshot`` keeps with each answer.
RULE_FIELDS = ("kind", "knockout", "knockout_value", "allowed_options", "review_value", "unit")
MAX_OPTIONS = 20
MAX_OPTION_LENGTH = 100


def editor_spec() -> dict:
    """What the question editor's script needs to know, as JSON-ready data (for ``json_script``).

    ``{"rules_by_kind": {kind: [rule, ...]}, "choice_kinds": [...], "value_rules": [...],
    "options_rules": [...], "value_hints": {rule: placeholder}, "review_rules": [...],
    "review_hints": {rule: placeholder}, "unit_kinds": [...], "alias_kinds": [...], "units": [unit, ...]}``;
    the hints in the active language.
    """
    number_hint = _("a number, e.g. 3")
    return {
        "rules_by_kind": {kind: sorted(rules) for kind, rules in RULES_BY_KIND.items()},
        "choice_kinds": list(CHOICE_KINDS),
        "value_rules": list(VALUE_RULES),
        "options_rules": list(OPTIONS_RULES),
        "value_hints": {
            Knockout.MUST_EQUAL.value: _("yes or no"),
            Knockout.AT_LEAST.value: number_hint,
            Knockout.AT_MOST.value: number_hint,
        },
        "review_rules": list(REVIEW_RULES),
        "review_hints": {
            Knockout.AT_LEAST.value: _("optional, below the knockout value, e.g. 2"),
            Knockout.AT_MOST.value: _("optional, above the knockout value, e.g. 400000"),
        },
        "unit_kinds": list(UNIT_KINDS),
        "alias_kinds": list(ALIAS_KINDS),
        "units": list(Unit.values),
    }


def rule_snapshot(question) -> dict:
    """The rule a verdict depends on, as JSON-ready data: ``{field: value}`` for ``RULE_FIELDS``.

    ``question``: anything with those attributes (a ``ScreeningQuestion``, a ``screening.scoring.QuestionSpec``).
    Stored with each answer (``Answer.rule``), so an old verdict is shown next to the rule that gave it.
    """
    snapshot = {}
    for name in RULE_FIELDS:
        value = getattr(question, name, "")
        snapshot[name] = list(value) if isinstance(value, list | tuple) else (value or "")
    return snapshot


def rule_is_other(stored: dict, current: dict) -> bool:
    """Whether an answer judged by ``stored`` was judged by another rule than ``current`` (``{}``: unknown, so yes).

    Only the fields the stored snapshot has are compared: a field added to ``RULE_FIELDS`` later does not make
    every older answer stale.
    """
    if not stored:
        return True
    return any(stored[name] != current[name] for name in stored if name in current)


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


def number_text(value) -> str:
    """A rule's number as people write it: "3", "2.5", "200000" (no exponent, no trailing zeros)."""
    number = parse_decimal(value)
    return str(value).strip() if number is None else format(number.normalize(), "f")


def question_normalise(item: Mapping) -> dict:
    """One question's fields (any of ``QUESTION_FIELDS`` in ``item``), cleaned.

    Options as a list, allowed options spelled as the options are, the
    knockout value only where the rule uses it ("yes"/"no", or a plain number).
    Fields ``item`` leaves out are left out, except the definition's own five,
    which come back blank.
    """
    data = {field: item[field] for field in QUESTION_FIELDS if field in item}
    data["text"] = str(data.get("text", "")).strip()
    data["options"] = clean_options(data.get("options") or [])
    data["knockout"] = data.get("knockout") or ""
    allowed = clean_options(data.get("allowed_options") or [])
    # Match allowed options to the options whatever the case, so "moscow" means "Moscow".
    by_lower = {option.lower(): option for option in data["options"]}
    data["allowed_options"] = [by_lower.get(option.lower(), option) for option in allowed]
    value = str(data.get("knockout_value") or "").strip()
    if data["knockout"] == Knockout.MUST_EQUAL:
        value = yes_no_value(value) or value.lower()
    elif data["knockout"] in (Knockout.AT_LEAST, Knockout.AT_MOST):
        if parse_decimal(value) is not None:
            value = number_text(value)
    else:
        value = ""
    data["knockout_value"] = value
    review = str(data.get("review_value") or "").strip()
    if data["knockout"] in (Knockout.AT_LEAST, Knockout.AT_MOST) and review:
        data["review_value"] = number_text(review) if parse_decimal(review) is not None else review
    else:
        data["review_value"] = ""
    data["unit"] = str(data.get("unit") or "") if data.get("kind") == Kind.NUMBER else ""
    data["aliases"] = clean_aliases(data.get("aliases"), data["options"]) if data.get("kind") in CHOICE_KINDS else {}
    return data


def clean_aliases(aliases, options) -> dict[str, list[str]]:
    """Aliases per option as ``{option: [name, ...]}``, keyed by the options' own spelling (case-insensitively).

    ``aliases``: such a mapping, or text with one option per line, ``Option: name, name``. Empty names and
    duplicates are dropped; an option the question does not have is kept as written, so that ``rule_errors``
    tells the recruiter (a misspelt option would otherwise lose its aliases unseen).
    """
    if isinstance(aliases, str):
        parsed: dict[str, list[str]] = {}
        for line in aliases.splitlines():
            option, sep, names = line.partition(":")
            if sep:
                parsed.setdefault(option.strip(), []).extend(names.split(","))
        aliases = parsed
    if not isinstance(aliases, Mapping):
        return {}
    by_lower = {option.lower(): option for option in options}
    result: dict[str, list[str]] = {}
    for option, names in aliases.items():
        own = by_lower.get(str(option).strip().lower(), str(option).strip())
        if not own or not isinstance(names, list | tuple):
            continue
        kept = [name for name in clean_options([str(n) for n in names]) if name.lower() != own.lower()]
        if kept:
            # Not cut at MAX_OPTIONS: rule_errors refuses too many rather than dropping some unseen.
            result[own] = clean_options([*result.get(own, []), *kept])
    return result


def _same_name(text) -> str:
    # How two names are compared for a clash: Unicode-normalised, case-folded, inner spaces collapsed.
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def _review_error(*, knockout, knockout_value, review_value) -> str | None:
    """What is wrong with a review band (see ``rule_errors``), or None."""
    if knockout not in REVIEW_RULES:
        return _("A review band only goes with the “at least” and “at most” rules.")
    band = parse_decimal(review_value)
    if band is None:
        return _("Enter a number.")
    limit = parse_decimal(knockout_value)
    if limit is None:
        return None  # the knockout value's own error says what to fix first
    if knockout == Knockout.AT_LEAST and band >= limit:
        return _("With “at least”, the review band starts below the knockout value (e.g. at least 3, review from 2).")
    if knockout == Knockout.AT_MOST and band <= limit:
        return _(
            "With “at most”, the review band ends above the knockout value (e.g. at most 350000, review up to 400000)."
        )
    return None


def _aliases_error(*, kind, options, aliases) -> str | None:
    """What is wrong with a choice question's aliases (see ``rule_errors``), or None."""
    if not isinstance(aliases, Mapping) or not all(
        isinstance(option, str) and isinstance(names, list | tuple) and all(isinstance(n, str) for n in names)
        for option, names in aliases.items()
    ):
        return _("Aliases must give each option a list of names.")
    if not aliases:
        return None
    if kind not in ALIAS_KINDS:
        return _("Only choice questions have aliases.")
    owner_of = {_same_name(option): option for option in options}
    for option, names in aliases.items():
        if option not in options:
            return _("“%(option)s” is not one of the options; write it as the option is written.") % {"option": option}
        if len(names) > MAX_OPTIONS:
            return _("At most %(n)d aliases per option.") % {"n": MAX_OPTIONS}
        for name in names:
            if len(name) > MAX_OPTION_LENGTH:
                return _("An alias is at most %(n)d characters.") % {"n": MAX_OPTION_LENGTH}
            if "," in name:
                # The editor writes aliases comma-separated: one with a comma would come back as two.
                return _("An alias cannot contain a comma: “%(name)s”.") % {"name": name}
            if name.strip().isdigit():
                # A number answers by the option's position ("2" is the second option): it cannot be a name.
                return _("An alias cannot be a number (“%(name)s”): numbers choose options by position.") % {
                    "name": name
                }
            owner = owner_of.setdefault(_same_name(name), option)
            if owner == option:
                continue
            if owner in options and _same_name(owner) == _same_name(name):
                return _("“%(name)s” is the name of another option.") % {"name": name}
            # The reader could not tell which option a candidate meant.
            return _("“%(name)s” is an alias of both “%(first)s” and “%(second)s”.") % {
                "name": name,
                "first": owner,
                "second": option,
            }
    return None


def rule_errors(
    *, kind, options, knockout, knockout_value, allowed_options, review_value="", unit="", aliases=None
) -> dict[str, str]:
    """Return field -> message for everything wrong with a question definition ({} when it is valid).

    Besides the kind, options and knockout rule: ``review_value`` (a number, only for "at least" / "at most",
    on the failing side of ``knockout_value``: at least 3 with review from 2; at most 350000 with review up to
    400000), ``unit`` (a ``Unit``, only for number questions) and ``aliases`` (``{option: [name, ...]}`` for
    choice questions: each key one of ``options``, no name another option's name, an alias of two options or
    with a comma).
    The three have defaults, so callers that judge only a rule can leave them out.
    """
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
    unit = unit or ""
    if unit not in Unit.values:
        errors["unit"] = _("Unknown unit.")
    elif unit and kind not in UNIT_KINDS:
        errors["unit"] = _("Only number questions have a unit.")
    alias_error = _aliases_error(kind=kind, options=options, aliases={} if aliases is None else aliases)
    if alias_error:
        errors["aliases"] = alias_error
    if knockout not in RULES_BY_KIND[kind]:
        errors["knockout"] = _("This rule does not apply to this kind of answer.")
        return errors
    if knockout == Knockout.MUST_EQUAL and yes_no_value(knockout_value) is None:
        errors["knockout_value"] = _("Enter 'yes' or 'no'.")
    if knockout in (Knockout.AT_LEAST, Knockout.AT_MOST) and parse_decimal(knockout_value) is None:
        errors["knockout_value"] = _("Enter a number.")
    if knockout == Knockout.ONE_OF:
        if not allowed_options:
            errors["allowed_options"] = _("Choose at least one allowed option.")
        elif not set(allowed_options) <= set(options):
            errors["allowed_options"] = _("Allowed options must be among the question's options.")
    elif allowed_options:
        errors["allowed_options"] = _("Allowed options only go with the 'choice within allowed options' rule.")
    review_value = "" if review_value is None else review_value
    if not isinstance(review_value, str | int | float | Decimal) or isinstance(review_value, bool):
        errors["review_value"] = _("Enter a number.")
    elif str(review_value).strip():
        review_error = _review_error(knockout=knockout, knockout_value=knockout_value, review_value=review_value)
        if review_error:
            errors["review_value"] = review_error
    return errors


def rule_text(*, kind, knockout, knockout_value, allowed_options, review_value="") -> str:
    """The knockout rule in words, as the candidate's answer must be: "must be at least 3"; "" without a rule.

    With a review band (``review_value``, number rules): "must be at least 3; 2 to 3 goes to review".
    The one wording of a rule: the vacancy page, the response page and the
    rejection reasons all use it (through ``ScreeningQuestion.rule_text`` or
    ``screening.scoring``). Translated into the active language.
    """
    if knockout == Knockout.MUST_EQUAL:
        expected = _("yes") if yes_no_value(knockout_value) == "yes" else _("no")
        return _("must be “%(value)s”") % {"value": expected}
    if knockout in (Knockout.AT_LEAST, Knockout.AT_MOST):
        limit = number_text(knockout_value)
        if knockout == Knockout.AT_LEAST:
            words = _("must be at least %(value)s") % {"value": limit}
        else:
            words = _("must be at most %(value)s") % {"value": limit}
        if parse_decimal(review_value) is None:
            return words
        band = number_text(review_value)
        low, high = (band, limit) if knockout == Knockout.AT_LEAST else (limit, band)
        return _("%(rule)s; %(low)s to %(high)s goes to review") % {"rule": words, "low": low, "high": high}
    if knockout == Knockout.ONE_OF:
        allowed = ", ".join(str(option) for option in allowed_options or [])
        if kind == Kind.MULTIPLE_CHOICE:
            return _("must include one of: %(options)s") % {"options": allowed}
        return _("must be one of: %(options)s") % {"options": allowed}
    return ""
