"""Sign-in, roles and the public view, end to end: a real OpenID Connect provider on the loopback
interface (oidc-provider-mock, in a thread), the app served by `streamlit run` with sign-in set
up in a secrets file, and headless Chromium signing in as a fund officer, a committee member and
an outsider, and visiting as an anonymous member of the public.

The tests run in order within the module, on one app and one run store: the officer saves and
publishes 'committee March' through the app; the committee member then cannot replace or delete
it (through the app, and through the store); the outsider and the visitor see it read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from browsers import ROOT, free_port, no_exception, open_page, require_chromium, served_app, settle
from callers import VISITOR

from impact_screen.access import Caller, Role
from impact_screen.store import RunStore
from screening.errors import AccessError

require_chromium()
oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

OFFICER = "officer@lancashire.example"
COUNCILLOR = "cllr.patel@preston.example"
OUTSIDER = "someone@elsewhere.example"
RUN = "committee March, 8% volatility"
MEMBERS = [f"member{i}@council.example" for i in range(1, 10)]
ROLES = f"""
[people]
"{OFFICER}" = "officer"
"{COUNCILLOR}" = "committee"
""" + "".join(f'"{m}" = "committee"\n' for m in MEMBERS)
DEFAULT_NAME = "Lancashire CPF: £100m in Preston and South Ribble (illustrative default)"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A local OpenID Connect provider: any client, a login form that asks for the subject."""
    with oidc_provider_mock.run_server_in_thread(port=free_port()) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, provider: str) -> Iterator[tuple[str, Path]]:
    """The app with sign-in set up against `provider`; yields its URL and its run store's path."""
    folder = tmp_path_factory.mktemp("hosted")
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "a cookie secret for the tests only, long enough to sign with"\n'
        'client_id = "impact-screen-tests"\n'
        'client_secret = "not a secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    roles = folder / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    env = {
        "IMPACT_SCREEN_ROLES": str(roles),
        "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": "full",
    }  # a failure shows why
    with served_app(folder, env, ["--secrets.files", str(secrets)], port=port) as url:
        yield url.replace("127.0.0.1", "localhost"), folder / "runs.db"


def sign_in(page, url: str, who: str) -> None:
    """Sign in through the provider's form, as a person would."""
    open_page(page, url, "")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_placeholder("sub").fill(who)
    page.get_by_role("button", name="Authorize").click()
    page.get_by_text(f"Signed in as {who}").wait_for()
    settle(page)


def go(page, title: str) -> None:
    """Move to another page by its link in the sidebar, as a person would (the session stays)."""
    link = page.get_by_test_id("stSidebarNavLink").filter(has_text=title)
    path = str(link.get_attribute("href")).rstrip("/").rsplit("/", 1)[-1]
    link.click()
    page.wait_for_url(lambda address: urlparse(address).path.endswith(f"/{path}"), wait_until="commit")
    page.locator("h1").first.wait_for()
    settle(page)


def nav(page) -> list[str]:
    return [link.inner_text().split("\n")[-1] for link in page.get_by_test_id("stSidebarNavLink").all()]


def save_on_runs_page(page, url: str, name: str, replace: bool = False) -> str:
    """Save the session's scenario on the Saved runs page; returns the message shown."""
    open_page(page, url, "runs")
    form = page.get_by_test_id("stForm")
    form.get_by_label("Save the current scenario as").fill(name)
    if replace:
        form.get_by_text("Replace a saved run of the same name").click()
    form.get_by_role("button", name="Save").click()
    settle(page)
    message = page.locator("[data-testid=stAlertContentSuccess], [data-testid=stAlertContentError]").first
    message.wait_for()
    return message.inner_text()


def open_run(page, name: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has_text="Run").first
    box.click()
    page.get_by_role("option", name=name, exact=True).click()
    settle(page)


