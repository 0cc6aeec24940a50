"""Who may do what: the three roles, the allowlist that gives them, and the one table of rules
that the run store and the app both consult.

- officer: everything, including publishing a run and replacing or deleting anyone's.
- committee: explore, upload (within smaller limits), save runs of their own, and replace or
  delete only their own.
- public: read-only; sees published runs only. Anyone signed in but not on the list is public,
  as is a visitor who has not signed in.

Without sign-in configured (the app on one's own computer, and the command line) the person at
the computer is the officer: `Caller.this_computer()`.

The allowlist is a TOML file, `$IMPACT_SCREEN_ROLES`, else `.streamlit/roles.toml` where the app
is started (an example is in `.streamlit/roles.example.toml`):

    [people]
    "fund.officer@lancashire.example" = "officer"
    "cllr.patel@preston.example" = "committee"

    [upload_limits.committee]   # optional; these are the defaults
    megabytes = 2
    rows = 1000

Standard library only (`screening.reading.problems` is too), so the run store starts fast.
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from screening.errors import AccessError, InputError
from screening.reading.problems import Problem

ROLES_ENV = "IMPACT_SCREEN_ROLES"
ROLES_FILE = Path(".streamlit") / "roles.toml"


class Role(StrEnum):
    OFFICER = "officer"
    COMMITTEE = "committee"
    PUBLIC = "public"


ROLE_WORDS = {Role.OFFICER: "fund officer", Role.COMMITTEE: "committee member", Role.PUBLIC: "visitor"}


class Action(StrEnum):
    """What a caller may ask for; the value is the phrase a refusal reads ('you cannot ...')."""

    EXPLORE = "change the scenario or solve a new allocation"
    UPLOAD = "upload files"
    REFRESH_MARKET = "refresh the market data"
    SEE_UNPUBLISHED = "open a run that is not published"
    SAVE = "save runs"
    REPLACE = "replace"
    DELETE = "delete"
    PUBLISH = "publish or unpublish runs"
    READ_AUDIT = "read the audit trail"


_ANY_RUN: dict[Role, frozenset[Action]] = {
    Role.OFFICER: frozenset(Action),
    Role.COMMITTEE: frozenset(
        {Action.EXPLORE, Action.UPLOAD, Action.SEE_UNPUBLISHED, Action.SAVE, Action.READ_AUDIT}
    ),
    Role.PUBLIC: frozenset(),
}
_OWN_RUN: dict[Role, frozenset[Action]] = {
    Role.OFFICER: frozenset(),
    Role.COMMITTEE: frozenset({Action.REPLACE, Action.DELETE}),
    Role.PUBLIC: frozenset(),
}


@dataclass(frozen=True)
class Caller:
    """Who is asking: an identity (an email, an OpenID subject, or a login on this computer), the
    role the allowlist gives it, and a name to show."""

    identity: str
    role: Role
    name: str = ""
    signed_in: bool = False

    @classmethod
    def this_computer(cls) -> Caller:
        """The person at this computer (local mode and the command line): the officer."""
        try:
            login = getpass.getuser()
        except (KeyError, OSError):  # no login name (a container without a passwd entry)
            login = "unknown user"
        return cls(f"{login} (on this computer)", Role.OFFICER, login)

    @classmethod
    def visitor(cls) -> Caller:
        """Someone who has not signed in: read-only, published runs only."""
        return cls("a visitor (not signed in)", Role.PUBLIC)

    def describe(self) -> str:
        """'a committee member (cllr.patel@preston.example)', for messages."""
        return f"a {ROLE_WORDS[self.role]} ({self.identity})"


def may(caller: Caller, action: Action, owner: str | None = None) -> bool:
    """Whether `caller` may do `action`; `owner` is the identity that saved the run acted on."""
    if action in _ANY_RUN[caller.role]:
        return True
    return owner is not None and owner == caller.identity and action in _OWN_RUN[caller.role]


def require(caller: Caller, action: Action, run: str | None = None, owner: str | None = None) -> None:
    """Raise AccessError, in words, unless `caller` may do `action` (on the run `run`)."""
    if may(caller, action, owner):
        return
    what = action.value
    if action in (Action.REPLACE, Action.DELETE) and run is not None:
        saved_by = owner or "someone before authors were recorded"
        what = f"{what} '{run}', which was saved by {saved_by}; only a fund officer can"
        if action is Action.REPLACE:
            what += " (save it under another name instead)"
    raise AccessError(f"You are signed in as {caller.describe()}: you cannot {what}.")


# ---------------------------------------------------------------------------------------------
# The allowlist


@dataclass(frozen=True)
class UploadLimit:
    """The largest upload a role may make (megabytes, rows); 0 means no uploads."""

    megabytes: int
    rows: int


DEFAULT_UPLOAD_LIMITS: dict[Role, UploadLimit | None] = {
    Role.OFFICER: None,  # the app's own limits (screening.reading.limits.UPLOAD_LIMITS)
    Role.COMMITTEE: UploadLimit(megabytes=2, rows=1_000),
    Role.PUBLIC: UploadLimit(megabytes=0, rows=0),
}


@dataclass(frozen=True)
class Allowlist:
    """Identities (emails, compared without regard to case, or OpenID subjects) and their roles."""

    people: Mapping[str, Role] = field(default_factory=dict)
    upload_limits: Mapping[Role, UploadLimit | None] = field(
        default_factory=lambda: dict(DEFAULT_UPLOAD_LIMITS)
    )
    source: str = "no list of people"

    def role_of(self, email: str | None, subject: str | None) -> Role:
        """The role of a signed-in person: by email first, then by subject; else public."""
        if email:
            for key, role in self.people.items():
                if key.casefold() == email.strip().casefold():
                    return role
        if subject and subject in self.people:
            return self.people[subject]
        return Role.PUBLIC

    def caller(
        self, email: str | None, subject: str | None, name: str = "", email_verified: bool | None = None
    ) -> Caller:
        """The signed-in person as a Caller. An email the provider says is not verified is not
        trusted: the role and the identity then come from the subject alone."""
        if email_verified is False:
            email = None
        identity = (email or subject or "").strip() or "someone without an email or subject"
        return Caller(identity, self.role_of(email, subject), name, signed_in=True)

    def upload_limit(self, role: Role) -> UploadLimit | None:
        return self.upload_limits.get(role, DEFAULT_UPLOAD_LIMITS[role])


def roles_path() -> Path:
    """$IMPACT_SCREEN_ROLES, else .streamlit/roles.toml in the folder the app was started in."""
    override = os.environ.get(ROLES_ENV)
    return Path(override).expanduser() if override else ROLES_FILE


def load_allowlist(path: Path | None = None) -> Allowlist:
    """The allowlist at `path` (default `roles_path()`); an empty one when there is no file.
    InputError, naming the file and line, when the file cannot be used."""
    path = path or roles_path()
    if not path.is_file():
        return Allowlist()
    return allowlist_from_text(path.read_text(encoding="utf-8"), path.name)


def allowlist_from_text(text: str, file: str) -> Allowlist:
    """An allowlist from TOML text; every problem reported at once, each with its line."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+), column (\d+)", str(exc))  # Python 3.11's only position
        line = int(at.group(1)) if at else None
        raise InputError([Problem(file, line, None, f"not valid TOML: {exc}", kind="key")]) from None
    problems: list[Problem] = []
    for key in document:
        if key not in ("people", "upload_limits"):
            problems.append(
                _problem(text, file, key, f"unknown section [{key}]; use [people] or [upload_limits]")
            )
    people = _people(document.get("people", {}), text, file, problems)
    limits = _limits(document.get("upload_limits", {}), text, file, problems)
    if problems:
        raise InputError(problems)
    return Allowlist(people, {**DEFAULT_UPLOAD_LIMITS, **limits}, source=file)


