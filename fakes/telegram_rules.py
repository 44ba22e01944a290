"""The Bot API's wire for the fake Telegram: decoding requests, input rules with Telegram's error descriptions,
posting updates to a webhook, the request handler.

The rules are pure functions over request parameters (a JSON body, or form fields whose objects arrive as JSON text, as
python-telegram-bot sends them). Each rule raises ``ApiError`` with the status and ``description`` the real
server answers (https://core.telegram.org/bots/api#making-requests).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler

MAX_TEXT = 4096  # characters of a message text after entity parsing, counted in UTF-16 code units
MAX_CALLBACK_DATA = 64  # bytes
MAX_BUTTONS = 100
MAX_CALLBACK_ANSWER = 200
TOKEN_FORMAT = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
UPDATE_TYPES = {"message", "edited_message", "callback_query", "my_chat_member", "chat_member", "inline_query"}

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
GET_UPDATES_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
BLOCKED = "Forbidden: bot was blocked by the user"


class ApiError(Exception):
    """An answer ``{"ok": false, "error_code": status, "description": ...}``; ``status`` 0 drops the connection."""

    def __init__(self, status: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict:
        body = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: BLOCKED,
    404: "Not Found",
    409: POLL_CONFLICT,
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --- parameters -------------------------------------------------------------------------------------------------
def integer(params: dict, name: str, *, required: bool = False, default: int | None = None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise ApiError(400, f"Bad Request: {name} is empty")
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f'Bad Request: invalid {name} specified: "{value}"') from None


def json_value(params: dict, name: str):
    """A field that is an object or an array: JSON text in a form body, a value in a JSON body."""
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value) if value else None
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    return value


def chat_id(params: dict) -> int:
    value = params.get("chat_id")
    if isinstance(value, str) and value.startswith("@"):
        raise ApiError(400, "Bad Request: chat not found")  # private chats have no public username
    return integer(params, "chat_id", required=True)


def allowed_updates(params: dict) -> list[str] | None:
    value = json_value(params, "allowed_updates")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ApiError(400, "Bad Request: can't parse allowed updates")
    return [item for item in value if item in UPDATE_TYPES]


# --- text -------------------------------------------------------------------------------------------------------
class _Html(HTMLParser):
    """Telegram's HTML style: a few tags, balanced, everything else escaped; keeps the plain text."""

    ALLOWED = {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler", "span",
        "blockquote", "tg-emoji",
    }  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.ALLOWED:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            expected = f'"</{self.open[-1]}>"' if self.open else "nothing"
            raise ApiError(
                400, f'Bad Request: can\'t parse entities: Unmatched end tag, expected {expected}, found "</{tag}>"'
            )
        self.open.pop()

    def handle_data(self, data):
        self.parts.append(data)


_MARKDOWN_V2_RESERVED = re.compile(r"(?<!\\)([.!\-=+#{}])")
_MARKDOWN_V2_MARKUP = re.compile(r"(?<!\\)[*_~|`]")


def plain_text(text: str, parse_mode: str | None) -> str:
    """The message as Telegram keeps it: markup parsed away, with Telegram's errors for malformed markup."""
    if not parse_mode:
        return text
    mode = parse_mode.lower()
    if mode == "html":
        if re.search(r"<(?![A-Za-z/])", text):
            raise ApiError(400, 'Bad Request: can\'t parse entities: Unsupported start tag ""')
        parser = _Html()
        parser.feed(text)
        parser.close()
        if parser.open:
            raise ApiError(
                400,
                "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
                f'"{parser.open[-1]}"',
            )
        return "".join(parser.parts)
    if mode == "markdownv2":
        reserved = _MARKDOWN_V2_RESERVED.search(text)
        if reserved:
            raise ApiError(
                400,
                f"Bad Request: can't parse entities: Character '{reserved.group(1)}' is reserved and must be escaped "
                "with the preceding '\\'",
            )
        return re.sub(r"\\(.)", r"\1", _MARKDOWN_V2_MARKUP.sub("", text))
    if mode == "markdown":
        return re.sub(r"(?<!\\)[*_`]", "", text)
    raise ApiError(400, f"Bad Request: unsupported parse_mode: {parse_mode}")


