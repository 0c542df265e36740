"""Guessing codes is slowed down per browser session and for the whole room (a fake clock)."""

from __future__ import annotations

import threading

from welfare_core.throttle import (
    ADDRESS_REFILL_S,
    ADDRESS_TRIES,
    ROOM_REFILL_S,
    ROOM_TRIES,
    BucketPerKey,
    RoomThrottle,
    Throttle,
)


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_gets_three_free_tries_then_a_doubling_wait_up_to_a_minute():
    clock = Clock()
    mine = Throttle(clock=clock)
    for _ in range(2):
        mine.failed()
    assert mine.wait_s() == 0
    waits = []
    for _ in range(8):
        mine.failed()
        waits.append(mine.wait_s())
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]
    clock.now += 60
    assert mine.wait_s() == 0
    mine.succeeded()
    mine.failed()
    assert mine.wait_s() == 0  # a right code starts the count again


def test_the_room_checks_twenty_wrong_codes_then_one_every_three_seconds():
    clock = Clock()
    room = RoomThrottle(clock=clock)
    assert [room.take() for _ in range(ROOM_TRIES)] == [0] * ROOM_TRIES
    assert room.take() == ROOM_REFILL_S  # the 21st wrong try in a burst waits
    assert room.take() == ROOM_REFILL_S  # asking again does not make the wait longer
    clock.now += 1
    assert room.take() == 2
    clock.now += 2
    assert room.take() == 0  # one try came back after 3 seconds...
    assert room.take() == 3  # ...and it is used up
    checked = 0
    for _ in range(60):  # a script trying once a second for a minute
        clock.now += 1
        checked += room.take() == 0
    assert checked == 20
    clock.now += 60
    assert [room.take() for _ in range(ROOM_TRIES)] == [0] * ROOM_TRIES  # a quiet minute: all back


def test_right_codes_cost_the_room_nothing():
    room = RoomThrottle(clock=Clock())
    for _ in range(200):  # a whole room joining, reloading and joining again
        assert room.take() == 0
        room.give_back()
    for _ in range(ROOM_TRIES):
        assert room.take() == 0
    assert room.take() > 0
    room.give_back()  # a code checked in the meantime was right
    assert room.take() == 0


def test_many_sessions_trying_at_once_get_no_more_than_the_rooms_tries():
    room = RoomThrottle(clock=Clock())
    allowed = []
    start = threading.Barrier(50)

    def session() -> None:
        start.wait()
        allowed.append(room.take() == 0)

    threads = [threading.Thread(target=session) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == ROOM_TRIES


def test_a_script_on_one_address_never_empties_the_room_for_newcomers():
    clock = Clock()
    addresses = BucketPerKey(ADDRESS_TRIES, ADDRESS_REFILL_S, clock=clock)
    room = RoomThrottle(clock=clock)
    checked = 0
    for _ in range(6000):  # ten minutes of wrong codes, ten a second, from one phone
        clock.now += 0.1
        if addresses.take("10.0.0.66") == 0:
            assert room.take() == 0  # the room still had a try for it
            checked += 1
    assert ADDRESS_TRIES + 59 <= checked <= ADDRESS_TRIES + 60  # 6 a minute after its burst
    assert addresses.take("10.0.0.7") == 0  # a newcomer's phone...
    assert room.take() == 0  # ...is checked at once
