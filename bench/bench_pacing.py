"""The commitment plan (issue 16): how long a plan takes, and the same problem on a peer solver.

Cases, all on the bundled pacing assumptions and the bundled allocation's asset-class mix:
- the default mandate's plan (2027 to 2036, 5 asset classes): one cvxpy problem on Clarabel;
- a plan the limits stop (a yearly commitment limit of £20m): the plan, the most reachable,
  each limit moved on its own and the earliest year, about a dozen problems;
- a long plan (2027 to 2066, 40 years, 10 asset classes: 400 commitments).
Peer: scipy.optimize.minimize (SLSQP) on the same objective and constraints of the default plan,
in the same run, from a flat start; the ratio is ours over theirs.

Run: .venv/bin/python bench/bench_pacing.py   (results go in docs/benchmarks.md with the machine)
"""

from __future__ import annotations

import numpy as np
import scipy.optimize
from timing import best_of, cpu

from portfolio.comparison_inputs import load_comparison_inputs
from portfolio.pacing import asset_class_mix
from portfolio.pacing.model import unit_flows, vintage_matrix
from portfolio.pacing.plan import RIDGE, SMOOTHING, plan_commitments
from portfolio.run import run_allocation
from screening import load_candidates, load_mandate
from screening.reading.reference import bundled_reference


def _inputs():
    reference = bundled_reference()
    mandate, universe = load_mandate(None, reference), load_candidates(None, reference)
    run = run_allocation(universe, mandate, reference, frontier_points=0, with_comparison=False)
    mix = asset_class_mix(run.allocation.amounts.to_dict(), universe.frame["asset_class"].to_dict())
    table = load_comparison_inputs(reference).pacing
    returns = reference.assumptions["expected_return"]
    classes = {c: p.growing(float(returns[c])) for c, p in table.items()}
    return mandate, mix, classes


def _slsqp(mix, settings, classes, target: float) -> tuple[float, bool]:
    """The default plan's problem on SLSQP: seconds and whether it converged."""
    held = sorted(mix)
    size = settings.end_year - settings.start_year + 1
    start = settings.target_year - settings.start_year
    navs = [vintage_matrix(unit_flows(classes[c], size).nav) for c in held]
    calls = [vintage_matrix(unit_flows(classes[c], size).calls) for c in held]
    paid = [vintage_matrix(unit_flows(classes[c], size).distributions) for c in held]
    shares = np.array([mix[c] for c in held]) / sum(mix.values())
    scale = target

    def split(x):
        return x.reshape(len(held), size)

    def objective(x):
        k = split(x)
        close = sum(np.sum(((m @ k[j])[start:] - shares[j]) ** 2) for j, m in enumerate(navs))
        yearly = k.sum(axis=0)
        return float(close + SMOOTHING * np.sum(np.diff(yearly) ** 2) + RIDGE * np.sum(k**2))

    def hold(x):
        k = split(x)
        return np.concatenate([(m @ k[j])[start:] - shares[j] for j, m in enumerate(navs)])

    def limits(x):
        k = split(x)
        outflow = sum(c @ k[j] - d @ k[j] for j, (c, d) in enumerate(zip(calls, paid, strict=True)))
        return np.concatenate(
            [
                settings.max_yearly_commitment_gbp / scale - k.sum(axis=0),
                settings.max_net_cash_outflow_gbp / scale - outflow,
            ]
        )

    found = {}

    def solve():
        found["r"] = scipy.optimize.minimize(
            objective,
            np.full(len(held) * size, 0.05),
            method="SLSQP",
            bounds=[(0, None)] * (len(held) * size),
            constraints=[{"type": "ineq", "fun": hold}, {"type": "ineq", "fun": limits}],
            options={"maxiter": 1000, "ftol": 1e-10},
        )

    seconds = best_of(3, solve)
    return seconds, bool(found["r"].success)


def main() -> None:
    mandate, mix, classes = _inputs()
    settings, target = mandate.pacing, mandate.pacing_target_gbp
    assert settings is not None and target is not None
    print(cpu())
    ours = best_of(5, lambda: plan_commitments(mix, target, settings, classes))
    stopped = settings.model_copy(update={"max_yearly_commitment_gbp": 20_000_000.0})
    diagnosed = best_of(3, lambda: plan_commitments(mix, target, stopped, classes))
    long = settings.model_copy(
        update={"target_year": 2040, "hold_years": 26, "max_yearly_commitment_gbp": None}
    )
    wide = {c: 1.0 / len(classes) for c in classes}
    long_plan = best_of(3, lambda: plan_commitments(wide, target, long, classes))
    peer, converged = _slsqp(mix, settings, classes, target)
    print(f"default plan (10 years, {len(mix)} classes): {ours:.3f} s")
    print(f"plan the limits stop, with its diagnosis: {diagnosed:.3f} s")
    print(f"40-year plan, {len(classes)} classes: {long_plan:.3f} s")
    print(
        f"peer, SLSQP on the default plan: {peer:.3f} s (converged: {converged}); ratio ours/peer {ours / peer:.2f}"
    )


if __name__ == "__main__":
    main()
