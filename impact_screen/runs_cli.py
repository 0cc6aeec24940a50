"""`impact-screen runs ...`, `impact-screen report` and `allocate --save NAME`: the saved-run
commands over `impact_screen.store` (the SQLite store), `impact_screen.runs` (capture, rerun),
`impact_screen.runs_compare` (compare) and the reports (`impact_screen.reports_xlsx`,
`impact_screen.reports_html`).

The command line acts as the person at this computer (`Caller.this_computer()`, the officer):
whoever can run it can open the store's file anyway. Each change it makes is in the audit trail
under that login (`runs audit`).

Store problems (an invalid or taken name, an unknown run, a store from a newer version) are a
`StoreError`: one line on standard error, exit 2. `runs rerun` exits 0 when the re-solved result
is the same to the pound, 1 when it differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from impact_screen.access import Caller
from impact_screen.store import RunStore, SavedRun, StoreError, check_name
from screening.vocabulary import figure, input_label, label, mandate_value, show, status_words

if TYPE_CHECKING:
    from portfolio.result import RunResult
    from portfolio.run import AllocationRun
    from portfolio.scenario import ScenarioInputs

EXIT_OK, EXIT_DIFFERENT, EXIT_INVALID = 0, 1, 2


def _store() -> RunStore:
    """The run store, opened as the person at this computer."""
    return RunStore(caller=Caller.this_computer())


def _run_name(text: str) -> str:
    try:
        return check_name(text)
    except StoreError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _json_flag(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument("--json", type=Path, metavar="OUT", help=f"write {what} as JSON ('-' for stdout)")


def _text_wanted(args: argparse.Namespace) -> bool:
    return args.json is None or str(args.json) != "-"


def _write_json(args: argparse.Namespace, document: object) -> None:
    from impact_screen.output import write_json

    if args.json is not None:
        write_json(args.json, document)


# ---------------------------------------------------------------------------------------------
# allocate --save NAME [--overwrite]


def add_save_option(parser: argparse.ArgumentParser) -> None:
    """`--save NAME` and `--overwrite` for `allocate`."""
    parser.add_argument(
        "--save",
        type=_run_name,
        metavar="NAME",
        help="save this run (inputs, assumptions, versions and results) in the run store under NAME",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace a saved run of the same name")


def check_save_target(args: argparse.Namespace) -> None:
    """Before solving: refuse a taken name without --overwrite (StoreError), so no solve is wasted."""
    if getattr(args, "save", None) and not args.overwrite:
        with _store() as store:
            if store.exists(args.save):
                raise StoreError(f"a run named '{args.save}' already exists; add --overwrite to replace it")


def save_if_asked(
    args: argparse.Namespace, scenario: ScenarioInputs, run: AllocationRun, result: RunResult | None = None
) -> None:
    """Save the run when `--save NAME` was given: the scenario it ran (every input's bytes) and its result."""
    name = getattr(args, "save", None)
    if not name:
        return
    from impact_screen.runs import capture

    saved = capture(name, scenario, run, result)
    with _store() as store:
        store.save(saved, overwrite=args.overwrite)
        where = store.path
    stream = sys.stdout if _text_wanted(args) else sys.stderr
    print(f"Saved as run '{name}' in {where}.", file=stream)


# ---------------------------------------------------------------------------------------------
# runs list | show | compare | rerun | delete, and report


def add_runs_commands(commands: argparse._SubParsersAction) -> None:
    """Register `runs` (list, show, compare, rerun, delete) and `report`."""
    runs = commands.add_parser(
        "runs", help="saved runs: list, show, compare, rerun, delete, publish, unpublish, audit"
    )
    actions = runs.add_subparsers(dest="runs_command", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="every saved run, oldest first")
    _json_flag(listing, "the list")
    listing.set_defaults(run=_list)

    show = actions.add_parser("show", help="one saved run: inputs, provenance, versions, allocation")
    show.add_argument("name", metavar="NAME")
    _json_flag(show, "the saved run (without the file bytes)")
    show.set_defaults(run=_show)

    compare = actions.add_parser(
        "compare", help="what changed from run A to run B: inputs, allocation, outcomes"
    )
    compare.add_argument("a", metavar="A")
    compare.add_argument("b", metavar="B")
    _json_flag(compare, "the differences")
    compare.add_argument(
        "--xlsx", type=Path, metavar="F", help="write the two runs side by side to a workbook"
    )
    compare.set_defaults(run=_compare)

    rerun = actions.add_parser(
        "rerun", help="re-solve from the stored inputs and confirm the same result (exit 0 same, 1 different)"
    )
    rerun.add_argument("name", metavar="NAME")
    _json_flag(rerun, "the verdict, the differences and the new result")
    rerun.set_defaults(run=_rerun)

    delete = actions.add_parser("delete", help="remove a saved run (needs --yes)")
    delete.add_argument("name", metavar="NAME")
    delete.add_argument("--yes", action="store_true", help="confirm the deletion")
    delete.set_defaults(run=_delete)

    for verb, wanted in (("publish", True), ("unpublish", False)):
        what = "may be presented, read-only, without signing in" if wanted else "is no longer public"
        command = actions.add_parser(verb, help=f"mark a saved run so that it {what}")
        command.add_argument("name", metavar="NAME")
        command.set_defaults(run=_publish, published=wanted)

    audit = actions.add_parser("audit", help="who saved, replaced, published or deleted which run, and when")
    audit.add_argument("name", metavar="NAME", nargs="?", help="only this run name")
    _json_flag(audit, "the audit trail")
    audit.set_defaults(run=_audit)

    report = commands.add_parser(
        "report", help="write a saved run's XLSX workbook and its committee paper as HTML and/or PDF"
    )
    report.add_argument("name", metavar="NAME")
    report.add_argument("--xlsx", type=Path, metavar="F", help="write the workbook to F")
    report.add_argument("--html", type=Path, metavar="F", help="write the committee paper to F (HTML)")
    report.add_argument("--pdf", type=Path, metavar="F", help="write the committee paper to F (PDF, A4)")
    report.set_defaults(run=_report)


def _load(name: str):
    with _store() as store:
        return store.load(name)


def _list(args: argparse.Namespace) -> int:
    with _store() as store:
        runs, path = store.list(), store.path
    _write_json(
        args,
        [
            {
                "name": r.name,
                "created_at": r.created_at,
                "author": r.author,
                "published_at": r.published_at,
                **r.summary,
            }
            for r in runs
        ],
    )
    if not _text_wanted(args):
        return EXIT_OK
    if not runs:
        print(f"No saved runs in {path}. Save one with: impact-screen allocate --save NAME")
        return EXIT_OK
    import pandas as pd

    from impact_screen.runs import listing

    table = pd.DataFrame(listing(runs))
    print(table.to_string(index=False))
    print(f"\n{len(runs)} run(s) in {path}")
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    saved = _load(args.name)

    def file_entry(stored):
        if stored is None:
            return None
        return {
            "name": stored.name,
            "origin": stored.origin,
            "sha256": stored.sha256,
            "bytes": len(stored.content),
        }

    _write_json(
        args,
        {
            "name": saved.name,
            "created_at": saved.created_at,
            "author": saved.author,
            "published_at": saved.published_at,
            "history": [asdict(entry) for entry in saved.history],
            "mandate_toml": saved.mandate_toml,
            "candidates": file_entry(saved.candidates),
            "covariance": file_entry(saved.covariance),
            "files": {role: file_entry(stored) for role, stored in saved.files.items()},
            "provenance": saved.provenance,
            "versions": saved.versions,
            "settings": saved.settings,
            "summary": saved.summary,
            "results": saved.results,
            "screen": saved.screen,
        },
    )
    if _text_wanted(args):
        print(show_text(saved))
    return EXIT_OK


def show_text(saved: SavedRun) -> str:
    """A saved run for a person: inputs and where they came from, versions, the allocation, in
    the vocabulary's words (read through the run's `RunResult`)."""
    from impact_screen.runs import authorship, result_of

    result = result_of(saved)
    assumptions = saved.provenance.get("assumptions", {})
    versions = ", ".join(f"{k} {v}" for k, v in saved.versions.items() if v)
    covariance = (
        f"{saved.covariance.name} (sha256 {saved.covariance.sha256[:16]})"
        if saved.covariance
        else "none: the factor model"
    )
    lines = [
        f"run          {saved.name}",
        f"saved        {authorship(saved)}",
        f"mandate      {result.mandate}; {label('objective').lower()}: "
        f"{mandate_value('objective', result.objective).lower()}; "
        f"{label('target_gbp').lower()} {mandate_value('target_gbp', result.target_gbp)}",
        f"candidates   {saved.candidates.name} ({saved.candidates.origin}, sha256 {saved.candidates.sha256[:16]}, "
        f"{len(saved.candidates.content):,} bytes stored)",
        f"covariance   {covariance}",
        f"assumptions  {assumptions.get('source')} {Path(str(assumptions.get('name', ''))).name} "
        f"({assumptions.get('status')}, as of {assumptions.get('as_of') or 'n/a'})",
        f"other files  {', '.join(input_label(r) for r in sorted(saved.files)) or 'none kept (an older run)'}",
        f"versions     {versions}",
        f"status       {status_words(result.status)}",
    ]
    if result.allocations:
        width = max(len(h.id) for h in result.allocations)
        lines.append("")
        lines += [
            f"  {h.id.ljust(width)}  {show('amount_gbp', h.amount_gbp):>12}  {show('share', h.share):>6}  "
            f"{h.name} ({result.place(h.local_authority)})"
            for h in result.allocations
        ]
        mine = result.portfolio
        lines += [
            "",
            " · ".join(
                f"{figure(key).label.lower()} {show(key, getattr(mine, key))}"
                for key in ("expected_return", "volatility", "impact_score", "jobs", "jobs_net", "holdings")
            ),
        ]
    for d in result.diagnosis:
        lines.append(f"  - {d.message}")
    return "\n".join(lines)


def _compare(args: argparse.Namespace) -> int:
    from impact_screen.runs_compare import compare, comparison_text

    with _store() as store:
        a, b = store.load(args.a), store.load(args.b)
    diff = compare(a, b)
    _write_json(args, diff)
    if getattr(args, "xlsx", None) is not None:
        from impact_screen.reports import write_bytes
        from impact_screen.reports_xlsx import comparison_workbook

        write_bytes(args.xlsx, comparison_workbook(diff))
    if _text_wanted(args):
        print(comparison_text(diff))
        if getattr(args, "xlsx", None) is not None:
            print(f"\nWrote the two runs side by side to {args.xlsx}.")
    return EXIT_OK


def _rerun(args: argparse.Namespace) -> int:
    from impact_screen.runs import rerun

    saved = _load(args.name)
    outcome = rerun(saved)
    _write_json(
        args,
        {
            "name": saved.name,
            "same": outcome.same,
            "differences": outcome.differences,
            "notes": outcome.notes,
            "results": outcome.results,
        },
    )
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)
    if _text_wanted(args):
        if outcome.same:
            holdings = show("holdings", outcome.result.portfolio.holdings)
            print(
                f"Re-solved '{saved.name}' from its stored inputs: same result "
                f"({status_words(outcome.result.status)}; {holdings} holdings, every amount "
                "identical to the pound)."
            )
        else:
            print(f"Re-solved '{saved.name}' from its stored inputs: the result differs:")
            print("\n".join(f"  {line}" for line in outcome.differences))
    return EXIT_OK if outcome.same else EXIT_DIFFERENT


