"""Reading answers the way a recruiter would: pure functions, English and Russian.

Each reader takes the candidate's words and returns a ``Reading`` (value, how it was read, whether it
is certain or unsure, and the words relied on); none touches Django or the database.

- ``read_number`` (``numbers.py``): 400k, 400 тыс., $400,000, полтора, 2-3, less than 2, since 2019.
- ``read_yes_no`` (``yesno.py``): idioms and double negatives (no problem, не против, of course not).
- ``read_choice`` / ``read_choices`` (``choices.py``): case, punctuation, look-alike letters, aliases,
  misspellings offered back.
- ``text.py``: the folding they share with the injection guard (NFKC, case, confusable letters).
- ``is_question`` / ``find_answer`` / ``vacancy_passages`` (``asked.py``, topics in ``topics.py``): questions
  candidates ask the bot ("Можно удалённо?"), and the passage of the vacancy or the company's answers that
  answers them, quoted.
"""

from .asked import Found, Passage, find_answer, is_question, vacancy_passages
from .choices import BUILTIN_ALIASES, read_choice, read_choices, split_choices
from .numbers import read_number
from .result import Reading
from .yesno import NO_WORDS, YES_WORDS, read_yes_no

__all__ = [
    "BUILTIN_ALIASES",
    "NO_WORDS",
    "YES_WORDS",
    "Found",
    "Passage",
    "Reading",
    "find_answer",
    "is_question",
    "read_choice",
    "read_choices",
    "read_number",
    "read_yes_no",
    "split_choices",
    "vacancy_passages",
]