def _people(table: object, text: str, file: str, problems: list[Problem]) -> dict[str, Role]:
    if not isinstance(table, dict):
        problems.append(_problem(text, file, "people", "[people] must be a table of identity = role"))
        return {}
    people: dict[str, Role] = {}
    for identity, role in table.items():
        if role not in set(Role):
            problems.append(
                _problem(
                    text,
                    file,
                    identity,
                    f"{identity}: role {role!r} is not one of officer, committee, public",
                )
            )
        else:
            people[identity.strip()] = Role(role)
    return people


def _limits(table: object, text: str, file: str, problems: list[Problem]) -> dict[Role, UploadLimit]:
    limits: dict[Role, UploadLimit] = {}
    if not isinstance(table, dict):
        problems.append(_problem(text, file, "upload_limits", "[upload_limits] must hold one table a role"))
        return limits
    for role, values in table.items():
        if role not in set(Role) or not isinstance(values, dict):
            problems.append(_problem(text, file, role, f"[upload_limits.{role}]: not a role's limits"))
            continue
        numbers = {key: values.get(key) for key in ("megabytes", "rows")}
        unknown = set(values) - set(numbers)
        bad = [k for k, v in numbers.items() if not isinstance(v, int) or isinstance(v, bool) or v < 0]
        if unknown or bad:
            problems.append(
                _problem(
                    text,
                    file,
                    role,
                    f"[upload_limits.{role}] needs whole numbers megabytes and rows, 0 or more",
                )
            )
            continue
        limits[Role(role)] = UploadLimit(megabytes=int(numbers["megabytes"]), rows=int(numbers["rows"]))  # type: ignore[arg-type]
    return limits


def _problem(text: str, file: str, key: str, message: str) -> Problem:
    """A problem at the first line that names `key` (TOML readers give no positions for values)."""
    line = next((i for i, row in enumerate(text.splitlines(), start=1) if key in row), None)
    return Problem(file, line, key, message, kind="key")
