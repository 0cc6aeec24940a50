"""Who may do what: the rule table, written out here from the issue's words and checked against
`impact_screen.access` for every role, action and owner; and the allowlist file, read with its
problems named by file and line."""

from __future__ import annotations

import itertools

import pytest
from callers import COUNCILLOR, FUND_OFFICER, OTHER_COUNCILLOR, OUTSIDER, VISITOR

from impact_screen.access import (
    DEFAULT_UPLOAD_LIMITS,
    Action,
    Allowlist,
    Caller,
    Role,
    UploadLimit,
    allowlist_from_text,
    load_allowlist,
    may,
    require,
)
from screening.errors import AccessError, InputError

A = Action
# (role, action) -> on anyone's run / on one's own run; from the issue: officer everything;
# committee explores, saves its own, never replaces or deletes another's; public read-only
EXPECTED = {
    Role.OFFICER: {a: ("any", "own") for a in Action},
    Role.COMMITTEE: {
        A.EXPLORE: ("any", "own"),
        A.UPLOAD: ("any", "own"),
        A.SEE_UNPUBLISHED: ("any", "own"),
        A.SAVE: ("any", "own"),
        A.READ_AUDIT: ("any", "own"),
        A.REPLACE: ("own",),
        A.DELETE: ("own",),
    },
    Role.PUBLIC: {},
}


@pytest.mark.parametrize(("role", "action"), list(itertools.product(Role, Action)))
def test_every_role_may_do_exactly_what_the_issue_says(role, action):
    me = Caller("me@fund.example", role)
    expected = EXPECTED[role].get(action, ())
    assert may(me, action, owner="someone.else@fund.example") is ("any" in expected)
    assert may(me, action, owner="me@fund.example") is ("own" in expected)
    assert may(me, action, owner="") is ("any" in expected)  # a run saved before authors were kept


def test_the_person_at_this_computer_is_the_officer_and_a_visitor_is_public():
    assert Caller.this_computer().role is Role.OFFICER
    assert "(on this computer)" in Caller.this_computer().identity
    assert VISITOR.role is Role.PUBLIC and not VISITOR.signed_in


def test_a_refusal_says_who_asked_what_and_whose_run_it_is():
    with pytest.raises(AccessError) as refused:
        require(COUNCILLOR, Action.REPLACE, "committee March", FUND_OFFICER.identity)
    message = str(refused.value)
    assert "committee member (cllr.patel@preston.example)" in message
    assert "replace 'committee March', which was saved by fund.officer@lancashire.example" in message
    assert "save it under another name" in message
    require(COUNCILLOR, Action.REPLACE, "mine", COUNCILLOR.identity)  # one's own: allowed
    with pytest.raises(AccessError, match=r"visitor .*cannot save runs"):
        require(VISITOR, Action.SAVE)
    with pytest.raises(AccessError, match="cannot publish or unpublish runs"):
        require(OTHER_COUNCILLOR, Action.PUBLISH)


ROLES_TOML = """
# who may do what
[people]
"Fund.Officer@Lancashire.example" = "officer"
"cllr.patel@preston.example" = "committee"
"oidc|subject-42" = "committee"

[upload_limits.committee]
megabytes = 3
rows = 2000
"""


def test_the_allowlist_gives_roles_by_email_without_case_or_by_subject_else_public():
    allowlist = allowlist_from_text(ROLES_TOML, "roles.toml")
    assert allowlist.role_of("fund.officer@lancashire.example", "x") is Role.OFFICER
    assert allowlist.role_of(" CLLR.PATEL@preston.example ", None) is Role.COMMITTEE
    assert allowlist.role_of(None, "oidc|subject-42") is Role.COMMITTEE
    assert allowlist.role_of("someone@elsewhere.example", "oidc|other") is Role.PUBLIC
    assert allowlist.role_of(None, None) is Role.PUBLIC
    signed = allowlist.caller("cllr.patel@preston.example", "abc", "Cllr Patel")
    assert signed == Caller("cllr.patel@preston.example", Role.COMMITTEE, "Cllr Patel", signed_in=True)
    assert allowlist.upload_limit(Role.COMMITTEE) == UploadLimit(3, 2000)
    assert allowlist.upload_limit(Role.PUBLIC) == UploadLimit(0, 0)
    assert allowlist.upload_limit(Role.OFFICER) is None


def test_an_unverified_email_is_not_trusted_only_the_subject():
    allowlist = allowlist_from_text(ROLES_TOML, "roles.toml")
    claimed = allowlist.caller("fund.officer@lancashire.example", "oidc|stranger", email_verified=False)
    assert claimed.role is Role.PUBLIC and claimed.identity == "oidc|stranger"
    verified = allowlist.caller("fund.officer@lancashire.example", "oidc|x", email_verified=True)
    assert verified.role is Role.OFFICER and verified.identity == "fund.officer@lancashire.example"
    by_subject = allowlist.caller("x@unverified.example", "oidc|subject-42", email_verified=False)
    assert by_subject.role is Role.COMMITTEE


def test_no_allowlist_file_means_everyone_signed_in_is_public(tmp_path):
    empty = load_allowlist(tmp_path / "missing.toml")
    assert empty == Allowlist() and empty.role_of(OUTSIDER.identity, None) is Role.PUBLIC
    assert empty.upload_limit(Role.COMMITTEE) == DEFAULT_UPLOAD_LIMITS[Role.COMMITTEE]


def test_the_allowlist_path_comes_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "who.toml"
    path.write_text('[people]\n"a@b.example" = "officer"\n', encoding="utf-8")
    monkeypatch.setenv("IMPACT_SCREEN_ROLES", str(path))
    assert load_allowlist().role_of("a@b.example", None) is Role.OFFICER


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[people]\n"a@b.example" = "chair"\n', 2, "role 'chair' is not one of officer, committee, public"),
        ('[people]\n"a@b.example" = "officer"\n[roles]\nx = 1\n', 3, "unknown section [roles]"),
        ("[people\n", 1, "not valid TOML"),
        ("[upload_limits.committee]\nmegabytes = -1\nrows = 10\n", 1, "whole numbers megabytes and rows"),
        ("[upload_limits.chair]\nmegabytes = 1\nrows = 1\n", 1, "not a role's limits"),
        ('people = "everyone"\n', 1, "must be a table"),
    ],
)
def test_a_bad_allowlist_names_the_file_and_line(text, line, words):
    with pytest.raises(InputError) as bad:
        allowlist_from_text(text, "roles.toml")
    problem = bad.value.problems[0]
    assert (problem.file, problem.line) == ("roles.toml", line)
    assert words in problem.message
