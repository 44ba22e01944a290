"""What an LLM call costs: pure arithmetic on token counts and the configured prices."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def estimate_cost(*, tokens_in: int, tokens_out: int, price_in_per_m: float, price_out_per_m: float) -> Decimal:
    """Estimated cost in USD of a call, from the price per million tokens; 6 decimal places."""
    cost = (Decimal(tokens_in) * Decimal(str(price_in_per_m)) + Decimal(tokens_out) * Decimal(str(price_out_per_m))) / (
        Decimal(1_000_000)
    )
    return cost.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
