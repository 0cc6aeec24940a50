"""The example sign-in files in .streamlit/ are what the docs say: the roles example is a valid
allowlist, the secrets example has every key st.login needs and no real-looking secret, and
git ignores the real files."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

from impact_screen.access import DEFAULT_UPLOAD_LIMITS, Role, load_allowlist

ROOT = Path(__file__).resolve().parents[2]


def test_the_roles_example_is_a_valid_allowlist_with_the_default_limits():
    example = load_allowlist(ROOT / ".streamlit" / "roles.example.toml")
    assert set(example.people.values()) == {Role.OFFICER, Role.COMMITTEE}
    assert example.upload_limit(Role.COMMITTEE) == DEFAULT_UPLOAD_LIMITS[Role.COMMITTEE]


def test_the_secrets_example_has_what_st_login_needs():
    auth = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8"))["auth"]
    assert set(auth) == {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"}
    assert auth["redirect_uri"].endswith("/oauth2callback")
    assert auth["cookie_secret"].startswith("replace-with")


def test_git_ignores_the_real_secrets_and_allowlist():
    for name in (".streamlit/secrets.toml", ".streamlit/roles.toml"):
        ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT, check=False)
        assert ignored.returncode == 0, f"{name} is not ignored by git"
