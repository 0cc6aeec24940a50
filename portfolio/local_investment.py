"""The annual local investment report under the 2026 LGPS rules: how much of the allocation counts
as local investment, its share of the whole fund against the committee's target range (comply or
explain), where the money is, what it does, a published peer beside it, and the candidates whose
claims are far above the peer's.

What counts: a holding in one of the mandate's places whose asset class is in
`[local_investment] counted_asset_classes` (by default the private-market classes the guidance
names). A listed asset class (capital market assumptions `liquid` true) counts only when the mandate
lists it, or for a candidate that records its local benefit (`local_benefit`): the guidance
counts a listed holding only with a clear local benefit shown. The impact figures are the run's own impact accounting (`portfolio.impact`)
applied to the money counted, so they agree with the allocation's wherever everything counts.

Pure: no file is written and nothing printed. The peer comes with the run's comparison inputs
(`local_investment_peers`, read by the loader like every input); `bundled_peer` reads the bundled
file for callers outside a run.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from portfolio.holdings import Holdings
from portfolio.impact import ImpactBasis, impact_totals
from portfolio.result import (
    LocalDistrict,
    LocalFlag,
    LocalGroup,
    LocalInvestment,
    LocalKpis,
    LocalPeer,
    NotCounted,
    TargetRange,
)
from screening import vocabulary as words
from screening.reading import bundled
from screening.reading.columns import Column, validate_table
from screening.reading.mandate import Mandate
from screening.reading.problems import raise_if_errors
from screening.reading.reference import Reference
from screening.reading.tables import InputFile, read_table

# a candidate claiming more than this many times the peer's jobs or homes per £1m is flagged: the
# peer is a whole diversified portfolio, so a single project far above it needs its evidence checked
FLAG_MULTIPLE = 3.0
SME_SECTOR = "sme_finance"
_CLAIMS = {"jobs_per_gbp_m": "jobs_per_gbp_m", "affordable_homes_per_gbp_m": "homes_per_gbp_m"}
_TOLERANCE = 1e-12  # a share exactly at an end of the range is within it

PEER_COLUMNS = (
    Column("peer", "text"),
    Column("as_of", "text"),
    Column("committed_gbp", "money", minimum=1),
    Column("fund_size_gbp", "money", minimum=1),
    Column("share_of_fund", "share", maximum=1.0),
    Column("jobs_supported", "number", minimum=0),
    Column("homes", "number", minimum=0),
    Column("status", "text"),
    Column("source", "text"),
)


def load_peer(source: InputFile) -> LocalPeer | None:
    """The first peer of a peers file (None when it has no rows); InputError with the line of
    every bad cell."""
    raw = read_table(source)
    frame, _lines, problems = validate_table(raw, PEER_COLUMNS)
    raise_if_errors(problems)
    if frame.empty:
        return None
    row = frame.iloc[0]
    committed_m = float(row["committed_gbp"]) / 1e6
    return LocalPeer(
        name=str(row["peer"]),
        as_of=str(row["as_of"]),
        status=str(row["status"]),
        source=str(row["source"]),
        committed_gbp=float(row["committed_gbp"]),
        fund_size_gbp=float(row["fund_size_gbp"]),
        share_of_fund=float(row["share_of_fund"]),
        jobs=float(row["jobs_supported"]),
        homes=float(row["homes"]),
        jobs_per_gbp_m=_round(float(row["jobs_supported"]) / committed_m),
        homes_per_gbp_m=_round(float(row["homes"]) / committed_m),
    )


@cache
def bundled_peer() -> LocalPeer | None:
    """The bundled peer (data/local_investment_peers.csv), read once per process."""
    return load_peer(bundled.read(bundled.LOCAL_PEERS))


def local_investment(
    amounts: pd.Series,
    frame: pd.DataFrame,
    basis: ImpactBasis,
    mandate: Mandate,
    reference: Reference,
    return_given_up_bp: float | None = None,
    peer: LocalPeer | None = None,
    allocated: bool = True,
) -> LocalInvestment | None:
    """The local investment report of an allocation (`amounts`: candidate id -> £, over the
    universe `frame`), with impact counted on `basis`; None when the mandate has no
    [local_investment] table. `return_given_up_bp` is the allocation's against the UK benchmark.
    Not `allocated` (no allocation meets the mandate): nothing counted, no share, the flags only."""
    settings = mandate.local_investment
    if settings is None:
        return None
    if not allocated:
        amounts = pd.Series(dtype=float)
    held = amounts[amounts > 0].astype(float)
    rows = frame.loc[held.index]
    counted_classes = list(settings.counted_asset_classes)
    in_places = rows["local_authority"].isin(mandate.places)
    in_classes = rows["asset_class"].isin(counted_classes)
    counts = in_places & (in_classes | _listed_with_benefit(rows, reference))
    counted = held[counts]
    counted_gbp = float(counted.sum())
    fund = mandate.fund_size_gbp
    share = counted_gbp / fund if fund and allocated else None
    low, high = settings.target_min_share, settings.target_max_share
    within = None if share is None else low - _TOLERANCE <= share <= high + _TOLERANCE
    notes = [
        "The share of the fund counts this allocation's money only: add the fund's local "
        "investments already held to report its whole local book."
    ]
    if not allocated:
        notes = ["No allocation meets the mandate, so no money is counted; the flags still stand."]
    elif share is None:
        notes.append("The mandate sets no fund size, so the share of the whole fund is not known.")
    if peer is not None and allocated:
        notes.append(
            "The peer's homes are all the homes its portfolio funded; this allocation's are the "
            "affordable homes the candidates report, so its homes per £1m can only read lower."
        )
    return LocalInvestment(
        status="allocated" if allocated else "no_allocation",
        share_of_fund=share,
        fund_size_gbp=float(fund) if fund else None,
        target_range=TargetRange(min=low, max=high),
        within_range=within,
        counted_asset_classes=counted_classes,
        counted_gbp=_round(counted_gbp, 2),
        by_district=_by_district(counted, rows, reference),
        by_group=_by_group(counted, rows, reference),
        not_counted=_not_counted(held[~counts], rows, in_places, reference),
        kpis=_kpis(counted, rows, basis, return_given_up_bp) if allocated else LocalKpis(),
        peer=peer,
        flag_multiple=FLAG_MULTIPLE,
        flags=flags(frame, peer),
        notes=notes,
    )


def _round(value: float, digits: int = 6) -> float:
    return round(float(value), digits) + 0.0


def _place_column(reference: Reference, column: str) -> pd.Series:
    """One column of the places table (empty when an older places table lacks it)."""
    places = reference.places
    return places[column] if column in places else pd.Series(dtype=object)


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) or str(value) == "" else str(value)


def _by_district(counted: pd.Series, rows: pd.DataFrame, reference: Reference) -> list[LocalDistrict]:
    """The money counted in each district, largest first, with its county and combined authority."""
    totals = counted.groupby(rows.loc[counted.index, "local_authority"]).sum()
    names = _place_column(reference, "name")
    county = _place_column(reference, "county")
    authority = _place_column(reference, "combined_authority_name")
    found = [
        LocalDistrict(
            code=str(code),
            name=str(names.get(code, code)),
            gbp=_round(gbp, 2),
            county=_text(county.get(code)),
            combined_authority=_text(authority.get(code)),
        )
        for code, gbp in totals.items()
        if gbp > 0
    ]
    return sorted(found, key=lambda d: (-d.gbp, d.name))


def _by_group(counted: pd.Series, rows: pd.DataFrame, reference: Reference) -> list[LocalGroup]:
    """The money counted in each combined authority, then each county, largest first."""
    places = rows.loc[counted.index, "local_authority"]
    groups: list[LocalGroup] = []
    for kind, column in (("combined_authority", "combined_authority_name"), ("county", "county")):
        of = places.map(_place_column(reference, column)).map(_text)
        totals = counted.groupby(of.dropna()).sum() if of.notna().any() else pd.Series(dtype=float)
        found = [LocalGroup(kind=kind, name=str(n), gbp=_round(v, 2)) for n, v in totals.items() if v > 0]
        groups += sorted(found, key=lambda g: (-g.gbp, g.name))
    return groups


def _listed_with_benefit(rows: pd.DataFrame, reference: Reference) -> pd.Series:
    """Listed holdings whose candidate records a local benefit (`local_benefit`): they count."""
    liquid = (
        reference.assumptions["liquid"].astype(bool).to_dict() if "liquid" in reference.assumptions else {}
    )
    listed = rows["asset_class"].map(lambda c: bool(liquid.get(c, False))).astype(bool)
    if "local_benefit" not in rows:
        return pd.Series(False, index=rows.index)
    benefit = rows["local_benefit"]
    recorded = benefit.notna() & (benefit.astype(str).str.strip() != "")
    return listed & recorded


def _not_counted(
    money: pd.Series, rows: pd.DataFrame, in_places: pd.Series, reference: Reference
) -> list[NotCounted]:
    """Each holding left out of the local investment figures, with the rule that leaves it out."""
    liquid = reference.assumptions["liquid"] if "liquid" in reference.assumptions else pd.Series(dtype=bool)
    names = _place_column(reference, "name")
    out = []
    for candidate, amount in money.items():
        asset_class = str(rows.at[candidate, "asset_class"])
        label = words.asset_class(asset_class)
        if not in_places[candidate]:
            place = rows.at[candidate, "local_authority"]
            reason = f"{names.get(place, place)} is not one of the mandate's places"
        elif bool(liquid.get(asset_class, False)):
            reason = (
                f"Listed asset class ({label}): a listed holding counts only with a recorded local "
                "benefit, and this candidate records none"
            )
        else:
            reason = f"The mandate does not count {label} as local investment"
        out.append(
            NotCounted(
                id=str(candidate),
                name=str(rows.at[candidate, "name"]),
                asset_class=asset_class,
                amount_gbp=_round(amount, 2),
                reason=reason,
            )
        )
    return out


def _kpis(
    counted: pd.Series, rows: pd.DataFrame, basis: ImpactBasis, return_given_up_bp: float | None
) -> LocalKpis:
    """The impact of the money counted, by the run's impact accounting, and its SME finance."""
    gbp = float(counted.sum())
    totals = impact_totals(Holdings.of("local", "Local investment", candidates=counted), basis)
    sme = counted[rows.loc[counted.index, "sector"] == SME_SECTOR]

    def per_m(value: float | None) -> float | None:
        return None if value is None or gbp <= 0 else _round(value / (gbp / 1e6))

    def rounded(value: float | None) -> float | None:
        return None if value is None else _round(value)

    notes = [
        "Affordable homes are the only homes the candidate file records, so the affordable share of "
        "the homes is not known.",
        "Renewable capacity is not in the candidate data (it has no megawatts column), so it is not "
        "reported.",
        "SME finance is counted in holdings, not firms: one holding may lend to many firms, and the "
        "candidate file does not say how many.",
        "The return given up is the whole allocation's against the UK benchmark, a year."
        if return_given_up_bp is not None
        else "This run has no benchmark comparison, so the return given up is not known.",
        *(n for n in totals.notes if not n.startswith("Social value")),  # not a figure here
    ]
    return LocalKpis(
        jobs=rounded(totals.jobs),
        jobs_net=rounded(totals.jobs_net),
        jobs_per_gbp_m=per_m(totals.jobs),
        affordable_homes=rounded(totals.affordable_homes),
        affordable_homes_net=rounded(totals.affordable_homes_net),
        homes_per_gbp_m=per_m(totals.affordable_homes),
        affordable_share_of_homes=None,  # set, so the JSON says null: the candidates record no other homes
        renewable_capacity_mw=None,  # not in the candidate data
        co2_avoided_t=rounded(totals.co2_avoided_t),
        co2_avoided_t_net=rounded(totals.co2_avoided_t_net),
        sme_holdings=len(sme),
        sme_finance_gbp=_round(sme.sum(), 2),
        deprived_share=_round(totals.deprived_share) if gbp > 0 else None,
        return_given_up_bp=rounded(return_given_up_bp),
        notes=notes,
    )


