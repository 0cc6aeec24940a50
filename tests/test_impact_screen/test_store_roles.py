"""The run store checks the caller's role itself: each role calls the store functions directly
(no app, no buttons), and the audit trail records every change with its author, append-only."""

from __future__ import annotations

import sqlite3

import pytest
from callers import COUNCILLOR, FUND_OFFICER, OFFICER, OTHER_COUNCILLOR, OUTSIDER, VISITOR
from test_store import make_run

from impact_screen.access import Caller
from impact_screen.store import RunStore
from screening.errors import AccessError, StoreError


@pytest.fixture
def store_file(tmp_path, monkeypatch):
    path = tmp_path / "runs.sqlite3"
    monkeypatch.setenv("IMPACT_SCREEN_DB", str(path))
    return path


def as_(caller: Caller, path) -> RunStore:
    return RunStore(path, caller=caller)


def seeded(path) -> None:
    """The officer's 'committee March' (published) and 'draft'; a councillor's 'patel idea'."""
    with as_(FUND_OFFICER, path) as officer:
        officer.save(make_run("committee March", note="officer"))
        officer.save(make_run("draft", note="officer draft"))
        officer.publish("committee March")
    with as_(COUNCILLOR, path) as councillor:
        councillor.save(make_run("patel idea", note="patel"))


def test_a_committee_member_saves_their_own_and_never_replaces_or_deletes_another(store_file):
    seeded(store_file)
    with as_(OTHER_COUNCILLOR, store_file) as jones:
        with pytest.raises(
            AccessError, match=r"cannot replace 'committee March', which was saved by fund\.officer"
        ):
            jones.save(make_run("committee March", note="jones"), overwrite=True)
        with pytest.raises(AccessError, match=r"cannot replace 'patel idea', which was saved by cllr\.patel"):
            jones.save(make_run("patel idea", note="jones"), overwrite=True)
        with pytest.raises(AccessError, match="cannot delete 'draft'"):
            jones.delete("draft")
        with pytest.raises(AccessError, match="cannot publish"):
            jones.publish("patel idea")
        jones.save(make_run("jones idea"))
    with as_(COUNCILLOR, store_file) as patel:
        patel.save(make_run("patel idea", note="patel again"), overwrite=True)  # their own: allowed
        assert patel.delete("patel idea") is True
        assert {r.name for r in patel.list()} == {"committee March", "draft", "jones idea"}
    with as_(FUND_OFFICER, store_file) as officer:  # nothing was changed by the refusals
        assert officer.load("committee March").results["note"] == "officer"
        assert officer.load("committee March").published_at is not None
        assert officer.load("draft").author == FUND_OFFICER.identity
        assert officer.load("jones idea").author == OTHER_COUNCILLOR.identity


@pytest.mark.parametrize("caller", [VISITOR, OUTSIDER], ids=["visitor", "signed in, not on the list"])
def test_the_public_sees_published_runs_only_and_changes_nothing(store_file, caller):
    seeded(store_file)
    with as_(caller, store_file) as public:
        assert [r.name for r in public.list()] == ["committee March"]
        assert public.load("committee March").results["note"] == "officer"
        with pytest.raises(
            StoreError, match="no published run named 'draft'; published runs: committee March"
        ):
            public.load("draft")
        with pytest.raises(AccessError, match="cannot save runs"):
            public.save(make_run("mine"))
        with pytest.raises(AccessError, match="cannot save runs"):
            public.save(make_run("committee March"), overwrite=True)
        with pytest.raises(AccessError, match="cannot delete 'committee March'"):
            public.delete("committee March")
        assert public.delete("draft") is False  # not even told that it exists
        with pytest.raises(AccessError, match="cannot publish"):
            public.publish("draft")
        with pytest.raises(AccessError, match="cannot read the audit trail"):
            public.audit()
    with as_(FUND_OFFICER, store_file) as officer:
        assert [r.name for r in officer.list()] == ["committee March", "draft", "patel idea"]


def test_the_officer_may_replace_and_delete_anyones_run_and_a_replaced_run_is_withdrawn(store_file):
    seeded(store_file)
    with as_(FUND_OFFICER, store_file) as officer:
        officer.save(make_run("patel idea", note="officer's version"), overwrite=True)
        assert officer.load("patel idea").author == FUND_OFFICER.identity
        officer.save(make_run("committee March", note="revised"), overwrite=True)
        assert officer.load("committee March").published_at is None  # re-publish to show the new one
        assert officer.delete("draft") is True
    with as_(VISITOR, store_file) as public:
        assert public.list() == []


def test_the_audit_trail_records_every_change_with_its_author(store_file):
    seeded(store_file)
    with as_(COUNCILLOR, store_file) as patel:
        patel.save(make_run("patel idea", note="2"), overwrite=True)
        patel.delete("patel idea")
    with as_(FUND_OFFICER, store_file) as officer:
        officer.publish("draft")
        officer.publish("draft")  # already published: no change, no entry
        officer.publish("committee March", published=False)
        trail = [(e.actor, e.role, e.action, e.run, e.detail) for e in officer.audit()]
        assert all(e.at.endswith("+00:00") for e in officer.audit())
    officer_id, patel_id = FUND_OFFICER.identity, COUNCILLOR.identity
    assert trail == [
        (officer_id, "officer", "saved", "committee March", ""),
        (officer_id, "officer", "saved", "draft", ""),
        (officer_id, "officer", "published", "committee March", ""),
        (patel_id, "committee", "saved", "patel idea", ""),
        (patel_id, "committee", "replaced", "patel idea", f"replaced the run saved by {patel_id}"),
        (patel_id, "committee", "deleted", "patel idea", f"saved by {patel_id}"),
        (officer_id, "officer", "published", "draft", ""),
        (officer_id, "officer", "unpublished", "committee March", ""),
    ]
    with as_(COUNCILLOR, store_file) as patel:  # the committee may read it, one run at a time too
        assert [e.action for e in patel.audit("committee March")] == ["saved", "published", "unpublished"]
        assert [e.action for e in patel.load("committee March").history] == [
            "saved",
            "published",
            "unpublished",
        ]


def test_a_refused_change_leaves_no_audit_entry_and_no_change(store_file):
    seeded(store_file)
    with as_(FUND_OFFICER, store_file) as officer:
        before = officer.audit()
    with as_(OTHER_COUNCILLOR, store_file) as jones:
        for attempt in (
            lambda: jones.save(make_run("patel idea"), overwrite=True),
            lambda: jones.delete("committee March"),
            lambda: jones.publish("draft", published=True),
        ):
            with pytest.raises(AccessError):
                attempt()
    with as_(FUND_OFFICER, store_file) as officer:
        assert officer.audit() == before


def test_the_audit_trail_cannot_be_changed_or_emptied_even_through_sql(store_file):
    seeded(store_file)
    db = sqlite3.connect(store_file)
    for statement in (
        "UPDATE audit SET actor = 'nobody'",
        "DELETE FROM audit",
        "DELETE FROM audit WHERE id = 1",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO audit (at, actor, role, action, run) VALUES ('t', 'a', 'officer', 'renamed', 'x')"
        )
    assert db.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 4
    db.close()


def test_the_command_line_acts_as_the_officer_at_this_computer(store_file):
    seeded(store_file)
    with as_(OFFICER, store_file) as here:
        here.save(make_run("patel idea", note="from the command line"), overwrite=True)
        assert here.audit()[-1].actor == OFFICER.identity and here.audit()[-1].role == "officer"
