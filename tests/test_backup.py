"""`fadaa migrate` and `fadaa backup` as an operator runs them."""

import os
import sqlite3
import subprocess
import sys

from tests.test_cli import fadaa


def test_migrate_then_backup_a_sqlite_database_in_use(tmp_path):
    migrated = fadaa("migrate", data_dir=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert "newest revision" in migrated.stdout
    fadaa("chat", "--user", "amina", data_dir=tmp_path, stdin="salam\n")
    copy = tmp_path / "backups" / "fadaa-copy.sqlite"
    run = fadaa("backup", str(copy), data_dir=tmp_path)
    assert run.returncode == 0, run.stderr
    with sqlite3.connect(copy) as backup:
        assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        users = backup.execute("SELECT channel_user_id FROM users").fetchall()
    assert users == [("amina",)]


def test_backup_never_overwrites_a_file(tmp_path):
    fadaa("migrate", data_dir=tmp_path)
    (tmp_path / "old.sqlite").write_text("keep me")
    run = fadaa("backup", str(tmp_path / "old.sqlite"), data_dir=tmp_path)
    assert run.returncode == 2 and "exists" in run.stderr
    assert (tmp_path / "old.sqlite").read_text() == "keep me"


def test_backup_of_postgresql_points_to_pg_dump(tmp_path):
    environment = {**os.environ, "FADAA_DATABASE_URL": "postgresql://fadaa@127.0.0.1:1/fadaa"}
    run = subprocess.run(
        [sys.executable, "-m", "api.cli", "backup", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert run.returncode == 2 and "pg_dump" in run.stderr