def flags(frame: pd.DataFrame, peer: LocalPeer | None) -> list[LocalFlag]:
    """Every candidate (held or not) claiming jobs or homes per £1m more than `FLAG_MULTIPLE`
    times the peer's, largest multiple first; none without a peer. The claim is the candidate
    file's own figure (a blank claims nothing)."""
    if peer is None:
        return []
    found = []
    for column, peer_field in _CLAIMS.items():
        reference = float(getattr(peer, peer_field))
        if column not in frame or reference <= 0:
            continue
        claims = pd.to_numeric(frame[column], errors="coerce")
        for candidate, claimed in claims[claims > FLAG_MULTIPLE * reference].items():
            found.append(
                LocalFlag(
                    id=str(candidate),
                    name=str(frame.at[candidate, "name"]),
                    figure=column,
                    claimed=float(claimed),
                    peer=reference,
                    times=_round(float(claimed) / reference, 3),
                )
            )
    return sorted(found, key=lambda f: (-f.times, f.id))


# ---------------------------------------------------------------------------------------------
# In words, for the command line, the paper and the workbook


def range_words(found: LocalInvestment) -> str:
    """'1.00% to 5.00%'."""
    term = words.FIGURES["local_fund_share"]
    return f"{term.format(found.target_range.min)} to {term.format(found.target_range.max)}"


