"""chat.frames without a socket: the frames of a turn, and the readers of a client's frame fields."""

from types import SimpleNamespace

import pytest

from chat import frames as f
from chat.services import ChatContext, Turn


def _question(pk, kind="text"):
    return SimpleNamespace(pk=pk, kind=kind, text=f"Question {pk}?", options=[], required=True)


def _message(pk, sender, author=None):
    return SimpleNamespace(
        pk=pk, sender=sender, author=author, author_id=author and 1, text=f"m{pk}", question_id=None, created_at=None
    )


def _ctx(questions):
    return ChatContext(response_id=1, session_id=1, vacancy=None, candidate_first_name="Anna", questions=questions)


def test_a_turn_shows_the_senders_message_then_the_bots_then_the_state_then_the_question():
    questions = [_question(10), _question(11), _question(12)]
    recruiter = SimpleNamespace(display_name="Roman")
    turn = Turn(
        message_id=5,
        own_message=_message(5, "candidate"),
        messages=[_message(6, "bot")],
        state="active",
        state_changed=True,
        question=questions[1],
        asked=True,
        recruiter=recruiter,
    )
    out = f.turn_frames(_ctx(questions), turn)
    assert [x["type"] for x in out] == ["message", "message", "state", "question"]
    assert [x["message"]["id"] for x in out[:2]] == [5, 6]
    assert out[2]["recruiter"] == {"name": "Roman"}
    assert (out[3]["question"]["id"], out[3]["question"]["number"], out[3]["question"]["total"]) == (11, 2, 3)
    # The sender's own socket has its message through the ack already.
    others = f.turn_frames(_ctx(questions), turn, include_own=False)
    assert [x["type"] for x in others] == ["message", "state", "question"] and others[0]["message"]["id"] == 6


def test_a_turn_that_changed_nothing_visible_shows_only_its_message():
    turn = Turn(message_id=5, own_message=_message(5, "recruiter"), state="paused")
    assert [x["type"] for x in f.turn_frames(_ctx([]), turn)] == ["message"]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ([], "bad_frame"),
        ({"type": "message", "id": "a"}, "missing_field"),
        ({"v": True, "type": "message", "id": "a"}, "unsupported_version"),
        ({"v": 1, "type": "message", "id": "a b"}, "invalid_field"),
        ({"v": 1, "type": 3, "id": "a"}, "invalid_field"),
        ({"v": 1, "type": "dance", "id": "a"}, "unknown_type"),
    ],
)
def test_the_envelope_refuses_what_is_not_a_frame(content, code):
    with pytest.raises(f.FrameError) as refused:
        f.envelope(content, {"message": "on_message"})
    assert refused.value.code == code


def test_the_field_readers_take_good_values_and_refuse_the_rest():
    assert f.envelope({"v": 1, "type": "message", "id": "a1"}, {"message"}) == ("message", "a1")
    assert f.text_field({"text": "hi"}) == "hi" and f.text_field({}, required=False) == ""
    assert f.choices_field({"choices": ["a", "b"]}) == ["a", "b"] and f.choices_field({}) is None
    assert f.question_field({"question": 7}) == 7 and f.on_field({}) is True
    for reader, content in [
        (f.text_field, {"text": "x" * (f.MAX_TEXT_CHARS + 1)}),
        (f.text_field, {"text": "nul\x00"}),
        (f.choices_field, {"choices": "a"}),
        (f.choices_field, {"choices": ["\ud800"]}),
        (f.question_field, {"question": True}),
        (f.on_field, {"on": "yes"}),
    ]:
        with pytest.raises(f.FrameError):
            reader(content)
    assert f.loose_client_id({"id": "ok-1"}) == "ok-1" and f.loose_client_id({"id": "not ok"}) is None
    with pytest.raises(f.FrameError) as refused:
        f.decode("{")
    assert refused.value.code == "bad_json"
