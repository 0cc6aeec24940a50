"""The commitment plan: how much to commit each year so the target is at work by the target year
and stays there, within the mandate's limits on yearly commitments and on the cash the programme
may take from the fund in a year; and the reverse, what a given schedule puts to work.

Each asset class of the allocation is paced to its own share of the target, so the money at work
keeps the allocation's mix. The plan is a small convex problem (cvxpy, Clarabel): the value of
each class must stay at or above its share of the target from the target year to the plan's end;
among the plans that do, the one closest to the target and with the steadiest commitments is
chosen. The objective is strictly convex, so the plan is unique: the same on any machine.

When no plan meets the limits, the answer says by how much: the most the limits let be at work
by the target year, how far each limit would have to move on its own, and the earliest year the
target can be reached within them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cvxpy as cp
import numpy as np

from portfolio.pacing.model import ClassPacing, Flows, programme_flows, unit_flows, vintage_matrix
from portfolio.result import Pacing, PacingClass, PacingDiagnosis, PacingYear
from screening.reading.mandate import LONGEST_PLAN_YEARS, PacingSettings
from screening.vocabulary import mandate_value, named

LIMIT_KEYS = ("pacing.max_yearly_commitment_gbp", "pacing.max_net_cash_outflow_gbp")
SMOOTHING = 0.5  # weight of steady commitments against staying close to the target
RIDGE = 1e-4  # makes the objective strictly convex: one plan, whatever the solver's path
REACHED = 1e-6  # the value at work reaches the target within this share of it (£100 of £100m)


@dataclass(frozen=True)
class _Setup:
    """One plan's data, in units of the target: years, classes, their shares and flow matrices."""

    years: list[int]
    classes: list[ClassPacing]
    shares: np.ndarray
    target_gbp: float
    settings: PacingSettings

    def matrices(self, kind: str) -> list[np.ndarray]:
        """Per class, the matrix from commitments per year to `kind` ('calls', 'distributions',
        'nav') per year."""
        size = len(self.years)
        return [vintage_matrix(getattr(unit_flows(c, size), kind)) for c in self.classes]

    def index(self, year: int) -> int:
        return self.years.index(year)

    def limits(self) -> dict[str, float]:
        values = {
            "pacing.max_yearly_commitment_gbp": self.settings.max_yearly_commitment_gbp,
            "pacing.max_net_cash_outflow_gbp": self.settings.max_net_cash_outflow_gbp,
        }
        return {k: v for k, v in values.items() if v is not None}


def _setup(
    mix: dict[str, float], target_gbp: float, settings: PacingSettings, classes: dict[str, ClassPacing]
) -> _Setup:
    held = sorted(c for c, w in mix.items() if w > 0)
    total = sum(mix[c] for c in held)
    years = list(range(settings.start_year, settings.end_year + 1))
    shares = np.array([mix[c] / total for c in held])
    return _Setup(years, [classes[c] for c in held], shares, target_gbp, settings)