def test_a_visitor_sees_only_the_published_runs_and_a_sign_in_button(page, site) -> None:
    url, _ = site
    open_page(page, url, "")
    assert page.locator("h1").first.inner_text() == "Published runs"
    page.get_by_text("No run has been published yet.").wait_for()
    assert page.get_by_role("button", name="Sign in").count() == 1
    assert nav(page) == []  # no other page to go to
    assert page.get_by_role("dialog").count() == 0 and page.url.endswith("/published")
    open_page(page, url, "allocate")  # typing another page's address leads nowhere else
    assert page.locator("h1").first.inner_text() == "Published runs"
    assert page.get_by_test_id("stFileUploader").count() == 0 and page.get_by_test_id("stForm").count() == 0
    no_exception(page)


def test_the_officer_signs_in_saves_and_publishes_a_run(page, site) -> None:
    url, store = site
    sign_in(page, url, OFFICER)
    assert {"Overview", "Allocate", "Saved runs", "Published runs", "Data and assumptions"} <= set(nav(page))
    assert "Local mode" not in page.inner_text("body")
    assert save_on_runs_page(page, url, RUN) == f"Saved as '{RUN}'."
    open_run(page, RUN)
    page.get_by_text(f"Saved by {OFFICER}").wait_for()
    page.get_by_role("button", name="Publish").click()
    settle(page)
    page.get_by_role("button", name="Withdraw").wait_for()
    open_page(page, url, "assumptions")
    assert page.get_by_role("button", name="Refresh market data").count() == 1
    with RunStore(store, caller=VISITOR) as public:
        assert [r.name for r in public.list()] == [RUN]
    no_exception(page)


def test_a_committee_member_saves_their_own_but_cannot_replace_delete_or_publish_the_officers(
    page, site
) -> None:
    url, store = site
    sign_in(page, url, COUNCILLOR)
    page.get_by_text("committee member").first.wait_for()
    assert {"Overview", "Allocate", "Saved runs"} <= set(nav(page))
    refused = save_on_runs_page(page, url, RUN, replace=True)
    assert refused.startswith("Not saved: You are signed in as a committee member")
    assert f"cannot replace '{RUN}', which was saved by {OFFICER}" in refused
    assert save_on_runs_page(page, url, "patel idea") == "Saved as 'patel idea'."
    open_run(page, RUN)
    assert page.get_by_role("button", name="Publish").count() == 0
    assert page.get_by_role("button", name="Withdraw").count() == 0
    assert page.get_by_role("button", name="Delete").count() == 0
    open_run(page, "patel idea")
    assert page.get_by_role("button", name="Delete").count() == 1  # their own
    open_page(page, url, "assumptions")
    assert page.get_by_role("button", name="Refresh market data").count() == 0
    page.get_by_text("A fund officer can refresh the market data.").wait_for()
    no_exception(page)
    member = Caller(COUNCILLOR, Role.COMMITTEE)
    with RunStore(store, caller=member) as direct, pytest.raises(AccessError):
        direct.delete(RUN)  # nor by calling the store
    with RunStore(store, caller=member) as direct:
        assert direct.load(RUN).author == OFFICER and direct.load("patel idea").author == COUNCILLOR


def test_a_committee_members_upload_is_held_to_the_committees_smaller_limit(page, site, tmp_path) -> None:
    url, _ = site
    lines = (ROOT / "data" / "candidates.csv").read_text(encoding="utf-8").splitlines()
    rows = [f"X{i}," + row.split(",", 1)[1] for i, row in enumerate((lines[1:] * 30)[:1_200])]
    big = tmp_path / "big.csv"
    big.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")  # 1,200 rows, 0.2 MB
    sign_in(page, url, COUNCILLOR)
    go(page, "Candidates")
    page.locator("input[type=file]").set_input_files(str(big))
    page.get_by_text("big.csv was not used: 1 problem(s) to fix.").wait_for()  # the problem table is a canvas
    page.get_by_test_id("stFileUploader").get_by_test_id("stTooltipHoverTarget").hover()
    limits = page.get_by_test_id("stTooltipContent").inner_text()
    assert "at most 2 MB" in limits and "1,000 rows" in limits  # an officer's: 10 MB and 5,000 rows
    page.get_by_text("In use: bundled candidates.csv").wait_for()
    no_exception(page)


