"""Admission control and query lanes: a bounded queue, per-client limits, deadlines from
arrival, and query processes that are replaced when they die.

No test asserts how long anything took: long deadlines are only guards against hangs, and
the assertions are on statuses and on the order of events.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from openness.server import create_app
from openness.server.admission import Guard, Limits, Overloaded
from openness.server.context import current_guard, prepare
from openness.server.execute import QueryTimeout
from openness.server.lanes import ThreadLanes
from openness.store import EmbeddedStore

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HANG_GUARD = 60.0


def blocked(store: Any, release: threading.Event) -> str:
    release.wait(HANG_GUARD)
    return "released"


def quick(store: Any) -> str:
    return "quick"


def until(condition: Callable[[], bool], every: float = 0.01) -> None:
    """Wait for ``condition`` (a guard against hangs, not a timing assertion), asked
    ``every`` so many seconds."""
    deadline = time.monotonic() + HANG_GUARD
    while not condition():
        assert time.monotonic() < deadline, "the condition never became true"
        time.sleep(every)


class Background:
    """A task run through the guard in a thread; ``result`` is its value or error."""

    def __init__(self, guard: Guard, task: tuple, client: str, timeout: float = HANG_GUARD):
        self.result: Any = None
        deadline = time.monotonic() + timeout

        def target() -> None:
            try:
                self.result = guard.run(task, client=client, deadline=deadline)
            except Exception as e:  # inspected by the test
                self.result = e

        self.thread = threading.Thread(target=target)
        self.thread.start()

    def join(self) -> Any:
        self.thread.join(HANG_GUARD)
        assert not self.thread.is_alive()
        return self.result


def guard(lanes: int, **limits: Any) -> Guard:
    return Guard(partial(ThreadLanes, None, lanes), Limits(**{"timeout": HANG_GUARD, **limits}))


def test_a_full_queue_refuses_at_once_with_retry_after() -> None:
    g, release = guard(1, queue_size=1), threading.Event()
    running = Background(g, (blocked, (release,)), "a")
    until(lambda: g.status()["running"] == 1)
    waiting = Background(g, (quick, ()), "b")
    until(lambda: g.status()["waiting"] == 1)
    with pytest.raises(Overloaded) as refused:
        g.run((quick, ()), client="c", deadline=time.monotonic() + HANG_GUARD)
    assert refused.value.status == 503 and refused.value.retry_after >= 1
    assert g.refused == {"queue full": 1}
    assert g.status()["running"] == 1  # refused while the lane was still taken
    release.set()
    assert running.join() == "released" and waiting.join() == "quick"


def test_a_client_past_its_limit_gets_429_and_others_still_get_in() -> None:
    g, release = guard(1, client_limit=2), threading.Event()
    first = Background(g, (blocked, (release,)), "a")
    until(lambda: g.status()["running"] == 1)
    second = Background(g, (quick, ()), "a")
    until(lambda: g.status()["waiting"] == 1)
    with pytest.raises(Overloaded) as refused:
        g.run((quick, ()), client="a", deadline=time.monotonic() + HANG_GUARD)
    assert refused.value.status == 429 and refused.value.retry_after >= 1
    other = Background(g, (quick, ()), "b")
    until(lambda: g.status()["waiting"] == 2)  # admitted: waits beside a's second query
    release.set()
    assert [first.join(), second.join(), other.join()] == ["released", "quick", "quick"]


def test_the_deadline_runs_from_arrival_not_from_start() -> None:
    """A query that waits for a lane is refused when its deadline passes, though it never
    started: the wait counted."""
    g, release = guard(1), threading.Event()
    holder = Background(g, (blocked, (release,)), "a")
    until(lambda: g.status()["running"] == 1)
    with pytest.raises(Overloaded) as refused:
        g.run((quick, ()), client="b", deadline=time.monotonic() + 0.2)
    assert refused.value.status == 503 and g.refused == {"waited too long": 1}
    assert holder.thread.is_alive()  # refused while the first query still ran
    release.set()
    assert holder.join() == "released"


def test_one_client_cannot_take_every_lane() -> None:
    g, release = guard(2), threading.Event()
    first = Background(g, (blocked, (release,)), "storm")
    until(lambda: g.status()["running"] == 1)
    second = Background(g, (blocked, (release,)), "storm")
    until(lambda: g.status()["waiting"] == 1)  # a lane is idle, but kept for others
    assert g.run((quick, ()), client="other", deadline=time.monotonic() + HANG_GUARD) == "quick"
    assert g.status()["waiting"] == 1 and second.thread.is_alive()
    release.set()
    assert first.join() == "released" and second.join() == "released"


def marked(store: Any, started: threading.Event, release: threading.Event) -> str:
    started.set()
    return blocked(store, release)


def test_a_free_lane_goes_to_the_client_whose_queries_have_run_least() -> None:
    """A storm client's second runaway ends; both clients have a query waiting and one
    running, the other client's since later: its query gets the lane, though the storm's
    arrived first."""
    g, release = guard(3), threading.Event()
    storm_first = Background(g, (blocked, (release,)), "storm")
    until(lambda: g.status()["running"] == 1)
    end = threading.Event()
    storm_ending = Background(g, (blocked, (end,)), "storm")
    until(lambda: g.status()["running"] == 2)
    other_first = Background(g, (blocked, (release,)), "other")
    until(lambda: g.status()["running"] == 3)
    started = {"storm": threading.Event(), "other": threading.Event()}
    storm_next = Background(g, (marked, (started["storm"], release)), "storm")
    until(lambda: g.status()["waiting"] == 1)
    other_next = Background(g, (marked, (started["other"], release)), "other")
    until(lambda: g.status()["waiting"] == 2)
    end.set()
    until(lambda: started["storm"].is_set() or started["other"].is_set())
    assert started["other"].is_set() and not started["storm"].is_set()
    assert g.status()["waiting"] == 1
    release.set()
    for b in (storm_first, storm_ending, other_first, storm_next, other_next):
        assert b.join() == "released"


def test_an_abandoned_thread_keeps_its_lane_until_it_ends() -> None:
    g, release = guard(1), threading.Event()
    with pytest.raises(QueryTimeout):
        g.run((blocked, (release,)), client="a", deadline=time.monotonic() + 0.2)
    assert g.status()["idle"] == 0  # the query still runs: its lane is not handed out
    release.set()
    until(lambda: g.status()["idle"] == 1)
    assert g.run((quick, ()), client="a", deadline=time.monotonic() + HANG_GUARD) == "quick"


def stopping(answer: Any) -> bool:
    return isinstance(answer, Overloaded) and answer.status == 503 and "stopping" in str(answer)


def test_closing_answers_the_queries_running_and_waiting() -> None:
    """Those waiting waited until their deadline for a lane that would never come back, and
    the one running in a thread, which cannot be stopped, held its request (and a server
    stopping) until it ended; all are answered 503 at once."""
    g, release = guard(1), threading.Event()
    running = Background(g, (blocked, (release,)), "a", timeout=3600.0)
    until(lambda: g.status()["running"] == 1)
    waiting = Background(g, (quick, ()), "b", timeout=3600.0)
    until(lambda: g.status()["waiting"] == 1)
    g.close()
    assert stopping(waiting.join())
    assert stopping(running.join())
    assert g.status()["idle"] == 0  # the thread runs on, its lane taken
    release.set()
    until(lambda: g.status()["idle"] == 1)  # given back as it ended


# --- the real query processes, through the app ------------------------------------------


@pytest.fixture(scope="module")
def app(reported: Path):
    app = create_app(
        {
            "STORE_LOCATION": str(reported),
            "TESTING": True,
            "QUERY_TIMEOUT": HANG_GUARD,
            "QUERY_PROCESSES": 2,
            "CLIENT_LIMIT": 1,
        }
    )
    prepare(app)
    yield app
    current_guard(app).close()


def ask(app, client: str = "10.0.0.1"):  # noqa: ANN001, ANN201
    return app.test_client().get(
        "/sparql",
        query_string={"query": "ASK { ?m a og:Model }"},
        environ_base={"REMOTE_ADDR": client},
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def until_a_process_runs_it(app) -> None:  # noqa: ANN001
    """Wait until a query process is running the slow query, not only admitted: a process
    lowers its priority once its query has run a quarter second. (Killed before the task
    reached it, the query would be retried elsewhere, not answered 500.)"""
    ours = os.getpriority(os.PRIO_PROCESS, 0)

    def lowered(pid: int) -> bool:
        try:
            return os.getpriority(os.PRIO_PROCESS, pid) > ours
        except ProcessLookupError:
            return False

    until(lambda: any(lowered(pid) for pid in current_guard(app).lanes.pids()))


def kill_all(app) -> None:  # noqa: ANN001
    """SIGKILL every query process of ``app`` and wait until they are gone."""
    pids = current_guard(app).lanes.pids()
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    until(lambda: not any(alive(pid) for pid in pids))


def gone(pid: int) -> bool:
    """Ended: no such process, or a zombie (an orphan's new parent may never reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def slow_query(app, client: str = "127.0.0.1") -> tuple[threading.Thread, dict[str, Any]]:  # noqa: ANN001
    """The runaway query asked of ``app`` by ``client`` in a thread: the thread, and the
    dict its answer goes in (as "r")."""
    slow: dict[str, Any] = {}
    thread = threading.Thread(
        target=lambda: slow.setdefault(
            "r",
            app.test_client().get(
                "/sparql", query_string={"query": SLOW}, environ_base={"REMOTE_ADDR": client}
            ),
        )
    )
    thread.start()
    return thread, slow


@contextmanager
def query_owner(store: Path, *args: str) -> Iterator[tuple[subprocess.Popen, int]]:
    """tests/support/query_owner.py on ``store`` and the pid of its query process; both
    ended after."""
    script = Path(__file__).parent / "support" / "query_owner.py"
    owner = subprocess.Popen(
        [sys.executable, str(script), str(store), *args], stdout=subprocess.PIPE, text=True
    )
    query = 0
    try:
        assert owner.stdout is not None
        query = int(owner.stdout.readline())
        yield owner, query
    finally:
        owner.kill()
        if query and not gone(query):  # before reading to the end: it holds the pipe
            os.kill(query, signal.SIGKILL)
        owner.communicate()


def test_a_query_process_ends_with_the_process_it_serves(reported: Path) -> None:
    """Its owner killed (SIGKILL: no clean-up runs), a query process running a runaway
    query ends too, rather than run it on with nobody left to stop it: it held the CPU and
    the stderr of a test run, which hung waiting for that pipe to close."""
    with query_owner(reported) as (owner, query):
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        until(lambda: gone(query) or os.getpriority(os.PRIO_PROCESS, query) > ours)  # runs it
        owner.kill()
        owner.wait(HANG_GUARD)
        until(lambda: gone(query))


def test_a_process_ending_with_its_query_processes_open_exits(reported: Path) -> None:
    """A process that ends without closing its lanes exits, its query processes with it:
    multiprocessing's exit sent them SIGTERM, which they ignore, and waited for them, and
    they for it (a test run whose failing test's traceback held its app, never exiting)."""
    with query_owner(reported, "exit") as (owner, query):
        assert owner.wait(HANG_GUARD) == 0
        until(lambda: gone(query))


def test_a_process_ending_while_a_query_process_starts_exits(reported: Path) -> None:
    """A query process started (a replacement, in the background) after the lanes' exit
    killed theirs was left running, ignoring multiprocessing's SIGTERM: the exit waited for
    it for ever, as it waited for the lanes' own before they were killed there."""
    with query_owner(reported, "exit-starting") as (owner, query):
        assert owner.wait(HANG_GUARD) == 0
        until(lambda: gone(query))


def test_processes_are_started_before_the_first_request(app) -> None:  # noqa: ANN001
    status = current_guard(app).status()
    assert status["idle"] == status["lanes"] == 2


def test_killed_query_processes_are_replaced(app) -> None:  # noqa: ANN001
    kill_all(app)  # both idle processes: the next query must still be answered
    assert ask(app).status_code == 200
    kill_all(app)
    assert ask(app).status_code == 200
    thread, slow = slow_query(app)
    until_a_process_runs_it(app)
    kill_all(app)  # one of them runs the slow query
    thread.join(HANG_GUARD)
    assert slow["r"].status_code == 500 and "ended without answering" in slow["r"].text
    assert ask(app).status_code == 200
    until(lambda: current_guard(app).status()["idle"] == 2)


def test_overload_is_answered_with_retry_after(app) -> None:  # noqa: ANN001
    thread, slow = slow_query(app, "10.0.0.9")
    until(lambda: current_guard(app).status()["running"] == 1)
    mine = ask(app, "10.0.0.9")  # this client's one query is running
    assert mine.status_code == 429 and int(mine.headers["Retry-After"]) >= 1
    # The lane kept free for other clients answers them meanwhile.
    other = ask(app, "10.0.0.2")
    assert other.status_code == 200
    until_a_process_runs_it(app)
    kill_all(app)  # end the slow query rather than wait for it
    thread.join(HANG_GUARD)
    assert slow["r"].status_code == 500
    until(lambda: current_guard(app).status()["idle"] == 2)


def test_closing_answers_a_query_running_in_a_process(reported: Path) -> None:
    """Its process is killed: the query is answered 503 (the server is stopping), where it
    was 500, as for a process that died by itself."""
    app = create_app(
        {
            "STORE_LOCATION": str(reported),
            "TESTING": True,
            "QUERY_PROCESSES": 1,
            "QUERY_TIMEOUT": 3600.0,
        }
    )
    prepare(app)
    thread, slow = slow_query(app)
    until_a_process_runs_it(app)
    current_guard(app).close()
    thread.join(HANG_GUARD)
    assert slow["r"].status_code == 503 and "stopping" in slow["r"].text
    assert int(slow["r"].headers["Retry-After"]) >= 1


def test_pages_api_and_graph_store_reads_are_bounded(reported: Path) -> None:
    app = create_app({"STORE_LOCATION": str(reported), "TESTING": True, "MAX_RESULT_BYTES": 2000})
    client = app.test_client()
    try:
        for path in ("/matrix", "/api/conformance", "/store?default"):
            r = client.get(path, headers={"Accept": "text/turtle"})
            assert r.status_code == 413, path
            assert "limit of 2000 bytes" in r.text
        assert client.get("/health").status_code == 200
    finally:
        current_guard(app).close()


def test_health_names_the_server_process_its_counts_are_of(reported: Path) -> None:
    """Each of `openness serve`'s --workers processes keeps its own guard, and /health
    answers with the counts of the one that took the request: an operator polling it saw
    'refused' go 46, 51, 46 with nothing telling the answers apart. It names its process."""
    app = create_app({"STORE_LOCATION": str(reported), "TESTING": True})
    try:
        answer = app.test_client().get("/health").json
        assert answer["process"] == os.getpid(), answer
    finally:
        guard = current_guard(app)
        if guard is not None:
            guard.close()


def test_each_request_is_logged_with_the_clients_address(
    reported: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The 429 of --client-limit is per client address, but the log line of a request named
    none: an operator reading 80 lines of 429 could not tell whose they were."""
    app = create_app({"STORE_LOCATION": str(reported), "TESTING": True})
    with caplog.at_level("INFO", logger="openness.server"):
        app.test_client().get("/health", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert "192.0.2.7 GET /health 200 " in caplog.text, caplog.text


@pytest.mark.parametrize("hops", [0, 1, 2])
def test_a_proxys_forwarded_address_is_the_clients_only_when_asked(
    reported: Path, caplog: pytest.LogCaptureFixture, hops: int
) -> None:
    """Behind a reverse proxy every client was the proxy's address, in the request log and
    to --client-limit (one limit for the whole team). --proxy-hops N reads the address the
    N proxies in front were sent by from X-Forwarded-For; without it (the default) the
    header, which any client can write, is ignored."""
    config = {"STORE_LOCATION": str(reported), "TESTING": True, "PROXY_HOPS": hops}
    forwarded = {"X-Forwarded-For": "203.0.113.5, 198.51.100.9"}  # the nearest proxy's last
    with caplog.at_level("INFO", logger="openness.server"):
        create_app(config).test_client().get(
            "/health", headers=forwarded, environ_base={"REMOTE_ADDR": "192.0.2.7"}
        )
    client = {0: "192.0.2.7", 1: "198.51.100.9", 2: "203.0.113.5"}[hops]
    assert f"{client} GET /health 200 " in caplog.text, caplog.text


def test_the_queue_is_full_for_every_client(reported: Path) -> None:
    app = create_app(
        {
            "STORE_LOCATION": str(reported),
            "TESTING": True,
            "QUERY_TIMEOUT": HANG_GUARD,
            "QUERY_PROCESSES": 1,
            "QUERY_QUEUE": 0,
        }
    )
    prepare(app)
    try:
        slow: dict[str, Any] = {}
        thread = threading.Thread(
            target=lambda: slow.setdefault(
                "r", app.test_client().get("/sparql", query_string={"query": SLOW})
            )
        )
        thread.start()
        until(lambda: current_guard(app).status()["running"] == 1)
        page = app.test_client().get("/models/OLMo-7B", environ_base={"REMOTE_ADDR": "10.0.0.3"})
        assert page.status_code == 503 and int(page.headers["Retry-After"]) >= 1
        until_a_process_runs_it(app)
        kill_all(app)
        thread.join(HANG_GUARD)
        assert slow["r"].status_code == 500
    finally:
        current_guard(app).close()


def test_cheap_requests_are_answered_through_a_runaway_storm(reported: Path) -> None:
    """One client sends more runaway queries than it may run: one runs, two wait, the rest
    are refused at once; meanwhile another client's page, API lookup and ASK are answered
    by the query process kept free for other clients."""
    app = create_app(
        {
            "STORE_LOCATION": str(reported),
            "TESTING": True,
            # The runaways end by being killed, never by their deadline (which counts from
            # arrival: on a loaded machine the page below and the replaced query processes
            # took a waiting runaway past 60 s, and it got 503 instead of 500). A hang is
            # still caught by pytest's own timeout.
            "QUERY_TIMEOUT": 3600.0,
            "QUERY_PROCESSES": 2,
            "QUERY_QUEUE": 2,
            "CLIENT_LIMIT": 4,
        }
    )
    prepare(app)
    guard = current_guard(app)
    answers: list[Any] = []

    def runaway() -> None:
        answers.append(
            app.test_client().get(
                "/sparql", query_string={"query": SLOW}, environ_base={"REMOTE_ADDR": "10.0.0.66"}
            )
        )

    storm = [threading.Thread(target=runaway) for _ in range(8)]
    try:
        for t in storm:
            t.start()
        until(lambda: len(answers) == 5)  # refused while the first still runs
        assert guard.status()["running"] == 1 and guard.status()["waiting"] == 2
        assert [r.status_code for r in answers] == [503] * 5
        assert all(int(r.headers["Retry-After"]) >= 1 for r in answers)
        other = app.test_client()
        cheap = {"environ_base": {"REMOTE_ADDR": "10.0.0.2"}}
        page = other.get("/models/allenai--olmo-7b", **cheap)
        assert page.status_code == 200 and "OLMo" in page.text
        assert other.get("/api/models/allenai--olmo-7b", **cheap).status_code == 200
        assert ask(app, "10.0.0.2").status_code == 200
        assert guard.status()["running"] == 1 and guard.status()["waiting"] == 2  # still
        assert guard.refused == {"queue full": 5}
        until_a_process_runs_it(app)
    finally:
        # Closing kills the running runaway and refuses the waiting ones, each answered
        # 503 "the server is stopping". (Killing every
        # query process until the runaways had ended raced their replacements, which a
        # loaded machine starts slower than the loop killed them; stopped by pytest's
        # timeout, it left the guard open and the runaways running for their hour.)
        guard.close()
        for t in storm:
            t.join(HANG_GUARD)
    assert [r.status_code for r in answers[5:]] == [503] * 3
    assert all("stopping" in r.text for r in answers[5:])


def test_an_error_of_a_query_thread_leaves_its_results_in_that_thread() -> None:
    """A task that fails in a query thread with a pyoxigraph result among its frames'
    locals: the error, held in a cycle and collected in another thread, dropped the result
    there ('PyQuerySolutions is unsendable, but is being dropped on another thread', an
    unraisable error failing whichever test the collection fell in)."""
    store = EmbeddedStore(None)
    lanes = ThreadLanes(store, 1, threading.Condition())
    (lane,) = lanes._idle

    def fails(store: EmbeddedStore) -> None:
        solutions = store.query("SELECT * WHERE { VALUES ?x { 1 } }")  # noqa: F841
        raise ValueError("after the query")

    caught: list[BaseException] = []
    with pytest.raises(ValueError) as raised:
        lane.run((fails, ()), HANG_GUARD)
    caught.append(raised.value)
    caught.append(caught)  # a cycle: only the collector frees it
    unraisable: list[object] = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        del caught, raised
        gc.collect()
    finally:
        sys.unraisablehook = hook
    assert not unraisable, [getattr(u, "exc_value", u) for u in unraisable]
    store.close()