class _Model:
    """The plan's cvxpy pieces: commitments per year and class (in units of the target) and the
    value, calls and distributions they bring."""

    def __init__(self, setup: _Setup) -> None:
        size, count = len(setup.years), len(setup.classes)
        self.setup = setup
        self.commitments = cp.Variable((size, count), nonneg=True)
        columns = [self.commitments[:, j] for j in range(count)]
        self.nav = [m @ k for m, k in zip(setup.matrices("nav"), columns, strict=True)]
        calls = sum(m @ k for m, k in zip(setup.matrices("calls"), columns, strict=True))
        paid = sum(m @ k for m, k in zip(setup.matrices("distributions"), columns, strict=True))
        self.outflow = calls - paid
        self.yearly = cp.sum(self.commitments, axis=1)

    def at_target(self, year: int, scale: cp.Expression | float = 1.0) -> list[cp.Constraint]:
        """Each class's value at or above its share of the target from `year` to the plan's end."""
        start = self.setup.index(year)
        return [
            nav[start:] >= scale * float(share)
            for nav, share in zip(self.nav, self.setup.shares, strict=True)
        ]

    def within(self, limits: dict[str, float | cp.Expression]) -> list[cp.Constraint]:
        """The limits, in £ (a value may be a variable, when the diagnosis moves that limit)."""
        target = self.setup.target_gbp
        found = []
        if "pacing.max_yearly_commitment_gbp" in limits:
            found.append(self.yearly <= limits["pacing.max_yearly_commitment_gbp"] / target)
        if "pacing.max_net_cash_outflow_gbp" in limits:
            found.append(self.outflow <= limits["pacing.max_net_cash_outflow_gbp"] / target)
        return found

    def steady(self, year: int) -> cp.Expression:
        """Close to the target from `year`, steady from year to year, and strictly convex."""
        start = self.setup.index(year)
        closeness = sum(
            cp.sum_squares(nav[start:] - float(share))
            for nav, share in zip(self.nav, self.setup.shares, strict=True)
        )
        steadiness = cp.sum_squares(cp.diff(self.yearly)) if len(self.setup.years) > 1 else 0.0
        return closeness + SMOOTHING * steadiness + RIDGE * cp.sum_squares(self.commitments)


def _solve(problem: cp.Problem) -> bool:
    """Solve with Clarabel; True when an optimum was found."""
    try:
        problem.solve(solver=cp.CLARABEL)
    except cp.error.SolverError:
        return False
    return problem.status in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE)


def _plan(setup: _Setup, year: int, scale: float = 1.0) -> np.ndarray | None:
    """The steadiest commitments (£, years x classes) holding `scale` x the target from `year`."""
    model = _Model(setup)
    constraints = model.at_target(year, scale) + model.within(setup.limits())
    if not _solve(cp.Problem(cp.Minimize(model.steady(year)), constraints)):
        return None
    return np.maximum(np.asarray(model.commitments.value), 0.0) * setup.target_gbp


def _most_reachable(setup: _Setup) -> float:
    """The largest share of the target the limits let be at work from the target year on."""
    model = _Model(setup)
    scale = cp.Variable(nonneg=True)
    constraints = model.at_target(setup.settings.target_year, scale) + model.within(setup.limits())
    problem = cp.Problem(cp.Maximize(scale), constraints)
    return min(float(scale.value), 1.0) if _solve(problem) else 0.0


def _needed(setup: _Setup, key: str) -> float | None:
    """The smallest value of limit `key` (the others as they are) that reaches the target; None
    when moving it alone cannot."""
    model = _Model(setup)
    moved = cp.Variable(nonneg=True)
    limits: dict[str, float | cp.Expression] = {**setup.limits(), key: moved * setup.target_gbp}
    constraints = model.at_target(setup.settings.target_year) + model.within(limits)
    problem = cp.Problem(cp.Minimize(moved), constraints)
    return float(moved.value) * setup.target_gbp if _solve(problem) else None


def _earliest_year(setup: _Setup) -> int | None:
    """The first year after the target year by which the limits let the target be at work."""
    settings = setup.settings
    last = settings.start_year + LONGEST_PLAN_YEARS - settings.hold_years - 1
    for year in range(settings.target_year + 1, last + 1):
        later = settings.model_copy(update={"target_year": year})
        if _plan(_setup_like(setup, later), year) is not None:
            return year
    return None


def _setup_like(setup: _Setup, settings: PacingSettings) -> _Setup:
    years = list(range(settings.start_year, settings.end_year + 1))
    return _Setup(years, setup.classes, setup.shares, setup.target_gbp, settings)