def test_an_outsider_signed_in_but_not_on_the_list_sees_published_runs_read_only(page, site) -> None:
    url, _ = site
    sign_in(page, url, OUTSIDER)
    page.get_by_text("You can view published runs.").wait_for()
    page.get_by_role("link", name=RUN).wait_for()  # the front door leads to the published runs
    settle(page)
    assert nav(page) == [] and page.url.endswith("/published")
    assert page.get_by_test_id("stForm").count() == 0 and page.get_by_test_id("stFileUploader").count() == 0
    no_exception(page)


def test_a_visitor_presents_the_published_run_at_its_own_address(page, site) -> None:
    url, _ = site
    open_page(page, url, f"published?run={quote(RUN)}")
    page.get_by_text("Money kept circulating locally").first.wait_for()
    text = page.inner_text("body")
    assert "63p" in text and "40p" in text and "Read-only" in text
    for control in ("stFileUploader", "stForm", "stButton", "stDownloadButton", "stSidebar"):
        assert page.get_by_test_id(control).filter(visible=True).count() == 0, control
    no_exception(page)


def test_the_audit_trail_shows_every_change_with_its_author(site) -> None:
    _, store = site
    with RunStore(store, caller=Caller(OFFICER, Role.OFFICER)) as officer:
        trail = [(e.actor, e.action, e.run) for e in officer.audit()]
    assert trail == [
        (OFFICER, "saved", RUN),
        (OFFICER, "published", RUN),
        (COUNCILLOR, "saved", "patel idea"),
    ]


def candidates_in_use(page) -> str:
    go(page, "Candidates")
    return page.get_by_text("In use:").first.inner_text()


def scenario_name(page) -> str:
    go(page, "Allocate")
    field = page.get_by_role("textbox", name="Scenario name")
    page.wait_for_function("e => e.value !== ''", arg=field.element_handle())  # drawn, then filled
    return field.input_value()


def test_ten_sessions_at_once_never_see_each_others_uploads_or_mandates(browser, site, tmp_path) -> None:
    """Ten people signed in at the same time; one (the officer) uploads candidates and changes
    the mandate; the nine others still have the bundled candidates and the default mandate, and
    the officer keeps their own."""
    url, _ = site
    lines = (ROOT / "data" / "candidates.csv").read_text(encoding="utf-8").splitlines()
    mine = tmp_path / "mine.csv"
    mine.write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(10)]
    try:
        tabs = [context.new_page() for context in contexts]
        for tab, who in zip(tabs, [OFFICER, *MEMBERS], strict=True):
            tab.set_default_timeout(60_000)
            sign_in(tab, url, who)
        bundled = candidates_in_use(tabs[1])
        assert bundled.endswith(f"{len(lines) - 1} candidates")
        changer, others = tabs[0], tabs[1:]
        go(changer, "Candidates")
        changer.locator("input[type=file]").set_input_files(str(mine))
        changer.get_by_text("mine.csv is in use.").wait_for()
        go(changer, "Allocate")
        changer.get_by_role("textbox", name="Scenario name").fill("Changed by the officer")
        changer.get_by_test_id("stNumberInput").filter(has_text="Target (£m)").locator("input").fill("80")
        changer.get_by_role("button", name="Allocate").click()
        settle(changer)
        for tab in others:  # all nine move at once, then each is read
            tab.get_by_test_id("stSidebarNavLink").filter(has_text="Candidates").click()
        seen = [(candidates_in_use(tab), scenario_name(tab)) for tab in others]
        assert seen == [(bundled, DEFAULT_NAME)] * 9
        assert candidates_in_use(changer).endswith("5 candidates") and "mine.csv" in candidates_in_use(
            changer
        )
        assert scenario_name(changer) == "Changed by the officer"
        for tab in tabs:
            no_exception(tab)
    finally:
        for context in contexts:
            context.close()
