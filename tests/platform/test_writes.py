"""What a transaction wrote, and the worker's memories it makes stale (platform/writes.py)."""

import threading
import time

import pytest
from sqlalchemy import select, update

from mentorby.platform import writes
from mentorby.platform.cities.models import Tenant
from mentorby.tenants.partners.models import Partner
from tests import factories as F


@pytest.fixture
def forgotten(db, in_host_city, monkeypatch):
    """Two memories, one of partners and one of anything: how many times each was forgotten.

    From after the commit of the fixtures' own rows (the host city), as a request would find the database.
    """
    db.session.commit()
    counts = {"partners": 0, "anything": 0}
    monkeypatch.setattr(writes, "_MEMORIES", list(writes._MEMORIES))

    def partners():
        counts["partners"] += 1

    def anything():
        counts["anything"] += 1

    writes.forget_on_write(partners, (Partner,))
    writes.forget_on_write(anything)
    writes.forget_on_write(anything)  # once is enough
    return counts


def test_reading_writes_nothing_and_forgets_nothing(db, in_host_city, forgotten):
    db.session.execute(select(Partner)).all()
    assert writes.wrote(db.session) == 0
    db.session.commit()
    db.session.rollback()
    assert forgotten == {"partners": 0, "anything": 0}


def test_a_flush_forgets_the_memories_of_what_it_wrote_and_the_commit_again(db, in_host_city, forgotten):
    F.create_partner(in_host_city, name="Novo Nordisk")  # flushed
    assert writes.wrote(db.session) == 1
    assert forgotten == {"partners": 1, "anything": 1}
    db.session.commit()
    # The commit forgets again; "anything" also heard the public page's stamp written on the city before it.
    assert forgotten == {"partners": 2, "anything": 3}
    assert writes.wrote(db.session) == 0  # a new transaction


def test_a_write_to_another_model_leaves_the_partners_memory(db, in_host_city, forgotten):
    in_host_city.contact_name = "Someone else"
    db.session.flush()
    db.session.commit()
    assert forgotten == {"partners": 0, "anything": 2}


def test_a_bulk_write_counts_and_forgets_without_a_flush(db, in_host_city, forgotten):
    db.session.execute(update(Partner).where(Partner.name == "nobody").values(name="still nobody"))
    assert writes.wrote(db.session) == 1
    assert forgotten == {"partners": 1, "anything": 1}
    db.session.execute(update(Tenant).where(Tenant.id == -1).values(name="x"))
    assert writes.wrote(db.session) == 2
    assert forgotten == {"partners": 1, "anything": 2}
    # A table written with no model (Core through the session) could be any model's: every memory goes.
    db.session.execute(update(Partner.__table__).where(Partner.__table__.c.name == "nobody").values(name="x"))
    assert writes.wrote(db.session) == 3
    assert forgotten == {"partners": 2, "anything": 3}


def test_the_rollback_of_a_write_forgets_every_memory_and_one_of_no_write_none(db, in_host_city, forgotten):
    # A test's connection holds the fixture's writes until the test ends; in production a commit ends them, which is
    # what dropping the mark stands for here.
    db.session.connection().info.pop(writes._ON_CONNECTION, None)
    db.session.connection().begin_nested().rollback()  # a refused step that wrote nothing
    assert forgotten == {"partners": 0, "anything": 0}
    in_host_city.contact_name = "Someone else"
    db.session.flush()
    assert forgotten == {"partners": 0, "anything": 1}
    db.session.rollback()  # the change to the city may have cascaded anywhere: every memory goes
    assert forgotten == {"partners": 1, "anything": 2}
    assert writes.wrote(db.session) == 0


# --- a worker's bounded memory ---------------------------------------------------------------------------------------


def test_a_memory_gives_what_it_kept_within_its_age():
    memory = writes.Memory("test")
    assert memory.keep("a", "page a", moment=memory.moment(), seconds=60, size=6)
    assert memory.get("a", 60) == "page a" and memory.get("b", 60) is None
    assert memory.get("a", 0) is None and len(memory) == 0 and memory.size == 0  # past its age: gone at the look


def test_a_memory_refuses_what_was_read_before_it_was_forgotten():
    memory = writes.Memory("test")
    before = memory.moment()
    memory.forget()  # another request's write, while this one was reading
    assert not memory.keep("a", "stale", moment=before, seconds=60)
    assert memory.get("a", 60) is None
    assert memory.keep("a", "fresh", moment=memory.moment(), seconds=60)
    memory.forget()
    assert memory.get("a", 60) is None and memory.size == 0


def test_a_memory_drops_the_oldest_past_its_bounds():
    memory = writes.Memory("test")
    for n in range(4):
        memory.keep(n, f"page {n}", moment=memory.moment(), seconds=60, size=10, items=3)
    assert memory.get(0, 60) is None and [memory.get(n, 60) for n in (1, 2, 3)] == ["page 1", "page 2", "page 3"]
    memory.keep("big", "x" * 25, moment=memory.moment(), seconds=60, size=25, max_bytes=40)
    assert memory.get(1, 60) is None and memory.get(2, 60) is None and memory.get(3, 60) == "page 3"
    assert memory.size == 35
    memory.keep("a", "again", moment=memory.moment(), seconds=60, size=5)
    memory.keep("a", "again, newer", moment=memory.moment(), seconds=60, size=12)  # one entry, counted once
    assert memory.get("a", 60) == "again, newer" and memory.size == 35 + 12


def test_a_memory_is_emptied_when_nobody_asks_any_more():
    # Kept pages may hold personal data: an idle worker must not hold them past their age.
    memory = writes.Memory("test")
    memory.keep("a", "page", moment=memory.moment(), seconds=0.05, size=4)
    deadline = time.monotonic() + 5
    while len(memory) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(memory) == 0 and memory.size == 0


def test_a_memory_holds_under_threads():
    memory = writes.Memory("test")

    def work(n):
        for i in range(300):
            memory.keep((n, i % 7), "x" * i, moment=memory.moment(), seconds=60, size=i, max_bytes=2000)
            memory.get((n, i % 5), 60)
            if i % 50 == 0:
                memory.forget()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert memory.size == sum(len(memory.get(key, 60) or "") for key in list(memory._entries)) <= 2000


def test_new_stamps_are_never_zero_and_differ():
    stamps = {writes.new_stamp() for _ in range(100)}
    assert len(stamps) == 100 and all(0 < stamp < 2 ** 62 for stamp in stamps)


def test_work_after_the_commit_waits_for_the_commit_not_a_savepoint(db, in_host_city):
    from mentorby.platform.tasks import on_commit

    called = []
    with db.session.begin_nested():
        on_commit(db.session, called.append, "handed")
    assert called == []  # a savepoint released: the rows are not committed yet
    db.session.commit()
    assert called == ["handed"]


def test_memories_are_forgotten_again_at_the_commit_not_at_a_savepoint(db, in_host_city, forgotten):
    with db.session.begin_nested():
        F.create_partner(in_host_city, name="Carlsberg")
    flushed = dict(forgotten)
    assert flushed["partners"] >= 1
    db.session.commit()
    assert forgotten["partners"] == flushed["partners"] + 1  # once more, at the real commit
