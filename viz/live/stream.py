"""The Server-Sent Events stream of one session: training slices while playing, a frame after each.

While playing, the stream trains for ``TRAIN_SLICE`` seconds (in a worker thread), then sends the
state (about ten frames a second). While paused it sleeps until a control wakes it, sending only a
keep-alive comment now and then: a paused session costs no CPU. A client that goes away ends it.
"""
from __future__ import annotations

import asyncio
import json

from starlette.concurrency import run_in_threadpool

from .sessions import Sessions

TRAIN_SLICE = 0.08  # seconds of training between two frames
KEEP_ALIVE = 15.0  # seconds between comments on an idle stream


def event(state: dict) -> str:
    """One SSE message carrying ``state`` as JSON (no NaN: JSON has none)."""
    return f"data: {json.dumps(state, allow_nan=False, separators=(',', ':'))}\n\n"


async def frames(sessions: Sessions, key: str):
    """The messages of session ``key``'s stream, until the client leaves or a newer stream takes over."""
    wakeup, generation = sessions.attach(key)
    sent_points = None
    try:
        yield "retry: 2000\n\n"
        while sessions.current(key, generation):
            session = sessions.get(key)
            if session is None:
                break
            if session.playing:
                await run_in_threadpool(session.train_for, TRAIN_SLICE)
            elif sent_points is not None:
                try:
                    await asyncio.wait_for(wakeup.wait(), KEEP_ALIVE)
                except asyncio.TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                wakeup.clear()
                if not sessions.current(key, generation):
                    break
            state = await run_in_threadpool(session.state, sent_points)
            sent_points = state["data_version"]
            yield event(state)
    finally:
        sessions.detach(key, wakeup)
