"""One playground tab's session (``viz.live.playground_session``): its memory stays bounded however long it trains."""
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