def plan_commitments(
    mix: dict[str, float], target_gbp: float, settings: PacingSettings, classes: dict[str, ClassPacing]
) -> Pacing:
    """The commitments per year and asset class that put `target_gbp` to work in `mix` by the
    target year and hold it to the plan's end; when the limits stop it, the most they allow,
    and which limit would have to move, and by how much."""
    setup = _setup(mix, target_gbp, settings, classes)
    found = _plan(setup, settings.target_year)
    if found is not None:
        return _pacing(setup, found, "optimal")
    reachable = _most_reachable(setup)
    best = _plan(setup, settings.target_year, reachable * (1 - REACHED)) if reachable > 0 else None
    commitments = best if best is not None else np.zeros((len(setup.years), len(setup.classes)))
    return _pacing(setup, commitments, "infeasible", _diagnosis(setup, reachable))


def project_schedule(
    commitments: dict[int, float],
    mix: dict[str, float],
    target_gbp: float,
    settings: PacingSettings,
    classes: dict[str, ClassPacing],
    split: Pacing | None = None,
) -> Pacing:
    """What a given schedule (£ committed each year) puts to work year by year, against the target
    and the limits. Each year's amount is spread over the asset classes as the plan `split` spread
    that year's commitments (so the plan's own yearly totals give the plan back), or as `mix` in a
    year the plan committed nothing (or without a plan)."""
    setup = _setup(mix, target_gbp, settings, classes)
    names = [c.asset_class for c in setup.classes]
    planned = {y.year: y for y in split.years} if split is not None else {}
    rows = []
    for year in setup.years:
        amount = commitments.get(year, 0.0)
        entry = planned.get(year)
        if entry is not None and entry.commitments_gbp > 0:
            shares = (
                np.array([entry.commitments_by_asset_class.get(c, 0.0) for c in names])
                / entry.commitments_gbp
            )
        else:
            shares = setup.shares
        rows.append(amount * shares)
    return _pacing(setup, np.array(rows), "schedule")


def _diagnosis(setup: _Setup, reachable: float) -> list[PacingDiagnosis]:
    settings, target = setup.settings, setup.target_gbp
    year = settings.target_year
    found = [
        PacingDiagnosis(
            limit="pacing.target_gbp",
            message=(
                f"Within the limits, at most {mandate_value('target_gbp', reachable * target)} can be at "
                f"work by the end of {year} and held to {settings.end_year}, "
                f"{mandate_value('target_gbp', (1 - reachable) * target)} short of the target"
            ),
            current=target,
            needed=reachable * target,
            unit="gbp",
        )
    ]
    for key, current in setup.limits().items():
        needed = _needed(setup, key)
        message = (
            f"{named(key)} would have to be {mandate_value(key, needed)} instead of "
            f"{mandate_value(key, current)}"
            if needed is not None
            else f"{named(key)}: raising it alone is not enough"
        )
        found.append(PacingDiagnosis(limit=key, message=message, current=current, needed=needed, unit="gbp"))
    earliest = _earliest_year(setup)
    found.append(
        PacingDiagnosis(
            limit="pacing.target_year",
            message=(
                f"{named('pacing.target_year')}: {earliest} at the earliest within the limits, not {year}"
                if earliest is not None
                else f"{named('pacing.target_year')}: no year within the limits reaches the target"
            ),
            current=float(year),
            needed=float(earliest) if earliest is not None else None,
            unit="year",
        )
    )
    return found


def _flows(setup: _Setup, commitments: np.ndarray) -> list[Flows]:
    return [programme_flows(c, commitments[:, j]) for j, c in enumerate(setup.classes)]


