"""How reports write figures: one decimal, rounded half up (26 of 27 → 96.3)."""

from decimal import ROUND_HALF_UP, Decimal


def one_decimal(numerator, denominator):
    """numerator/denominator with one decimal, half up; None when the denominator is 0."""
    if not denominator:
        return None
    return float((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.1"),
                                                                       ROUND_HALF_UP))


def percent(part, whole):
    """part/whole as a percentage with one decimal, half up; None when whole is 0."""
    return one_decimal(Decimal(part) * 100, whole)
