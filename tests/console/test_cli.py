"""``helpline staff add-user`` reads the password from stdin when it is not a terminal; ``expire-holds``."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from webhooks.main import main
from helpline.console.models import AuditEntry, StaffUser
from helpline.console.security import hasher


def test_add_user_from_stdin(clean_env, monkeypatch, tmp_path, session_factory, db_url) -> None:
    monkeypatch.setenv("HELPLINE_DATABASE_URL", db_url)
    runner = CliRunner()
    result = runner.invoke(main, ["staff", "add-user", "Admin", "--role", "admin"], input="a long passphrase\n")
    assert result.exit_code == 0, result.output
    assert "created admin 'admin'" in result.output and "a long passphrase" not in result.output
    with session_factory() as session:
        user = session.scalars(select(StaffUser)).one()
        assert (user.username, user.role, user.active) == ("admin", "admin", True)
        assert hasher.verify(user.password_hash, "a long passphrase")
        assert "passphrase" not in repr(user) and user.password_hash not in repr(user)
        entry = session.scalars(select(AuditEntry)).one()
        assert (entry.actor, entry.action) == ("cli", "user.create")
    again = runner.invoke(main, ["staff", "add-user", "admin", "--role", "agent"], input="another passphrase\n")
    assert again.exit_code != 0 and "already exists" in again.output
    weak = runner.invoke(main, ["staff", "add-user", "bob", "--role", "agent"], input="short\n")
    assert weak.exit_code != 0 and "at least 10" in weak.output
    bad = runner.invoke(main, ["staff", "add-user", "bob", "--role", "boss"], input="a long passphrase\n")
    assert bad.exit_code != 0


def test_expire_holds_command(clean_env, monkeypatch, db_url, engine) -> None:
    monkeypatch.setenv("HELPLINE_DATABASE_URL", db_url)
    result = CliRunner().invoke(main, ["staff", "expire-holds"])
    assert result.exit_code == 0, result.output
    assert "0 hold(s)" in result.output
