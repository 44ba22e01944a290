"""What the response page's AI evaluation block shows besides the response: the receipts grouped, and staleness.

Used by the response page (``responses._render_page``) and by the block's own htmx address (``ai``), so
both render ``templates/screening/_evaluation.html`` from the same context.
"""

from .. import selectors


def evaluation_context(response) -> dict:
    """The evaluation block's context for ``response`` (its evaluations prefetched or not).

    ``{"evaluation_requirements": [item, ...], "evaluation_answers": [item, ...], "evaluation_stale": bool}``:
    the latest evaluation's receipt items (``Evaluation.evidence``) of kind "requirement" and "answer", in
    their stored order; stale when a finished evaluation was made under another rubric
    (``selectors.evaluation_is_stale``: one query). Empty lists and False when there is no evaluation.
    """
    latest = next(iter(response.evaluations.all()[:1]), None)  # ordered by -created_at: the one the block shows
    if latest is None:
        return {"evaluation_requirements": [], "evaluation_answers": [], "evaluation_stale": False}
    items = [item for item in latest.evidence or [] if isinstance(item, dict)]
    return {
        "evaluation_requirements": [item for item in items if item.get("kind") == "requirement"],
        "evaluation_answers": [item for item in items if item.get("kind") == "answer"],
        "evaluation_stale": selectors.evaluation_is_stale(latest),
    }
