"""Keywords of a requirement, and finding them in a text: for the builtin evaluator and the receipts' relevance check.

Pure functions (no ORM, no request).
"""

from __future__ import annotations

import re

STOPWORDS = {
    "and", "or", "of", "the", "a", "an", "in", "on", "with", "for", "to", "at", "as", "by", "is", "be", "are",
    "experience", "years", "year", "knowledge", "good", "strong", "solid", "skills", "skill", "ability",
    "understanding", "working", "work", "plus", "least", "level", "basic", "advanced", "proficiency",
    "familiarity", "familiar", "using", "use", "able", "must", "nice", "have", "has", "etc",
    "и", "или", "в", "на", "с", "со", "по", "для", "от", "до", "не", "опыт", "опыта", "знание", "знания",
    "лет", "года", "год", "умение", "навыки", "работы", "работа", "хорошее", "уверенное", "понимание", "менее",
}  # fmt: skip
WORD_RE = re.compile(r"[\w+#.]+")


def keywords(text: str) -> list[str]:
    """The words of ``text`` worth looking for (lower case, no stop words, no bare numbers), in order, once each."""
    words = []
    for raw in WORD_RE.findall(text.lower()):
        word = raw.strip(".")
        if len(word) >= 2 and word not in STOPWORDS and not word.isdigit() and word not in words:
            words.append(word)
    return words


def found(word: str, corpus: str) -> int:
    """Where ``word`` starts in ``corpus`` (lower case) as a whole word, a Russian word by its stem; -1 if not.

    Python/Python'а match; Django/Джанго do not (no transliteration).
    """
    stem = word[:-2] if len(word) > 6 and re.search(r"[а-яё]", word) else word
    match = re.search(rf"(?<![\w+#]){re.escape(stem)}", corpus)
    return match.start() if match else -1
