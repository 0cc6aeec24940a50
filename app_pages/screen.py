"""Screen: the committee's pillar weights, exclusions and hurdles, the ranked table, and why."""

import streamlit as st

from app_pages import charts, state, widgets
from screening.metrics import PILLARS
from screening.reading.mandate import Mandate
from screening.vocabulary import column, plain, sector

st.title("Screen the candidates")
current = state.mandate()
sectors = sorted(state.universe().frame["sector"].unique())


def _controls(current: Mandate, sectors: list[str]) -> dict[str, object]:
    """The committee's choices for the screen, drawn in the sidebar; returns the mandate changes."""
    st.header("What matters to the committee")
    weights = {
        pillar: st.slider(
            charts.PILLAR_LABELS[pillar],
            0.0,
            max(1.0, float(getattr(current.weights, pillar))),
            float(getattr(current.weights, pillar)),
            0.05,
            key=f"weight_{pillar}",
        )
        for pillar in PILLARS
    }
    st.header("Exclusions and hurdles")
    excluded = st.multiselect(
        "Exclude sectors", sectors, [s for s in current.excluded_sectors if s in sectors], format_func=sector
    )
    min_return = st.number_input(
        "Minimum expected return of a candidate (%)",
        -50.0,
        50.0,
        _percent(current.min_candidate_return),
        step=0.5,
        placeholder="no hurdle",
    )
    max_vol = st.number_input(
        "Maximum volatility of a candidate (%)",
        0.0,
        100.0,
        _percent(current.max_candidate_volatility),
        step=1.0,
        placeholder="no hurdle",
    )
    evidence = st.select_slider(
        "Minimum evidence quality (1 anecdotal, 5 audited)",
        ["none", 1, 2, 3, 4, 5],
        value=current.min_evidence_quality or "none",
    )
    lockup = st.number_input(
        "Longest lock-up accepted (years)",
        0.0,
        100.0,
        value=current.max_lockup_years,
        step=1.0,
        placeholder="no limit",
    )
    return {
        "weights": weights,
        "excluded_sectors": excluded,
        "min_candidate_return": None if min_return is None else min_return / 100,
        "max_candidate_volatility": None if max_vol is None else max_vol / 100,
        "min_evidence_quality": None if evidence == "none" else int(evidence),
        "max_lockup_years": lockup,
    }


def _percent(share: float | None) -> float | None:
    return None if share is None else share * 100


if not state.presenting():
    with st.sidebar:
        changes = _controls(current, sectors)
    if sum(changes["weights"].values()) == 0:  # type: ignore[union-attr]
        st.warning("Give at least one pillar a weight above zero to rank the candidates.")
        st.stop()
    state.set_mandate(state.mandate_with(**changes))

result = state.screen()
eligible = result.eligible
st.caption(
    f"{len(eligible):,} of {len(result.table):,} candidates eligible · {state.universe().provenance.describe()}"
)
st.caption(state.provenance_line())
if len(eligible):
    top = eligible.iloc[0]
    st.markdown(f"**Ranked first:** {top['name']} ({eligible.index[0]}), score {top['score']:.1f} of 100")

st.dataframe(
    eligible[["rank", "name", "score", *PILLARS, "confidence", "rank_low", "rank_high", "p_top_k"]],
    width="stretch",
    column_config={
        "score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%.1f"),
        "financial": st.column_config.NumberColumn("financial", format="%.0f"),
        "local_economy": st.column_config.NumberColumn("local economy", format="%.0f"),
        "social": st.column_config.NumberColumn("social", format="%.0f"),
        "confidence": st.column_config.NumberColumn(
            "data reported", format="percent", help="share of the score resting on reported data"
        ),
        "rank_low": st.column_config.NumberColumn("rank 5%"),
        "rank_high": st.column_config.NumberColumn("rank 95%"),
        "p_top_k": st.column_config.NumberColumn(f"chance of top {result.settings.top_k}", format="percent"),
    },
    key="ranked",
)
widgets.download_buttons(
    result.table.assign(reasons=result.table["reasons"].map("; ".join)), "screen", "Screen", "screen"
)

if len(eligible):
    chosen = st.selectbox(
        "Why does this candidate score what it does?",
        eligible.index,
        format_func=lambda c: f"{c} · {eligible.at[c, 'name']}",
    )
    widgets.chart(
        charts.contributions_chart(result.scores.contributions.loc[chosen], str(eligible.at[chosen, "name"]))
    )
    for metric, rule in result.scores.filled.loc[chosen].items():
        if rule:
            st.write(f"The {column(str(metric))} was not reported: counted as the {rule}.")
    widgets.chart(charts.stability_chart(eligible, result.settings.top_k))
    if result.stability_note:
        st.caption(result.stability_note)

excluded_rows = result.table[~result.table["eligible"]]
with st.expander(f"Not eligible ({len(excluded_rows)}) and why"):
    st.dataframe(  # the reasons in words: the mandate keys the CLI shows in brackets taken out
        excluded_rows.assign(reasons=excluded_rows["reasons"].map(lambda r: "; ".join(plain(x) for x in r)))[
            ["name", "reasons"]
        ],
        width="stretch",
        column_config={"name": "Name", "reasons": "Why not"},
    )
