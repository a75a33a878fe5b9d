"""portal.deadlines.within: an alarm that interrupts whatever the block waits on."""

import threading
import time

import pytest

from portal.deadlines import DeadlineExceeded, within


def test_a_block_that_runs_too_long_is_interrupted():
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded), within(0.2):
        time.sleep(2)
    assert time.monotonic() - started < 0.5


def test_a_block_that_finishes_in_time_is_left_alone():
    with within(0.5):
        time.sleep(0.05)
    time.sleep(0.6)  # no alarm is left behind


def test_an_inner_block_may_bring_the_deadline_closer_but_not_push_it_away():
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded), within(0.3), within(5):
        time.sleep(2)
    assert time.monotonic() - started < 0.6
    with within(2):
        with pytest.raises(DeadlineExceeded), within(0.1):
            time.sleep(1)
        # The outer deadline is armed again for what is left of it.
        with pytest.raises(DeadlineExceeded):
            time.sleep(3)


def test_outside_the_main_thread_a_block_runs_without_a_limit():
    finished = []

    def work():
        with within(0.05):
            time.sleep(0.2)
        finished.append(True)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert finished == [True]
