"""The one shape every reader returns."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Reading:
    """What a reader understood from the candidate's words, and how sure it is.

    - ``value``: a ``Decimal`` for numbers, ``"yes"``/``"no"`` for yes/no, the option's text (single
      choice) or a tuple of options in the question's order (multiple choice); ``None`` when nothing
      usable was read (also for a range that does not settle the rule).
    - ``how``: a short code for the way it was read: ``"literal"`` (the plain form), ``"magnitude"``
      (400k, 0.4 млн), ``"words"`` (five, полтора), ``"range"`` (2-3), ``"since_year"`` (since 2019),
      ``"duration"`` (5 лет и 3 месяца), ``"qualified"`` (less than 2), ``"negative"``, ``"idiom"``
      (no problem), ``"folded"`` (Mосква with a Latin M), ``"alias"`` (Питер), ``"index"`` (2 for the
      second option), ``"suggestion"`` (a close misspelling, offered back), ``"hedge"`` (не уверен),
      ``"unknown"`` (nothing read).
    - ``certain``: True only for a literal reading.
    - ``unsure``: the words do not settle the answer ("less than 2 years" for an at-least-2 rule,
      "maybe"); a caller asks again or for confirmation, never guesses.
    - ``words``: the part of the candidate's text the reading relied on.
    - ``qualifier``: for numbers, ``"lt"``, ``"le"``, ``"gt"``, ``"ge"``, ``"about"`` or ``""``.
    - ``low`` / ``high``: the bounds of a range ("2-3" → 2 and 3), else None.

    Example: ``read_number("400k")`` → ``Reading(value=Decimal("400000"), how="magnitude",
    certain=False, unsure=False, words="400k")``.
    """

    value: object
    how: str
    certain: bool = False
    unsure: bool = False
    words: str = ""
    qualifier: str = ""
    low: Decimal | None = None
    high: Decimal | None = None
