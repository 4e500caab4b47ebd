"""rendez/web/attempts.py: counts that every process shares (the database, not a process's memory), limits
checked in the counting statement, dead rows pruned a batch at a time."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from datetime import timedelta

import httpx2
import pytest
from django.test import Client
from django.utils import timezone

from rendez.tests.processes import Processes, environment, processes  # noqa: F401 - the fixture
from rendez.web import attempts
from rendez.web.customer import magic
from rendez.web.models import AttemptCounter
from rendez.web.panel import throttle
from rendez.web.panel.tests.fixtures import PASSWORD

# Passwords hashed fast, as in the panel's tests.
pytestmark = pytest.mark.usefixtures("fast_passwords")

WINDOW = timedelta(minutes=15)


def in_another_process(code: str) -> None:
    """Run `code` in a fresh Python process on the test database, as another gunicorn worker would."""
    script = "import django\ndjango.setup()\n" + code
    env = environment(DJANGO_SETTINGS_MODULE="rendez.settings")
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)


@pytest.mark.django_db(transaction=True)
def test_failures_counted_in_another_process_lock_the_pair_here(ada):  # noqa: F811 - the fixture
    in_another_process(
        "from rendez.web.panel import throttle\n"
        f"for _ in range({throttle.PAIR_FAILURES}):\n"
        "    throttle.admit('ada', '198.51.100.7').failed()\n"
    )

    client = Client(REMOTE_ADDR="198.51.100.7")
    answer = client.post("/login/", {"identifier": "ada", "password": PASSWORD})

    assert answer.status_code == 429


@pytest.mark.django_db(transaction=True)
def test_four_gunicorn_workers_count_one_clients_failures_together(
    processes: Processes,  # noqa: F811 - the fixture, imported above
    ada,  # noqa: F811
):
    """As deployed (deploy/gunicorn.conf.py): each request on its own connection, to whichever worker."""
    port = unused_port()
    processes.web(port, workers=4)
    url = f"http://127.0.0.1:{port}/login/"
    form = httpx2.get(url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token, form.text

    def sign_in(password: str) -> int:
        data = {"identifier": "ada", "password": password, "csrfmiddlewaretoken": token.group(1)}
        return httpx2.post(url, data=data, cookies=form.cookies, timeout=30).status_code

    assert [sign_in("wrong") for _ in range(throttle.PAIR_FAILURES)] == [200] * throttle.PAIR_FAILURES
    assert sign_in(PASSWORD) == 429


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.django_db(transaction=True)
def test_a_sign_in_link_spent_in_another_process_is_spent_here():
    in_another_process("from rendez.web.customer import magic\nassert magic.spend('a-token')\n")

    assert magic.spend("a-token") is False
    assert magic.spend("another-token") is True


@pytest.mark.django_db
def test_a_count_starts_again_once_its_window_ended():
    start = timezone.now()
    assert [attempts.add("k", WINDOW, now=start) for _ in range(3)] == [1, 2, 3]

    assert attempts.add("k", WINDOW, now=start + WINDOW) == 1
    assert attempts.live(["k"], start + WINDOW)["k"].expires_at == start + 2 * WINDOW


@pytest.mark.django_db
def test_a_limit_is_checked_by_the_counting_statement_itself():
    assert [attempts.add("k", WINDOW, below=2) for _ in range(4)] == [1, 2, None, None]
    assert attempts.live(["k"])["k"].count == 2


@pytest.mark.django_db
def test_several_subjects_are_counted_in_one_statement(django_assert_num_queries):
    attempts.add("a", WINDOW)
    with django_assert_num_queries(1):
        attempts.add_each({"a": WINDOW, "b": timedelta(hours=1)})

    counts = attempts.live(["a", "b", "c"])
    assert {key: count.count for key, count in counts.items()} == {"a": 2, "b": 1}


@pytest.mark.django_db
def test_one_turn_per_interval_among_all_comers():
    start = timezone.now()
    attempts.add("k", WINDOW, now=start)
    turn = timedelta(seconds=10)

    assert attempts.claim_turn("k", turn, start + turn) is True
    assert attempts.claim_turn("k", turn, start + turn) is False
    assert attempts.claim_turn("k", turn, start + 2 * turn) is True
    assert attempts.claim_turn("nobody", turn, start + 2 * turn) is False


@pytest.mark.django_db
def test_dead_rows_are_pruned_a_batch_at_a_time_and_live_ones_kept(monkeypatch):
    monkeypatch.setattr(attempts, "PRUNE_BATCH", 3)
    long_ago = timezone.now() - timedelta(days=1)
    for number in range(5):
        attempts.add(f"dead-{number}", WINDOW, now=long_ago)
    attempts.add("live", WINDOW)

    assert attempts.prune() == 3
    assert attempts.prune() == 2
    assert attempts.prune() == 0
    assert list(AttemptCounter.objects.values_list("key", flat=True)) == ["live"]


@pytest.mark.django_db
def test_every_failed_sign_in_prunes_what_died(ada):  # noqa: F811 - the fixture
    attempts.add("dead", WINDOW, now=timezone.now() - timedelta(days=1))

    throttle.admit("ada", "198.51.100.7")
    assert AttemptCounter.objects.filter(key="dead").exists()  # a try alone writes only its pair
    attempt = throttle.admit("ada", "198.51.100.7")
    assert isinstance(attempt, throttle.Attempt)
    attempt.failed()

    assert not AttemptCounter.objects.filter(key="dead").exists()
