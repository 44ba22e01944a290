"""Play a candidate in Telegram against the fake Telegram server, over HTTP (its ``/_fake/`` controls).

    python -m fakes.telegram_candidate --fake http://127.0.0.1:8702 \\
        --link "https://t.me/smartbot_demo_bot?start=CODE" [--user 5550001] \\
        [--answers "Moscow;5;yes;PostgreSQL,Redis"] [--interactive]

It sends ``/start CODE`` as the user, then over and over: waits until the bot has spoken and gone quiet,
prints what it said (buttons as ``[Label]``), and answers the bot's newest message. An answer that matches a
button's label presses that button; ``a,b`` whose parts all match buttons presses each, then a "Done"-like
button if there is one; anything else is typed. ``--interactive`` reads each answer from stdin instead
(``!2`` presses the second button; an empty line or end of input stops). It stops when the bot says the
screening is over, when the answers run out and the bot stays quiet, or after ``--quiet`` seconds of silence.
Exit status: 0 when the bot closed the screening, 2 otherwise.

The script imports no app: the bot on the other side is whatever serves the bot's webhook or polls the fake.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

# The bot's closing messages (chat/texts.py ``closing_text``, English and Russian) and plain "finished" wordings.
FINISHED = re.compile(
    r"passed the screening|answers have been sent to the recruiter|cannot move forward|screening is (over|finished)"
    r"|прошли скрининг|ответы отправлены рекрутеру|не сможем продолжить|скрининг (завершён|завершен|окончен)",
    re.IGNORECASE,
)
DONE_LABEL = re.compile(
    r"^(done|next|submit|confirm|ready|ok|готово|далее|дальше|подтвердить|отправить)\b", re.IGNORECASE
)
_MARKS = re.compile(r"^[\s\W_]+|[\s\W_]+$")  # check marks, emoji and brackets around a label ("✅ Redis")


class Fake:
    """The fake server's candidate controls, over HTTP."""

    def __init__(self, base_url: str, bot: str, user_id: int, first_name: str):
        self.base_url, self.bot, self.user_id, self.first_name = base_url.rstrip("/"), bot, user_id, first_name

    def _call(self, route: str, data: dict) -> dict:
        body = json.dumps({"bot": self.bot, "user_id": self.user_id, **data}).encode()
        request = urllib.request.Request(  # noqa: S310 (the fake's loopback URL from the command line)
            f"{self.base_url}/_fake/{route}", data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise SystemExit(f"the fake refused /_fake/{route}: {error.code} {error.read().decode(errors='replace')}")
        except urllib.error.URLError as error:
            raise SystemExit(f"cannot reach the fake Telegram at {self.base_url}: {error.reason}")

    def send(self, text: str) -> None:
        self._call("send", {"text": text, "first_name": self.first_name})

    def press(self, message_id: int, callback_data: str) -> None:
        self._call("press", {"message_id": message_id, "callback_data": callback_data})

    def chat(self) -> list[dict]:
        return self._call("chat", {})["messages"]


def parse_link(link: str) -> tuple[str, str]:
    """(bot username, start parameter) from ``https://t.me/<bot>?start=<code>`` or ``tg://resolve?domain=...``."""
    url = urllib.parse.urlsplit(link.strip())
    query = urllib.parse.parse_qs(url.query)
    bot = query["domain"][0] if url.scheme == "tg" else url.path.strip("/").split("/")[0]
    start = (query.get("start") or [""])[0]
    if not bot:
        raise SystemExit(f"not a bot link: {link}")
    return bot.lstrip("@"), start


def _plain(label: str) -> str:
    return _MARKS.sub("", label).casefold()


def _buttons(message: dict) -> list[dict]:
    return [button for row in message["buttons"] for button in row if "callback_data" in button]


def _snapshot(messages: list[dict]) -> dict:
    return {m["message_id"]: (m["text"], json.dumps(m["buttons"])) for m in messages}


class Candidate:
    """One conversation; ``out`` prints a line, ``ask`` reads one (interactive mode)."""

    def __init__(self, fake: Fake, *, quiet: float, settle: float = 0.6, out: Callable[[str], None] = print):
        self.fake, self.quiet, self.settle, self.out = fake, quiet, settle, out
        self.shown: dict = {}

    def wait_for_bot(self, quiet: float | None = None) -> list[dict] | None:
        """The chat once the bot has changed it and been still for ``settle`` seconds; None after ``quiet``."""
        deadline = time.monotonic() + (self.quiet if quiet is None else quiet)
        last, still_since = _snapshot(self.fake.chat()), time.monotonic()
        changed = last != self.shown
        while True:
            time.sleep(0.1)
            messages = self.fake.chat()
            current = _snapshot(messages)
            if current != last:
                last, still_since, changed = current, time.monotonic(), current != self.shown
            elif changed and time.monotonic() - still_since >= self.settle:
                self.show(messages)
                return messages
            if not changed and time.monotonic() > deadline:
                return None

    def show(self, messages: list[dict]) -> None:
        for message in messages:
            state = (message["text"], json.dumps(message["buttons"]))
            before = self.shown.get(message["message_id"])
            if before == state:
                continue
            label = "bot" if before is None else "bot (edited)"
            buttons = " ".join(f"[{b['text']}]" for b in _buttons(message))
            text = message["text"].replace("\n", "\n     ")
            self.out(f"{label}: {text}" + (f"\n     {buttons}" if buttons else ""))
            self.shown[message["message_id"]] = state

    def answer(self, message: dict, answer: str) -> None:
        """Press the matching button(s) of ``message`` or type ``answer`` (see the module's docstring)."""
        by_label = {_plain(b["text"]): b for b in _buttons(message)}
        if answer.startswith("!") and answer[1:].isdigit():
            buttons = _buttons(message)
            index = int(answer[1:]) - 1
            if 0 <= index < len(buttons):
                return self._press(message, buttons[index])
        if _plain(answer) in by_label:
            return self._press(message, by_label[_plain(answer)])
        parts = [part.strip() for part in answer.split(",") if part.strip()]
        if len(parts) > 1 and all(_plain(part) in by_label for part in parts):
            for part in parts:
                current = next((m for m in self.fake.chat() if m["message_id"] == message["message_id"]), message)
                button = {_plain(b["text"]): b for b in _buttons(current)}.get(_plain(part)) or by_label[_plain(part)]
                self._press(current, button)
                self.wait_for_bot(quiet=3.0)  # a multi-choice marks the option by editing the message
            current = next((m for m in self.fake.chat() if m["message_id"] == message["message_id"]), message)
            done = next((b for b in _buttons(current) if DONE_LABEL.match(_plain(b["text"]))), None)
            if done:
                self._press(current, done)
            return None
        self.out(f"you: {answer}")
        self.fake.send(answer)
        return None

    def _press(self, message: dict, button: dict) -> None:
        self.out(f"you: [{button['text']}]")
        self.fake.press(message["message_id"], button["callback_data"])


def play(
    fake: Fake,
    *,
    start: str,
    answers: list[str],
    interactive: bool = False,
    quiet: float = 15.0,
    settle: float = 0.6,
    out: Callable[[str], None] = print,
    ask: Callable[[str], str] = input,
) -> bool:
    """Play the conversation; True when the bot closed the screening."""
    candidate = Candidate(fake, quiet=quiet, settle=settle, out=out)
    first = f"/start {start}" if start else "/start"
    out(f"you: {first}")
    fake.send(first)
    pending = list(answers)
    while True:
        messages = candidate.wait_for_bot()
        if messages is None:
            out(f"(the bot said nothing for {quiet:g}s: stopping)")
            return False
        newest = messages[-1]
        if FINISHED.search(newest["text"]):
            out("(the screening is finished)")
            return True
        if interactive:
            for number, button in enumerate(_buttons(newest), 1):
                out(f"  !{number} = [{button['text']}]")
            try:
                answer = ask("> ").strip()
            except EOFError:
                answer = ""
            if not answer:
                return False
        elif pending:
            answer = pending.pop(0)
        else:
            out("(no answers left: stopping)")
            return False
        candidate.answer(newest, answer)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fake", default="http://127.0.0.1:8702", help="the fake Telegram's base URL")
    parser.add_argument("--link", required=True, help="the deep link, https://t.me/<bot>?start=<code>")
    parser.add_argument("--user", type=int, default=5550001, help="the candidate's Telegram user id")
    parser.add_argument("--first-name", default="Ivan")
    parser.add_argument("--answers", default="", help='answers in order, separated by ";" ("a,b" for several options)')
    parser.add_argument("--interactive", action="store_true", help="read each answer from stdin (!n presses button n)")
    parser.add_argument("--quiet", type=float, default=15.0, help="stop after this many seconds of silence")
    parser.add_argument("--settle", type=float, default=0.6, help="seconds the bot must be still before answering")
    args = parser.parse_args(argv)
    bot, start = parse_link(args.link)
    answers = [answer.strip() for answer in args.answers.split(";") if answer.strip()]
    fake = Fake(args.fake, bot, args.user, args.first_name)
    finished = play(
        fake, start=start, answers=answers, interactive=args.interactive, quiet=args.quiet, settle=args.settle
    )
    return 0 if finished else 2


if __name__ == "__main__":
    sys.exit(main())
