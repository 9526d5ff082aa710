"""SQLite writers queue fairly: in arrival order within a process, polling for the lock across processes."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from obligraph.app.core.db import Database
from obligraph.app.core.settings import Settings
from obligraph.app.core.write_queue import FairLock, HandOver, WriteQueueTimeout


def test_the_lock_is_granted_in_arrival_order():
    lock = FairLock()
    lock.acquire(time.monotonic() + 5)  # held while the others line up
    order: list[int] = []

    def waiter(name: int) -> None:
        lock.acquire(time.monotonic() + 5)
        order.append(name)
        lock.release()

    threads = []
    for name in range(8):
        thread = threading.Thread(target=waiter, args=(name,))
        thread.start()
        threads.append(thread)
        time.sleep(0.02)  # each is queued before the next arrives
    lock.release()
    for thread in threads:
        thread.join(5)
    assert order == list(range(8))


def test_a_waiter_that_gives_up_is_skipped():
    lock = FairLock()
    lock.acquire(time.monotonic() + 5)
    with pytest.raises(WriteQueueTimeout):
        lock.acquire(time.monotonic() + 0.05)
    got = threading.Event()

    def later() -> None:
        lock.acquire(time.monotonic() + 5)
        got.set()
        lock.release()

    thread = threading.Thread(target=later)
    thread.start()
    lock.release()
    thread.join(5)
    assert got.is_set()  # its turn came although the ticket before it was abandoned


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_process_that_took_the_lock_lately_leaves_the_others_a_try_before_taking_it_again():
    time_ = FakeTime()
    hand_over = HandOver(0.002, clock=lambda: time_.now, sleep=time_.sleep)
    hand_over.released()
    hand_over.before_write()
    assert time_.slept == []  # alone on the database: no pause
    hand_over.contended()  # another process held the lock
    time_.now += 0.5
    hand_over.released()
    time_.now += 0.0005
    hand_over.before_write()
    assert time_.slept == [pytest.approx(0.003)]  # longer than one poll of the others
    time_.now += 0.01
    hand_over.before_write()  # not right after its own release
    time_.now += 2.0
    hand_over.released()
    hand_over.before_write()  # the contention is forgotten after a second
    assert time_.slept == [pytest.approx(0.003)]


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    db = Database(Settings(database_url=url, data_dir=tmp_path, sqlite_busy_timeout_ms=1500))
    with db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (writer TEXT)"))
    yield db
    db.dispose()


def hold_write_lock(path: str, seconds: float) -> threading.Thread:
    """Another process's writer, as far as SQLite can tell: a connection of its own holding the lock."""
    held = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    return thread


def test_a_writer_waits_for_another_process_and_then_writes(database):
    other = hold_write_lock(database.url.database, 0.3)
    started = time.monotonic()
    with database.write() as session:
        session.execute(text("INSERT INTO t VALUES ('late')"))
        session.commit()
    other.join()
    assert 0.25 <= time.monotonic() - started < 1.4
    with database.read() as session:
        assert session.execute(text("SELECT writer FROM t")).scalars().all() == ["late"]


def test_the_wait_in_the_queue_counts_against_the_busy_timeout(database):
    """The second writer of this process queues behind the first, which waits on another process:
    both give up 1.5 s after they arrived, with the error the API answers with 503."""
    other = hold_write_lock(database.url.database, 3)
    errors: list[str] = []

    def write() -> None:
        started = time.monotonic()
        try:
            with database.write() as session:
                session.execute(text("INSERT INTO t VALUES ('x')"))
                session.commit()
        except OperationalError as exc:
            errors.append(f"{time.monotonic() - started:.1f} {exc.orig}")

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    other.join()
    assert len(errors) == 2 and all("database is locked" in error for error in errors), errors
    assert all(1.4 <= float(error.split()[0]) < 2.5 for error in errors), errors