def _pacing(
    setup: _Setup, commitments: np.ndarray, status: str, diagnosis: list[PacingDiagnosis] | None = None
) -> Pacing:
    """The typed result of one set of commitments (£, years x classes)."""
    commitments = _whole_pounds(commitments)  # the flows follow from these exactly
    flows = _flows(setup, commitments)
    calls = sum(f.calls for f in flows)
    paid = sum(f.distributions for f in flows)
    nav = sum(f.nav for f in flows)
    fund = setup.settings.fund_net_cash_flow_gbp
    years = [
        PacingYear(
            year=year,
            commitments_gbp=float(commitments[i].sum()),
            calls_gbp=_pounds(calls[i]),
            distributions_gbp=_pounds(paid[i]),
            nav_gbp=_pounds(nav[i]),
            net_cash_flow_gbp=_pounds(paid[i] - calls[i]),
            fund_net_cash_flow_gbp=None if fund is None else _pounds(fund + paid[i] - calls[i]),
            commitments_by_asset_class={
                c.asset_class: float(commitments[i, j]) for j, c in enumerate(setup.classes)
            },
        )
        for i, year in enumerate(setup.years)
    ]
    return _result(setup, years, status, diagnosis or [])


def _whole_pounds(commitments: np.ndarray) -> np.ndarray:
    """Each year's commitments in whole pounds, the year's total rounded once: the pounds left
    over go to the classes with the largest fractions (the first class on a tie)."""
    floors = np.floor(commitments)
    for row, (values, low) in enumerate(zip(commitments, floors, strict=True)):
        spare = round(float(values.sum() - low.sum()))
        order = sorted(range(len(values)), key=lambda j: (-(values[j] - low[j]), j))
        for j in order[:spare]:
            floors[row, j] += 1
    return floors


def _pounds(value: float) -> float:
    return round(float(value)) + 0.0


def _reached_year(years: list[PacingYear], target: float) -> int | None:
    """The first year from whose end the value at work stays at the target to the plan's end."""
    reached = None
    for entry in years:
        if entry.nav_gbp >= target * (1 - REACHED):
            reached = entry.year if reached is None else reached
        else:
            reached = None
    return reached


def _result(setup: _Setup, years: list[PacingYear], status: str, diagnosis: list[PacingDiagnosis]) -> Pacing:
    settings, target = setup.settings, setup.target_gbp
    at_target = years[setup.index(settings.target_year)].nav_gbp
    fund = settings.fund_net_cash_flow_gbp
    return Pacing(
        status=status,  # type: ignore[arg-type]
        target_gbp=target,
        start_year=settings.start_year,
        target_year=settings.target_year,
        end_year=settings.end_year,
        reached_year=_reached_year(years, target),
        value_at_target_year_gbp=at_target,
        shortfall_gbp=max(0.0, _pounds(target - at_target)) if at_target < target * (1 - REACHED) else 0.0,
        total_commitments_gbp=float(sum(y.commitments_gbp for y in years)),
        largest_net_cash_outflow_gbp=max(0.0, -min(y.net_cash_flow_gbp for y in years)),
        limits=setup.limits(),
        fund_net_cash_flow_gbp=fund,
        years_needing_sales=[
            y.year for y in years if y.fund_net_cash_flow_gbp is not None and y.fund_net_cash_flow_gbp < 0
        ],
        years=years,
        classes=[_class(c, float(s)) for c, s in zip(setup.classes, setup.shares, strict=True)],
        diagnosis=diagnosis,
        notes=_notes(setup, years, status),
    )


def _class(pacing: ClassPacing, share: float) -> PacingClass:
    return PacingClass(
        asset_class=pacing.asset_class,
        share=round(share, 6),
        call_rates=list(pacing.call_rates),
        distribution_yield=pacing.distribution_yield,
        growth=float(pacing.growth or 0.0),
        fund_life_years=pacing.fund_life_years,
        bow=pacing.bow,
        basis=pacing.basis,
        description=pacing.description,
    )


def _notes(setup: _Setup, years: list[PacingYear], status: str) -> list[str]:
    notes = []
    if status == "schedule":
        for key, limit in setup.limits().items():
            over = [
                y.year
                for y in years
                if (y.commitments_gbp if key.endswith("commitment_gbp") else -y.net_cash_flow_gbp)
                > limit + 0.5
            ]
            if over:
                notes.append(f"{named(key)} is exceeded in {', '.join(map(str, over))}")
    return notes