def _delete(args: argparse.Namespace) -> int:
    if not args.yes:
        raise StoreError(f"deleting '{args.name}' cannot be undone; add --yes to confirm")
    with _store() as store:
        if not store.delete(args.name):
            raise StoreError(f"no saved run named '{args.name}'")
    print(f"Deleted run '{args.name}'.")
    return EXIT_OK


def _publish(args: argparse.Namespace) -> int:
    with _store() as store:
        store.publish(args.name, args.published)
    if args.published:
        print(f"Published run '{args.name}': anyone with the app's address can present it (Published runs).")
    else:
        print(f"Run '{args.name}' is no longer published.")
    return EXIT_OK


def _audit(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    with _store() as store:
        entries, path = store.audit(args.name), store.path
    _write_json(args, [asdict(e) for e in entries])
    if not _text_wanted(args):
        return EXIT_OK
    if not entries:
        print(f"Nothing has been changed in {path} yet.")
        return EXIT_OK
    import pandas as pd

    from impact_screen.runs import audit_listing

    print(pd.DataFrame(audit_listing(entries)).to_string(index=False))
    print(f"\n{len(entries)} change(s) in {path}")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from impact_screen.reports import write_bytes
    from impact_screen.reports_html import html_report
    from impact_screen.reports_xlsx import xlsx_report

    if args.xlsx is None and args.html is None and args.pdf is None:
        raise StoreError("say what to write: --xlsx FILE, --html FILE, --pdf FILE, or more than one")
    saved = _load(args.name)
    if args.xlsx is not None:
        write_bytes(args.xlsx, xlsx_report(saved))
        print(f"Wrote the workbook {args.xlsx}.")
    if args.html is not None:
        write_bytes(args.html, html_report(saved).encode("utf-8"))
        print(f"Wrote the committee paper {args.html}.")
    if args.pdf is not None:
        from impact_screen.reports_pdf import pdf_report

        write_bytes(args.pdf, pdf_report(saved))
        print(f"Wrote the committee paper {args.pdf}.")
    return EXIT_OK
