"""`fadaa chat` and `fadaa classify` as a person runs them, in a subprocess."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import contextmanager

import pytest

from bot.reminders.rules import TZDATA_VERSION


def fadaa(*args: str, data_dir, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "FADAA_DATA_DIR": str(data_dir), **env}
    environment.pop("FADAA_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_a_piped_conversation_prints_the_transcript_and_ends_with_the_input(tmp_path):
    run = fadaa("chat", "--user", "demo", data_dir=tmp_path, stdin="salam\n2\n")
    assert run.returncode == 0, run.stderr
    assert "> salam" in run.stdout
    assert "Merhba bik" in run.stdout and "2. Ltamwil" in run.stdout  # welcomed in Latin letters
    assert "Intilaka" in run.stdout  # the financing answer after choosing 2


def test_a_pasted_telegram_deep_link_opens_its_topic_once_the_language_is_chosen(tmp_path):
    said = "https://t.me/fadaa_bot?start=intilaka\n3\n"
    run = fadaa("chat", "--user", "demo", data_dir=tmp_path, stdin=said)
    assert "Intilaka est un programme" in run.stdout


def test_a_typed_start_with_a_capitalised_topic_opens_it(tmp_path):
    said = "Bonjour, comment créer une coopérative ?\n/start Intilaka\n"
    run = fadaa("chat", "--user", "demo", data_dir=tmp_path, stdin=said)
    assert "Intilaka est un programme" in run.stdout


def test_a_restarted_chat_remembers_the_language(tmp_path):
    fadaa("chat", "--user", "demo", data_dir=tmp_path, stdin="Bonjour\n3\n")
    run = fadaa("chat", "--user", "demo", data_dir=tmp_path, stdin="menu\n")
    assert "Créer une coopérative" in run.stdout


def test_a_listed_reminder_button_is_numbered_once(tmp_path):
    said = "Bonjour, rappelle-moi demain à 10h d'appeler la banque\n1\nmes rappels\n"
    run = fadaa("chat", "--user", "demo", data_dir=tmp_path, stdin=said)
    assert "  1. appeler la banque" in run.stdout
    assert "1. 1." not in run.stdout


def test_visual_mode_reorders_arabic_for_terminals_without_bidi(tmp_path):
    run = fadaa("chat", "--rtl", "visual", data_dir=tmp_path, stdin="salam\n2\n")
    assert "تأسيس تعاونية" not in run.stdout
    assert "Fadaa:" in run.stdout


def test_an_unwritable_data_directory_gets_a_clear_message_not_a_traceback(tmp_path):
    run = fadaa("chat", data_dir="/proc/fadaa-data", stdin="salam\n")
    assert run.returncode == 2
    assert "cannot create the data directory" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_read_only_data_directory_gets_a_clear_message(tmp_path):
    fadaa("chat", data_dir=tmp_path, stdin="salam\n")
    with read_only(tmp_path, tmp_path / "fadaa.sqlite"):
        run = fadaa("chat", data_dir=tmp_path, stdin="salam\n")
    assert run.returncode == 2
    assert "cannot be used" in run.stderr and "Traceback" not in run.stderr


@contextmanager
def read_only(*paths):
    """chmod for ordinary users; root ignores modes, so it needs the immutable attribute."""
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        yield
        for path in paths:
            path.chmod(0o755 if path.is_dir() else 0o644)
        return
    if subprocess.run(["chattr", "+i", *map(str, paths)], check=False).returncode != 0:
        pytest.skip("this file system cannot make files immutable")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=False)


def test_a_corrupt_database_file_gets_a_clear_message(tmp_path):
    (tmp_path / "fadaa.sqlite").write_bytes(os.urandom(4096))
    run = fadaa("chat", data_dir=tmp_path, stdin="salam\n")
    assert run.returncode == 2
    assert "move a damaged file aside" in run.stderr and "Traceback" not in run.stderr


def test_an_invalid_setting_is_named(tmp_path):
    run = fadaa("chat", data_dir=tmp_path, FADAA_ACT_THRESHOLD="high")
    assert run.returncode == 2
    assert "FADAA_ACT_THRESHOLD" in run.stderr


def test_classify_prints_one_json_line(tmp_path):
    run = fadaa("classify", "c quoi intilaka w ch7al l'interet", data_dir=tmp_path)
    result = json.loads(run.stdout)
    assert result["intent"] == "intilaka"
    assert set(result) == {"intent", "confidence", "top3", "language", "script"}
    assert len(result["top3"]) == 3


def test_a_scripted_darija_conversation_walks_the_financing_finder(tmp_path):
    script = "salam\n1\nbghit tamwil l cooperative\n1\nmazal\nflaha\n3robiya\nl3yalat\n20 مليون\n"
    run = fadaa("chat", "--user", "amina", data_dir=tmp_path, stdin=script)
    assert run.returncode == 0, run.stderr
    assert "200.000 درهم" in run.stdout
    assert "برنامج انطلاقة" in run.stdout


def test_the_terminal_chat_recomputes_due_times_computed_with_older_zone_rules(tmp_path):
    fadaa("chat", "--user", "amina", data_dir=tmp_path, stdin="salam\n")
    with sqlite3.connect(tmp_path / "fadaa.sqlite") as database:
        database.execute(
            "INSERT INTO reminders (user_id, text, local_time, zone, due_at, status, attempts,"
            " tzdata_version, created_at) VALUES (1, 'nsift lwra9 l ODCO',"
            " '2027-03-01 09:00:00.000000', 'Africa/Casablanca', '2027-03-01 08:00:00.000000',"
            " 'pending', 0, '2025b', '2026-11-30 10:00:00.000000')"
        )
    run = fadaa("chat", "--user", "amina", data_dir=tmp_path, stdin="salam\n")
    assert run.returncode == 0, run.stderr
    with sqlite3.connect(tmp_path / "fadaa.sqlite") as database:
        due, version = database.execute("SELECT due_at, tzdata_version FROM reminders").fetchone()
    assert (due[:16], version) == ("2027-03-01 09:00", TZDATA_VERSION)  # UTC+0 since 2026c


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_worker_stops_cleanly_on_a_stop_signal_even_started_in_the_background(tmp_path, signum):
    """`docker stop` sends SIGTERM; a shell's background job inherits SIGINT ignored.
    Either way the worker finishes what it was doing and exits 0."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FADAA_")}
    worker = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker"],
        env=environment | {"FADAA_DATA_DIR": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # as `cmd &` does
    )
    try:
        assert worker.stderr.readline().strip() == "fadaa worker: ready"
        worker.send_signal(signum)
        assert worker.wait(timeout=60) == 0
    finally:
        worker.kill()
    assert "Traceback" not in worker.stderr.read()
