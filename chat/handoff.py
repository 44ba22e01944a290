"""Does a candidate's message ask for a person, or complain about the bot? A pure detector, English and Russian.

``handoff_reason(text, strict=...)`` returns ``"asked"``, ``"complained"`` (``HumanRequest.Reason`` values) or None.
It errs on the side of not triggering: a message that merely mentions a job ("I worked as an operator",
"работал менеджером") must stay an answer. So a request needs a request's shape: a wish or an imperative with a
verb of talking and a person ("can I talk to a human", "позовите менеджера", "хочу поговорить с человеком"), or
a phrase that only means that ("live agent", "живой человек"). A bare word ("operator", "человек") is a request
only when the awaited question does not take free text (``strict=False``): as the answer to "What was your last
job?" it is an answer. A complaint ("this bot is useless", "бот тупой") wins over a request in the same message.
"""

from __future__ import annotations

import re

ASKED = "asked"
COMPLAINED = "complained"

# Longer messages are answers or essays, not a call for help (and are not scanned at all).
MAX_CHARS = 300

_EN_WHO = (
    r"(?:(?:a|an|the|some|any|your|real|live|actual|alive)\s+)*"
    r"(?:human(?:\s+being)?|person|operator|agent|recruiter|manager|hr(?:\s+person)?|representative|rep|"
    r"someone|somebody|anyone|anybody|staff(?:\s+member)?|employee|consultant)"
)
_EN_LEAD = (
    r"(?:i(?:\s+(?:want|wanna|need|would\s+like|would\s+rather|prefer)|'d\s+(?:like|rather|prefer)|d\s+like)|"
    r"can\s+i|could\s+i|may\s+i|let\s+me|please|pls|plz|is\s+it\s+possible|i\s+wish)"
)
_EN_TALK = r"(?:talk|speak|chat|communicate|be\s+connected|get\s+in\s+touch|have\s+a\s+word)"

_REQUEST_PATTERNS = [
    # "can I talk to a human", "I'd like to speak with a recruiter", "please talk to a person"
    rf"\b{_EN_LEAD}\s+(?:to\s+)?{_EN_TALK}\s+(?:to|with)\s+{_EN_WHO}\b",
    # Imperatives at the start: "talk to a human", "connect me with a manager", "get me a person"
    rf"^(?:(?:please|pls|ok|okay|hey|hi)[\s,]+)?(?:talk|speak)\s+(?:to|with)\s+{_EN_WHO}\b",
    rf"\b(?:connect|transfer|put|switch|forward)\s+me\s+(?:through\s+)?(?:to|with)\s+{_EN_WHO}\b",
    rf"\b(?:get|give|find|bring|call)\s+me\s+{_EN_WHO}\b",
    rf"^(?:(?:please|pls)\s+)?(?:i\s+(?:want|need)|can\s+i\s+(?:get|have)|is\s+there)\s+{_EN_WHO}"
    r"(?:\s+(?:please|pls|here|i\s+can\s+talk\s+to|to\s+talk\s+to))*\s*$",
    r"\b(?:human|person|operator|agent|manager|recruiter)\s+(?:please|pls|plz)\b",
    r"\b(?:live|real)\s+(?:agent|operator|human\s+being)\b",
    r"\bno\s+more\s+bots?\b|\bstop\s+the\s+bot\b",
    # Russian: "позовите менеджера", "соедините с оператором", "свяжите меня с рекрутером"
    r"(?<!\w)(?:позовите|позови|позвать|пригласите|пригласи|соедините|соедини|свяжите|свяжи|переключите|"
    r"переключи|подключите|подключи|переведите|переведи|дайте|дай|нужен|нужна|требуется)"
    r"(?:\s+(?:мне|меня|пожалуйста|уже|с|на|со|хоть|какого-нибудь|кого-нибудь|живого|живой|настоящего|"
    r"настоящий|нормального|нормальный))*\s+"
    r"(?:человека|человек|менеджера|менеджер|менеджером|оператора|оператор|оператором|рекрутера|рекрутер|"
    r"рекрутером|сотрудника|сотрудник|сотрудником|специалиста|специалистом|эйчара|эйчаром|hr|кого-то|кого-нибудь|"
    r"человеком|людьми|живым)(?!\w)",
    # "хочу поговорить с человеком", "можно связаться с менеджером?"
    r"(?<!\w)(?:хочу|хотел\w*|хотела|можно|могу\s+ли|нужно|надо|мне\s+бы|дайте|давайте|как|где|прошу)"
    r"(?:\s+\w+){0,2}?\s+(?:поговорить|пообщаться|связаться|общаться|переписываться|говорить|созвониться|"
    r"побеседовать)(?:\s+\w+)?\s+(?:с|со)\s+"
    r"(?:живым\s+|настоящим\s+|реальным\s+)?(?:человеком|менеджером|оператором|рекрутером|сотрудником|"
    r"специалистом|эйчаром|hr|кем-то|кем-нибудь|людьми|живым)(?!\w)",
    # Only ever a request: "живой человек", "с живым человеком", "оператора!", "человека, пожалуйста"
    r"(?<!\w)жив(?:ой|ого|ым|ому)\s+(?:человек\w*|оператор\w*|менеджер\w*|сотрудник\w*)",
    r"(?<!\w)(?:человека|оператора|менеджера|рекрутера|сотрудника)\s*(?:,\s*)?(?:пожалуйста|плиз|срочно)(?!\w)",
    r"(?<!\w)(?:не\s+с\s+ботом|без\s+бота|хватит\s+бота)(?!\w)",
]
_REQUEST_RE = [re.compile(p) for p in _REQUEST_PATTERNS]

