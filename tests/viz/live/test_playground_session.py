"""One playground tab's session (``viz.live.playground_session``): its memory stays bounded however long it trains,
and each slice of play trains."""
from __future__ import annotations

import sys


def test_a_playground_session_holds_the_same_memory_after_many_more_epochs():
    from viz.live.config import Setup
    from viz.live.playground_session import Session

    session = Session(Setup(points=40, batch_size=1))
    for _ in range(200):
        session.step()
    history = session.trainer.history
    assert history.steps_seen > len(history)
    assert len(history.epochs) < history.epochs_seen == 200
    before = sys.getsizeof(history.loss) + sys.getsizeof(history.epochs)
    for _ in range(200):
        session.step()
    assert history.epochs_seen == 400
    assert sys.getsizeof(history.loss) + sys.getsizeof(history.epochs) == before


def test_a_slice_of_play_trains_one_epoch_even_when_its_time_is_already_up():
    from viz.live.config import Setup
    from viz.live.playground_session import Session

    session = Session(Setup(points=20, hidden=(2,)))
    session.train_for(1.0)
    assert session.epoch == 0  # paused: nothing
    session.set_playing(True)
    session.train_for(0.0)  # a worker thread that ran late: its slice is over before it starts
    assert session.epoch == 1  # was 0: a stream could send frame after frame of no training on a loaded machine
