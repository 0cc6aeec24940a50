"""The map (issue 14): how long the Map page takes to build its figure, and plotly express as a peer.

Cases, on the bundled run (£100m in Preston and South Ribble) and the 361 bundled district
boundaries (read once beforehand, as the app reads them once for every session):
- the money layer zoomed on the mandate's places: `chart_data.place_map` (the data),
  `charts.place_map_chart` (the plotly figure) and `fig.to_json()` (what goes to the browser);
- the same, the whole UK;
- the deprivation layer over the whole UK.
Peer: `plotly.express.choropleth` on the same data (every district, coloured by the £ placed, the
name and the £ in the hover, fitted to the districts, no base map), then `fig.to_json()`, in the
same run; the ratio is ours over theirs, whole UK against whole UK.

Run: .venv/bin/python bench/bench_map.py   (results go in docs/benchmarks.md with the machine)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import plotly.express as px
from timing import best_of, cpu

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app_pages import charts  # noqa: E402
from impact_screen import chart_data  # noqa: E402
from portfolio.report import run_result  # noqa: E402
from portfolio.run import run_allocation  # noqa: E402
from screening import bundled_reference, load_candidates, load_mandate  # noqa: E402
from screening.reading import bundled  # noqa: E402
from screening.vocabulary import money  # noqa: E402

TARGET_S = 1.0


def _bundled():
    reference = bundled_reference()
    universe, mandate = load_candidates(None, reference), load_mandate(None, reference)
    run = run_allocation(universe, mandate, reference, frontier_points=0)
    return run_result(run, universe, mandate, reference), reference.places


def _ours(result, places, boundaries, layer: str, whole_uk: bool) -> int:
    data = chart_data.place_map(result, places, boundaries)
    return len(charts.place_map_chart(data, layer, whole_uk=whole_uk).to_json())


def _peer(result, places, boundaries) -> int:
    """plotly express on the same data: every district coloured by £m, named in the hover."""
    frame = pd.DataFrame(
        {
            "ons_code": places.index,
            "name": places["name"],
            "placed": [result.portfolio.by_place.get(c, 0.0) / 1e6 for c in places.index],
        }
    )
    frame["shown"] = [money(v * 1e6) for v in frame["placed"]]
    figure = px.choropleth(
        frame,
        geojson=boundaries,
        locations="ons_code",
        featureidkey="properties.ons_code",
        color="placed",
        hover_name="name",
        hover_data={"shown": True, "placed": False, "ons_code": True},
        color_continuous_scale="Oranges",
    )
    figure.update_geos(fitbounds="locations", visible=False)
    return len(figure.to_json())


def main() -> None:
    result, places = _bundled()
    boundaries = json.loads(bundled.bundled(bundled.PLACE_BOUNDARIES).read_text(encoding="utf-8"))
    reading = best_of(
        5, lambda: json.loads(bundled.bundled(bundled.PLACE_BOUNDARIES).read_text(encoding="utf-8"))
    )
    print(cpu())
    cases = {
        "money, zoomed on the mandate's places": ("money", False),
        "money, the whole UK": ("money", True),
        "deprivation, the whole UK": ("deprivation", True),
    }
    timed = {}
    for name, (layer, whole_uk) in cases.items():
        size = _ours(result, places, boundaries, layer, whole_uk)
        timed[name] = best_of(
            5, lambda layer=layer, whole_uk=whole_uk: _ours(result, places, boundaries, layer, whole_uk)
        )
        verdict = "met" if timed[name] < TARGET_S else "MISSED"
        print(
            f"{name}: {timed[name]:.3f} s, {size / 1e6:.2f} MB of JSON (target < {TARGET_S:g} s: {verdict})"
        )
    peer_size = _peer(result, places, boundaries)
    peer = best_of(5, lambda: _peer(result, places, boundaries))
    print(f"peer, plotly.express.choropleth, the whole UK: {peer:.3f} s, {peer_size / 1e6:.2f} MB of JSON")
    ours = timed["money, the whole UK"]
    print(f"ratio ours/peer (money, the whole UK): {ours / peer:.2f}")
    print(f"reading the boundaries (once per server): {reading:.3f} s")


if __name__ == "__main__":
    main()