# The whole message is a person's name for themselves: a request only when no free-text answer is awaited.
_BARE_RE = re.compile(
    r"^(?:(?:a|an|the|real|live)\s+)*(?:human|human\s+being|person|operator|agent|manager|recruiter|hr|"
    r"representative|somebody|someone)(?:\s+(?:please|pls|plz|now))?$|"
    r"^(?:живой\s+|живого\s+)?(?:человек|человека|оператор|оператора|менеджер|менеджера|рекрутер|рекрутера|"
    r"сотрудник|сотрудника|эйчар)(?:\s+(?:пожалуйста|плиз|срочно))?$"
)

_EN_BOT = r"(?:bot|robot|chatbot|chat\s*bot|machine|thing|system|assistant|ai|chat)"
_EN_BAD = (
    r"(?:useless|stupid|dumb|idiotic|terrible|awful|horrible|pointless|broken|garbage|trash|rubbish|a\s+joke|"
    r"ridiculous|annoying|retarded|crap|crappy|worthless|not\s+helpful|not\s+working|so\s+bad)"
)
_COMPLAINT_PATTERNS = [
    rf"\b(?:stupid|dumb|useless|idiotic|terrible|awful|horrible|annoying|pointless|broken|worthless|crappy|"
    rf"fucking|damn|bloody)\s+{_EN_BOT}\b",
    rf"\b(?:the\s+|this\s+|your\s+)?(?:{_EN_BOT}|you|this)(?:\s+(?:is|are)|'s|'re)\s+"
    rf"(?:so\s+|really\s+|completely\s+|totally\s+|absolutely\s+|just\s+|very\s+)?{_EN_BAD}\b",
    rf"\b(?:{_EN_BOT}|you)\s+(?:sucks?|doesn'?t\s+work|does\s+not\s+work|don'?t\s+work|never\s+works)\b",
    r"\byou(?:\s+(?:do\s+not|don'?t|are\s+not|aren'?t)|'re\s+not)\s+(?:understand\w*|listen\w*|get\s+it|"
    r"help\w*)\b",
    r"\b(?:waste\s+of\s+(?:my\s+)?time|this\s+is\s+(?:ridiculous|absurd|nonsense|a\s+joke))\b",
    # Russian
    r"(?<!\w)(?:туп\w*|глуп\w*|бесполезн\w*|ужасн\w*|дурац\w*|идиотск\w*|кривой|кривая|убог\w*|бестолков\w*)\s+"
    r"(?:бот\w*|робот\w*|машин\w*|чат\w*|программ\w*|железк\w*|ассистент\w*|ии)(?!\w)",
    r"(?<!\w)(?:бот|робот|чат-бот|чатбот|ты|вы|чат|это)\s+(?:какой-то\s+|совсем\s+|очень\s+|просто\s+|"
    r"вообще\s+|реально\s+|полностью\s+)?(?:туп\w*|бесполез\w*|глуп\w*|ужас\w*|бестолков\w*|дурак|идиот\w*|"
    r"не\s+работает|не\s+помогает|издевательство|бред)(?!\w)",
    r"(?<!\w)(?:ты|вы)\s+(?:меня\s+)?(?:ничего\s+|вообще\s+|совсем\s+)?не\s+(?:понима\w*|слыш\w*)(?!\w)",
    r"(?<!\w)(?:что\s+за\s+бред|какой\s+бред|это\s+бред|надоел\w*\s+(?:бот\w*|ты|вы)|бесишь|бесит\s+бот)(?!\w)",
]
_COMPLAINT_RE = [re.compile(p) for p in _COMPLAINT_PATTERNS]

_SPACES = re.compile(r"[\s,;]+")
_EDGE = re.compile(r"^[\s.,!?;:…\"'«»()-]+|[\s.,!?;:…\"'«»()-]+$")


def normalize(text: str) -> str:
    """Lower case (``casefold``), ё as е, curly apostrophes straight, commas as spaces, one space between words,
    no punctuation at either end."""
    folded = text.casefold().replace("ё", "е").replace("’", "'").replace("ʼ", "'")
    return _EDGE.sub("", _SPACES.sub(" ", folded))


def handoff_reason(text: str, *, strict: bool = False) -> str | None:
    """``COMPLAINED`` if ``text`` complains about the bot, ``ASKED`` if it asks for a person, else None. Pure.

    ``strict``: the awaited question takes free text, so a bare word ("operator") is an answer, not a request.
    Messages over ``MAX_CHARS`` characters are answers (None).
    """
    if not text or len(text) > MAX_CHARS:
        return None
    folded = normalize(text)
    if not folded:
        return None
    if any(pattern.search(folded) for pattern in _COMPLAINT_RE):
        return COMPLAINED
    if any(pattern.search(folded) for pattern in _REQUEST_RE):
        return ASKED
    if not strict and _BARE_RE.match(folded):
        return ASKED
    return None
