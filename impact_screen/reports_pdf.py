"""The committee paper as a PDF: the HTML paper (`impact_screen.reports_html`) laid out on A4 by
WeasyPrint, a maintained HTML-to-PDF engine, with page numbers and the paper's own page breaks.

WeasyPrint draws text with the system's Pango library (`libpango-1.0-0` on Debian and Ubuntu,
installed by `.ci/run`; see docs/saved-runs.md). Without it a `ReportError` says so, and the
HTML paper, which prints the same from a browser, is still there.
"""

from __future__ import annotations

from impact_screen.reports_html import html_report
from impact_screen.store import SavedRun
from screening.errors import ReportError

PANGO = "WeasyPrint needs the Pango library (on Debian or Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"


def _engine():
    """WeasyPrint's HTML class, or a ReportError saying what is missing."""
    try:
        from weasyprint import HTML
    except ImportError as exc:
        raise ReportError(f"the PDF paper needs WeasyPrint, which is not installed ({exc})") from None
    except OSError as exc:  # WeasyPrint is there but a system library it loads is not
        raise ReportError(f"{PANGO}: {exc}") from None
    return HTML


def unavailable() -> str | None:
    """Why a PDF cannot be made on this machine, or None when it can (for the app's button)."""
    try:
        _engine()
    except ReportError as exc:
        return str(exc)
    return None


def pdf_report(saved: SavedRun, generated_at: str | None = None) -> bytes:
    """The committee paper of a saved run as PDF bytes (A4)."""
    HTML = _engine()
    try:
        return HTML(string=html_report(saved, generated_at)).write_pdf()
    except Exception as exc:  # the engine's own failure, said in one line
        raise ReportError(f"the PDF paper could not be made: {type(exc).__name__}: {exc}") from None
