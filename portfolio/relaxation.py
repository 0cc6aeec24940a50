"""One change a committee could make to a mandate that cannot be met, in its own units.

A diagnosis is a list of `Diagnosis` items grouped into options: the items of one option are
needed together; each option on its own is enough. Option 1 is the recommended change (the
fewest limits moved, then the smallest move); any others are alternatives that move as many.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# A relaxation within this of a step of 0.1 percentage point is that step: the mixed-integer solver
# meets limits to 1e-6 and the key-order tie-break may shift 1e-5 between limits, so 2.5004% is
# 2.5%, not 2.6%. Every rounded change is verified by solving again (and raised a step if short).
STEP_TOLERANCE = 5e-5


@dataclass(frozen=True)
class Diagnosis:
    """One thing that must change: the mandate key, a plain message, and by how much."""

    constraint: str
    message: str
    relaxation: float  # in the constraint's own units: a share, a rate, points, a count or £
    unit: str
    verified: bool = False  # True when solving again with this change (and its option's) succeeded
    option: int = 1  # items with one option number are needed together; each option is enough alone

    def as_dict(self) -> dict[str, object]:
        """JSON form: constraint, message, relaxation (and its unit), verified, option."""
        return {
            "constraint": self.constraint,
            "message": self.message,
            "relaxation": self.relaxation,
            "unit": self.unit,
            "verified": self.verified,
            "option": self.option,
        }


def money(value: float) -> str:
    """£ in millions with one decimal: £12.5m."""
    return f"£{value / 1e6:,.1f}m"


def round_up(value: float, unit: str, steps: int = 0) -> float:
    """Relaxations are rounded up to 0.1 percentage point, 0.1 impact point or one holding
    (plus `steps` more, when the rounded change was not quite enough)."""
    if unit == "count":
        return float(math.ceil(value - 1e-6) + steps)
    return (math.ceil(value * 1000 - STEP_TOLERANCE * 1000) + steps) / 1000


def in_user_units(amount: float, unit: str) -> float:
    """Impact limits are held as 0..1 inside the problem but written in points (0..100) in the mandate."""
    return round(amount * 100.0, 9) if unit == "points" else amount


_CAPS = ("sector_caps", "asset_class_caps")


def applied(mandate: Mapping[str, object], changes: Sequence[tuple[str, float]]) -> dict[str, object] | None:
    """The mandate's values one option of a diagnosis changes, with the change made: a cap or a
    `max_` limit raised, a `min_` floor or the target lowered, each by its relaxation (in the
    mandate's own units), as mandate key -> new value. None when a change is not to a number the
    mandate holds (candidates' tickets, the places), so there is nothing to apply."""
    made: dict[str, object] = {}
    for key, relaxation in changes:
        root, _, member = key.partition(".")
        if root in _CAPS:
            caps = dict(made.get(root) or mandate.get(root) or {})  # type: ignore[call-overload]
            if not isinstance(caps.get(member), int | float):
                return None
            caps[member] = min(1.0, caps[member] + relaxation)
            made[root] = caps
            continue
        current = mandate.get(root)
        if member or isinstance(current, bool) or not isinstance(current, int | float):
            return None
        lowered = root.startswith("min_") or root == "target_gbp"
        value = max(0.0, current - relaxation) if lowered else current + relaxation
        made[root] = round(value) if isinstance(current, int) else round(value, 9)
    return made or None
