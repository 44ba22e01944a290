"""What Telegram shows of the chat (``chat.telegram.render``, pure): lines, buttons, and the buttons' data, which
is parsed strictly (anything we did not write is ignored) and always fits Telegram's 64 bytes."""

import pytest

from chat.telegram import render

BIG = 2**63 - 1


def _question(**fields):
    return {"id": BIG, "kind": "text", "options": [], "required": True, **fields}


def _data(keyboard):
    return [data for row in keyboard for _label, data in row]


def test_lines_as_telegram_shows_them():
    assert render.line_text(sender="bot", text="Hi!") == "Hi!"
    assert render.line_text(sender="recruiter", text="Hello", author_name="Roman") == "Roman: Hello"
    assert render.line_text(sender="system", text="Roman joined the chat") == "— Roman joined the chat —"
    assert render.line_text(sender="candidate", text="5", from_telegram=True) is None
    assert render.line_text(sender="candidate", text="5") == "You (on the web): 5"
    assert len(render.line_text(sender="recruiter", text="x" * 4000, author_name="y" * 200)) == render.MAX_TEXT


def test_yes_no_single_and_optional_questions_get_their_buttons():
    keyboard = render.question_keyboard(_question(kind="yes_no", options=["yes", "no"], required=False))
    assert [[label for label, _data in row] for row in keyboard] == [["Yes", "No"], ["Skip"]]
    assert _data(keyboard) == [f"a1:{BIG}:0", f"a1:{BIG}:1", f"k1:{BIG}"]
    keyboard = render.question_keyboard(_question(kind="single_choice", options=["A", "B" * 300]))
    assert keyboard[1][0][0].endswith("…") and len(keyboard[1][0][0]) == render.MAX_LABEL
    assert render.question_keyboard(_question()) == []  # typed


def test_multiple_choice_toggles_carry_the_selection_and_done_sends_it():
    options = [f"option {i}" for i in range(20)]
    keyboard = render.question_keyboard(_question(kind="multiple_choice", options=options), mask=0b101)
    labels = [label for row in keyboard for label, _data in row]
    assert labels[:3] == ["✓ option 0", "option 1", "✓ option 2"] and labels[-1] == "Done"
    toggle = render.callback_parse(keyboard[1][0][1])
    assert (toggle.kind, toggle.index) == ("toggle", 0b111)
    done = render.callback_parse(keyboard[-1][0][1])
    assert (done.kind, done.index) == ("done", 0b101)
    assert render.mask_options(options, done.index) == ["option 0", "option 2"]
    full = render.question_keyboard(_question(kind="multiple_choice", options=options), mask=2**20 - 1)
    assert all(len(data.encode()) <= render.MAX_CALLBACK_BYTES for data in _data(full))


def test_a_read_back_shows_its_two_options():
    confirm = {"text": "So, yes?", "options": [{"value": "yes", "label": "Yes, that's right"},
                                               {"value": "no", "label": "No, let me correct it"}]}  # fmt: skip
    keyboard = render.question_keyboard(_question(kind="yes_no", confirm=confirm))
    assert _data(keyboard) == [f"c1:{BIG}:y", f"c1:{BIG}:n"]
    assert render.callback_parse(f"c1:{BIG}:n").value == "no"


def test_slots_and_the_person_button():
    payload = {"slots": [{"id": 7, "label": "Thursday 10:00"}, {"id": "x"}, "junk"]}
    assert render.slots_keyboard(payload) == [[("Thursday 10:00", "s1:7")]]
    assert render.slots_keyboard({"booked": 3}) == [] and render.slots_keyboard(None) == []
    assert render.human_keyboard() == [[("Talk to a person", "h1")]]
    assert render.callback_parse("s1:7").slot_id == 7 and render.callback_parse("h1").kind == "human"


@pytest.mark.parametrize(
    "data",
    ["", "h2", "h1 ", "a1:0:1", "a1:-1:0", "a1:12", "a1:1:100", "a2:1:0", "m1:1:fffff0", "m1:1:G", "M1:1:",
     "c1:1:x", "s1:", "s1:01", "k1:1:2", "a1:" + "9" * 40 + ":0", None, 5, "m1:1:100000"],
)  # fmt: skip
def test_garbage_is_ignored(data):
    assert render.callback_parse(data) is None