def verdict(found: LocalInvestment) -> str:
    """Comply or explain, in one sentence: the share of the fund against the target range."""
    counted = words.money(found.counted_gbp)
    span = range_words(found)
    if found.status == "no_allocation":
        return (
            "No allocation meets the mandate, so nothing counts as local investment to set against "
            f"the target range of {span}."
        )
    if found.share_of_fund is None or found.fund_size_gbp is None:
        return (
            f"{counted} counts as local investment; the mandate sets no fund size, so its share of the "
            f"fund cannot be set against the target range of {span}."
        )
    share = words.FIGURES["local_fund_share"].format(found.share_of_fund)
    fund = words.money(found.fund_size_gbp)
    head = f"{counted} counts as local investment: {share} of the {fund} fund"
    if found.within_range:
        return f"{head}, within the target range of {span} (comply)."
    if found.share_of_fund < found.target_range.min:
        gap = found.target_range.min * found.fund_size_gbp - found.counted_gbp
        return (
            f"{head}, below the target range of {span}: the committee explains why (comply or "
            f"explain), or invests {words.money(gap)} more to reach its lowest."
        )
    over = found.counted_gbp - found.target_range.max * found.fund_size_gbp
    return (
        f"{head}, above the target range of {span} by {words.money(over)}: the committee explains "
        "why (comply or explain)."
    )


