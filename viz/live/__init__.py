"""The playground: train a network live in the browser on the engine, and step into any point's backprop.

``viz.playground()`` starts the local server in a thread and returns its handle; ``python -m viz
playground`` serves in the foreground. Importing this package needs nothing beyond nn: Starlette
and uvicorn (the ``playground`` extra) are imported when a server starts.
"""
from __future__ import annotations


def playground(*, host: str = "127.0.0.1", port: int = 0, **setup):
    """Start the playground in a background thread; returns a handle with ``.url`` and ``.stop()``.

    ``setup`` fields (``dataset="circles"``, ``hidden=[4, 2]``, ``seed=0``, ``features``, ``learning_rate``,
    …) are the page's starting setup, checked like a request's (ValueError naming a bad one).
    """
    from autograd import argument_checks as check

    from .config import checked_setup
    from .server import start

    check.text(host, "host")
    check.integer(port, "port", at_least=0, at_most=65535)  # 0: any free port

    return start(host=host, port=port, setup=checked_setup({key: list(value) if isinstance(value, tuple) else value
                                                            for key, value in setup.items()}))
