"""Place groups a mandate may name instead of districts: combined authorities, counties, regions and
nations (data/place_groups.csv, built with the places table) and named footprints, such as a
pool's funds' areas (data/footprints.toml). A group stands for its member districts (ONS codes);
the mandate keeps the districts it meant, and which group it wrote (`Mandate.place_groups`).
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from screening.reading.columns import Column, validate_table
from screening.reading.problems import Problem, raise_if_errors
from screening.reading.tables import InputFile, read_table

KINDS = {
    "combined_authority": "combined authority",
    "county": "county",
    "region": "region",
    "nation": "nation",
    "footprint": "footprint",
}
GROUP_COLUMNS = (
    Column("group_code", "text"),
    Column("group_name", "text"),
    Column("group_kind", "text", vocabulary=frozenset(KINDS), vocabulary_name="group kind"),
    Column("ons_code", "text"),
)


@dataclass(frozen=True)
class PlaceGroup:
    """One group: its code (a footprint's is its name), name, kind and member districts."""

    code: str
    name: str
    kind: str
    members: tuple[str, ...]

    def describe(self) -> str:
        """'the combined authority Lancashire (E47000018, 14 districts)'."""
        code = "" if self.code == self.name else f"{self.code}, "
        return f"the {KINDS[self.kind]} {self.name} ({code}{len(self.members)} districts)"


def load_groups(districts: Sequence[str], groups: InputFile, footprints: InputFile) -> dict[str, PlaceGroup]:
    """Every group by its code: the groups file's, then the named footprints (whose places are
    districts or groups of the file); members are the districts of `districts` (a places table of
    fewer districts, as a run saved with an earlier version kept, gets the groups' part in it)."""
    known = set(districts)
    raw = read_table(groups)
    frame, _lines, problems = validate_table(raw, GROUP_COLUMNS)
    raise_if_errors(problems)
    frame = frame[frame["ons_code"].isin(known)]  # a places table of fewer districts: the groups' part in it
    found = {
        str(code): PlaceGroup(
            str(code), str(rows["group_name"].iloc[0]), str(rows["group_kind"].iloc[0]), _sorted(rows)
        )
        for code, rows in frame.groupby("group_code", sort=True)
    }
    return found | _footprints(footprints, found, known)


def _sorted(rows: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sorted(str(c) for c in rows["ons_code"]))


def _footprints(source: InputFile, groups: dict[str, PlaceGroup], known: set[str]) -> dict[str, PlaceGroup]:
    try:
        document = tomllib.loads(source.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise_if_errors([Problem(source.name, None, None, f"cannot be read as TOML: {exc}")])
        return {}
    found: dict[str, PlaceGroup] = {}
    problems = []
    for name, table in (document.get("footprints") or {}).items():
        members: list[str] = []
        for place in table.get("places", []) if isinstance(table, dict) else []:
            if place in known:
                members.append(place)
            elif place in groups:
                members += groups[place].members
            elif not place.startswith(("E", "W", "S", "N", "region:", "nation:")):
                problems.append(
                    Problem(source.name, None, f"footprints.{name}", f"'{place}' is not a district or group")
                )
        found[str(name)] = PlaceGroup(str(name), str(name), "footprint", tuple(sorted(set(members))))
    raise_if_errors(problems)
    return found


def by_name(groups: dict[str, PlaceGroup]) -> dict[str, list[PlaceGroup]]:
    """Groups by their lower-case code and name (a name two groups share lists both)."""
    found: dict[str, list[PlaceGroup]] = {}
    for group in groups.values():
        for key in dict.fromkeys((group.code.lower(), group.name.lower())):
            found.setdefault(key, []).append(group)
    return found


def group_of(text: str, groups: dict[str, PlaceGroup]) -> list[PlaceGroup]:
    """The groups `text` names by code or name, any case (none, one, or several to choose from)."""
    return by_name(groups).get(text.strip().lower(), [])


def group_hint(text: str, groups: dict[str, PlaceGroup]) -> str:
    """Why `text` is not one group: it names several ('write its code'), or a near miss, or ''."""
    named = group_of(text, groups)
    if len(named) > 1:
        listed = " and ".join(g.describe() for g in named)
        return f": it names more than one group, {listed}; write its code"
    keys = by_name(groups)
    close = difflib.get_close_matches(text.strip().lower(), list(keys), n=1, cutoff=0.8)
    if close:
        return f" (did you mean {' or '.join(g.describe() for g in keys[close[0]])}?)"
    return ""


def place_words(
    places: Sequence[str],
    written: Mapping[str, Sequence[str]],
    names: Mapping[str, str],
    groups: dict[str, PlaceGroup],
) -> list[str]:
    """The mandate's places as a person reads them: each group they were written as ('Lancashire
    combined authority (14 districts)'), then each district no such group covers, by name."""
    words, covered = [], set()
    for group, members in written.items():
        found = group_of(group, groups)
        name = f"{found[0].name} {KINDS[found[0].kind]}" if len(found) == 1 else group
        if len(found) == 1 and found[0].kind in ("footprint", "nation"):
            name = found[0].name
        words.append(f"{name} ({len(members)} districts)")
        covered |= set(members)
    return words + [str(names.get(code, code)) for code in places if code not in covered]