def peer_words(peer: LocalPeer) -> str:
    """The peer in one sentence, with its source."""
    return (
        f"For scale, {peer.name} ({peer.as_of}): {words.money(peer.committed_gbp)} committed, "
        f"{words.share(peer.share_of_fund)} of a {words.money(peer.fund_size_gbp)} fund, "
        f"{words.whole(peer.jobs)} jobs supported and {words.whole(peer.homes)} homes, about "
        f"{words.whole(peer.jobs_per_gbp_m)} jobs and {words.whole(peer.homes_per_gbp_m)} homes "
        f"per £1m as worked out from these. Source: {peer.source}; {peer.status} figures."
    )


def flag_words(found: LocalInvestment) -> str:
    """What the flags say, in one sentence."""
    if found.peer is None:
        return "There is no published peer to test the candidates' claims against."
    times = f"{found.flag_multiple:g} times"
    if not found.flags:
        return f"No candidate claims jobs or homes per £1m more than {times} the peer's."
    count = len({f.id for f in found.flags})
    who = "candidate claims" if count == 1 else "candidates claim"
    return (
        f"{count} {who} jobs or homes per £1m more than {times} the peer's: check the evidence "
        "before relying on these figures."
    )


def local_investment_lines(found: LocalInvestment) -> list[str]:
    """The report in plain sentences: the verdict, what is not counted, the peer, the flags."""
    lines = [verdict(found)]
    if found.not_counted:
        left = sum(h.amount_gbp for h in found.not_counted)
        n = len(found.not_counted)
        lines.append(
            f"{words.money(left)} in {n} {'holding is' if n == 1 else 'holdings is'} not counted as "
            "local investment (the table says why)."
        )
    if found.peer is not None:
        lines.append(peer_words(found.peer))
    lines.append(flag_words(found))
    return lines
