"""The Server-Sent Events stream of one session: training slices while playing, a frame after each.

While playing, the stream trains for ``TRAIN_SLICE`` seconds (in a worker thread), then sends the
state (about ten frames a second). While paused it sleeps until a control wakes it (looking once a second
whether the server is closing), sending a keep-alive comment now and then: a paused session costs no
CPU. A client that goes away ends it.
"""
from __future__ import annotations

import asyncio
import json

from .requests import off_loop
from .sessions import Sessions

TRAIN_SLICE = 0.05  # seconds of training between two frames
KEEP_ALIVE = 15.0  # seconds between comments on an idle stream
CHECK_SECONDS = 1.0  # how often an idle stream looks whether the server is closing


def event(state: dict) -> str:
    """One SSE message carrying ``state`` as JSON (no NaN: JSON has none)."""
    return f"data: {json.dumps(state, allow_nan=False, separators=(',', ':'))}\n\n"


async def frames(sessions: Sessions, key: str):
    """The messages of session ``key``'s stream, until the client leaves or a newer stream takes over."""
    wakeup, generation = sessions.attach(key)
    sent_points, quiet = None, 0.0
    try:
        yield "retry: 2000\n\n"
        while sessions.current(key, generation):
            session = sessions.get(key)
            if session is None:
                break
            if session.playing:
                await off_loop(session.train_for, TRAIN_SLICE)
            elif sent_points is not None:
                try:
                    await asyncio.wait_for(wakeup.wait(), CHECK_SECONDS)
                except asyncio.TimeoutError:
                    quiet += CHECK_SECONDS
                    if quiet >= KEEP_ALIVE:
                        quiet = 0.0
                        yield ": keep-alive\n\n"
                    continue
                wakeup.clear()
                if not sessions.current(key, generation):
                    break
            state = await off_loop(session.state, sent_points)
            sent_points, quiet = state["data_version"], 0.0
            yield event(state)
    finally:
        sessions.detach(key, wakeup)
