"""The AI package: AI evaluation and suggested questions, and the one client of the LLM provider.

- ``redaction``: ``redact`` removes the candidate's name, email, phone, links,
  handles and street addresses from text before anything leaves the machine.
- ``leaks``: ``find_leaks`` looks for the candidate's known identifiers (every spelling)
  in the final outbound messages; ``calls`` blocks such a request with ``LeakBlocked``.
- ``prompts``: ``prepare_input`` bounds and redacts an ``EvaluationInput``;
  ``build_messages`` / ``build_suggestion_messages`` put all text into delimited
  blocks marked as data, never as instructions; ``PROMPT_VERSION``.
- ``parsing``: the JSON schemas, and ``parse_evaluation`` / ``parse_suggestions``,
  which return validated output or raise ``InvalidOutput``.
- ``receipts``: ``verify_reply`` checks every quote of the model's reply against the text
  sent and drops unsupported claims; ``builtin_receipts`` for the keyword evaluator.
- ``rubric``: ``rubric_score`` / ``rubric_recommendation`` (the score is ours, from the
  evidence levels and the weights), ``RUBRIC_VERSION``, ``vacancy_rubric_hash``.
- ``guards``: ``injection_signals`` / ``apply_guards`` flag candidate text that
  talks to the AI and keep such an evaluation from recommending "advance" on its own.
- ``builtin``: ``builtin_evaluate`` and ``builtin_suggestions``, the deterministic offline provider.
- ``client``: ``chat_json``, the one HTTP call to the provider; every failure is an ``LLMError``.
- ``cost``: ``estimate_cost``.
- ``calls``: ``call_validated`` (a recorded call, its reply parsed, repaired once,
  else ``InvalidTwice``); it writes ``LLMCall`` rows, so it is imported from
  ``screening.ai.calls`` and not re-exported here.

All but ``client`` and ``calls`` are pure functions (no ORM, no request).
docs/llm.md describes the prompt, the redaction rules and the schema.
"""

from .builtin import builtin_evaluate, builtin_suggestions
from .client import Completion, LLMError, chat_json, is_configured, model_name, retry_delay
from .cost import estimate_cost
from .guards import apply_guards, injection_signals
from .leaks import LeakBlocked, find_leaks
from .parsing import (
    EVALUATION_SCHEMA,
    EVIDENCE_LEVELS,
    MAX_ITEM_CHARS,
    MAX_LIST_ITEMS,
    MAX_SUMMARY_CHARS,
    RECOMMENDATIONS,
    SUGGESTION_SCHEMA,
    EvaluationResult,
    InvalidOutput,
    ModelReply,
    clean_suggestion,
    parse_evaluation,
    parse_score,
    parse_suggestions,
)
from .prompts import (
    DIFFICULTIES,
    MAX_SUGGESTIONS,
    PROMPT_VERSION,
    QA,
    SUGGESTION_PROMPT_VERSION,
    EvaluationInput,
    build_messages,
    build_suggestion_messages,
    input_hash,
    neutralise_delimiters,
    prepare_input,
    repair_messages,
    vacancy_text_hash,
)
from .receipts import match_key, quote_source, verify_reply
from .redaction import Identity, normalise_text, redact
from .rubric import RUBRIC_VERSION, rubric_recommendation, rubric_score, vacancy_rubric_hash

__all__ = [
    "DIFFICULTIES",
    "EVALUATION_SCHEMA",
    "EVIDENCE_LEVELS",
    "MAX_ITEM_CHARS",
    "MAX_LIST_ITEMS",
    "MAX_SUGGESTIONS",
    "MAX_SUMMARY_CHARS",
    "PROMPT_VERSION",
    "QA",
    "RECOMMENDATIONS",
    "RUBRIC_VERSION",
    "SUGGESTION_PROMPT_VERSION",
    "SUGGESTION_SCHEMA",
    "Completion",
    "EvaluationInput",
    "EvaluationResult",
    "Identity",
    "InvalidOutput",
    "LLMError",
    "LeakBlocked",
    "ModelReply",
    "apply_guards",
    "build_messages",
    "build_suggestion_messages",
    "builtin_evaluate",
    "builtin_suggestions",
    "chat_json",
    "clean_suggestion",
    "estimate_cost",
    "find_leaks",
    "injection_signals",
    "input_hash",
    "is_configured",
    "match_key",
    "model_name",
    "neutralise_delimiters",
    "normalise_text",
    "parse_evaluation",
    "parse_score",
    "parse_suggestions",
    "prepare_input",
    "quote_source",
    "redact",
    "repair_messages",
    "retry_delay",
    "rubric_recommendation",
    "rubric_score",
    "vacancy_rubric_hash",
    "vacancy_text_hash",
    "verify_reply",
]