def message_text(params: dict) -> str:
    text = params.get("text")
    if text is None or text == "":
        raise ApiError(400, "Bad Request: message text is empty")
    text = plain_text(str(text), params.get("parse_mode"))
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_length(text) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def command_entities(text: str) -> list[dict]:
    """The ``bot_command`` entity Telegram adds to a message that starts with ``/command`` (``/start CODE``)."""
    match = re.match(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?", text)
    return [{"offset": 0, "length": utf16_length(match.group(0)), "type": "bot_command"}] if match else []


# --- keyboards --------------------------------------------------------------------------------------------------
def reply_markup(params: dict) -> tuple[dict | None, list[list[dict]]]:
    """(the markup to keep on the message, its inline buttons as rows of ``{text, callback_data}``)."""
    markup = json_value(params, "reply_markup")
    if markup is None:
        return None, []
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None, []  # reply keyboards and force_reply are not kept on the message
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(
            400, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise ApiError(400, "Bad Request: reply markup is too long")
    buttons = []
    for row in rows:
        kept = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str) or not button["text"]:
                raise ApiError(
                    400, 'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                kept.append({"text": button["text"], "callback_data": data})
            elif isinstance(button.get("url"), str):
                kept.append({"text": button["text"], "url": button["url"]})
            else:
                raise ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard",
                )
        buttons.append(kept)
    return {"inline_keyboard": buttons}, buttons


def webhook_url(params: dict) -> str:
    url = str(params.get("url") or "")
    # Telegram demands HTTPS on ports 443/80/88/8443; the fake also takes plain HTTP so a loopback receiver works.
    if url and not re.match(r"^https?://[^/\s]+", url):
        raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    return url


def secret_token(params: dict) -> str:
    secret = str(params.get("secret_token") or "")
    if secret and not SECRET_FORMAT.match(secret):
        raise ApiError(400, "Bad Request: secret token contains unallowed characters")
    return secret


# --- the wire ---------------------------------------------------------------------------------------------------
def post_update(url: str, secret: str, update: dict) -> tuple[int, str]:
    """(HTTP status, Telegram's ``last_error_message`` wording); status 0 when the webhook cannot be reached."""
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(update).encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (a loopback URL the bot set)
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"Wrong response from the webhook: {error.code} {error.reason}"
    except TimeoutError:
        return 0, "Read timeout expired"
    except (urllib.error.URLError, OSError) as error:
        return 0, str(getattr(error, "reason", error)) or "Connection refused"


def decode_request(handler, *, max_body: int) -> dict:
    """The parameters of a request: the query string, then a JSON or form body over it."""
    url = urllib.parse.urlsplit(handler.path)
    params = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
    length = int(handler.headers.get("Content-Length") or 0)
    if length > max_body:
        raise ApiError(413, "Request Entity Too Large")
    raw = handler.rfile.read(length) if length else b""
    content_type = (handler.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if raw and content_type == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: can't parse JSON")
        params.update(body)
    elif raw and content_type == "application/x-www-form-urlencoded":
        form = urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        params.update({k: v[-1] for k, v in form.items()})
    elif raw:
        raise ApiError(400, f"Bad Request: unsupported Content-Type {content_type!r} (the fake takes JSON and forms)")
    return params


def handler_for(fake, *, max_body: int):
    """The fake's request handler: Bot API calls to ``fake.handle_api``, ``/_fake/...`` to ``fake.handle_control``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep the test output quiet
            pass

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up

        def _handle(self):
            path = urllib.parse.urlsplit(self.path).path
            try:
                params = decode_request(self, max_body=max_body)
                if path.startswith("/_fake/"):
                    try:
                        self._answer(200, fake.handle_control(path.removeprefix("/_fake/").strip("/"), params))
                    except KeyError as error:
                        self._answer(404 if str(error).strip("'") in path else 400, {"error": f"missing {error}"})
                    except (ValueError, TypeError) as error:
                        self._answer(400, {"error": str(error)})
                    return
                parts = path.split("/")
                if len(parts) != 3 or not parts[1].startswith("bot") or not parts[2]:
                    raise ApiError(404, "Not Found")
                result = fake.handle_api(parts[1].removeprefix("bot"), parts[2], params)
                self._answer(200, {"ok": True, "result": result})
            except ApiError as error:
                if error.status == 0:
                    self.close_connection = True  # a network failure: no answer at all
                    return
                self._answer(error.status, error.body())

        do_GET = do_POST = _handle

    return Handler
