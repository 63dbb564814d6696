"""voting init, user add, ballot list: the operator's first commands."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from voting.extensions import db
from voting.models import User

VOTING = str(Path(sys.executable).parent / "voting")


def run(args, instance, input=None):
    env = {**os.environ, "VOTING_INSTANCE": str(instance)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([VOTING, *args], env=env, input=input, capture_output=True, text=True,
                          timeout=120)


def test_init_creates_private_keys_and_schema_and_is_idempotent(tmp_path):
    instance = tmp_path / "inst"
    first = run(["init"], instance)
    assert first.returncode == 0, first.stderr
    for name in ("secret_key", "signing_key.pem", "voting.sqlite3"):
        mode = stat.S_IMODE((instance / name).stat().st_mode)
        assert mode == 0o600, f"{name} is {oct(mode)}"
    key = (instance / "signing_key.pem").read_bytes()
    second = run(["init"], instance)
    assert second.returncode == 0, second.stderr
    assert (instance / "signing_key.pem").read_bytes() == key  # keys are never replaced
    listing = run(["ballot", "list", "--json"], instance)
    assert json.loads(listing.stdout) == []


def test_user_add_reads_the_password_from_stdin(runner, app):
    result = runner.invoke(["user", "add", "lisi", "--role", "clerk", "--password-stdin"],
                           input="a-long-password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).filter_by(username="lisi"))
    assert user.role == "clerk" and user.check_password("a-long-password")


def test_user_add_refuses_bad_input_and_changes_nothing(runner, app):
    short = runner.invoke(["user", "add", "lisi", "--role", "clerk", "--password-stdin"],
                          input="short\n")
    assert short.exit_code != 0 and "密码" in short.output
    no_unit = runner.invoke(["user", "add", "jy", "--role", "unit", "--password-stdin"],
                            input="a-long-password\n")
    assert no_unit.exit_code != 0
    runner.invoke(["user", "add", "lisi", "--role", "clerk", "--password-stdin"],
                  input="a-long-password\n")
    again = runner.invoke(["user", "add", "lisi", "--role", "admin", "--password-stdin"],
                          input="a-long-password\n")
    assert again.exit_code != 0 and "已被使用" in again.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_ballot_list_json_follows_the_contract(runner, make):
    ballot = make.ballot(seats=2, candidates=3)
    db.session.commit()
    result = runner.invoke(["ballot", "list", "--json"])
    assert json.loads(result.output) == [
        {"id": ballot.id, "title": ballot.title, "kind": "selection", "state": "draft", "seats": 2}
    ]


def test_init_runs_from_an_empty_instance_path_via_env(tmp_path):
    instance = tmp_path / "x" / "y"
    assert run(["init"], instance).returncode == 0
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
