"""The live pages: the playground (train a network live, step into any point's backprop) and the digit lab.

``viz.playground()`` and ``viz.digits()`` start the local server in a thread and return its handle;
``python -m viz playground`` and ``python -m viz digits`` serve in the foreground. Importing this
package needs nothing beyond nn: Starlette and uvicorn (the ``playground`` extra) are imported when a server starts.
"""
from __future__ import annotations


def playground(*, host: str = "127.0.0.1", port: int = 0, **setup):
    """Start the playground in a background thread; returns a handle with ``.url`` and ``.stop()``.

    ``setup`` fields (``dataset="circles"``, ``hidden=[4, 2]``, ``seed=0``, ``features``, ``learning_rate``,
    …) are the page's starting setup, checked like a request's (ValueError naming a bad one).
    """
    from autograd import argument_checks as check

    from .config import checked_setup
    from .guards import listen_address
    from .server import start

    host = listen_address(host)
    check.integer(port, "port", at_least=0, at_most=65535)  # 0: any free port

    return start(host=host, port=port, setup=checked_setup({key: list(value) if isinstance(value, tuple) else value
                                                            for key, value in setup.items()}))


def digits(*, host: str = "127.0.0.1", port: int = 0, mnist_dir: str | None = None, eight_by_eight: bool = False,
           hidden=(16, 16), activation: str = "sigmoid", seed: int = 0):
    """Start the digit lab in a background thread; returns a handle with ``.url`` and ``.stop()``.

    ``mnist_dir``: a folder with MNIST's four files (None: where ``python -m nn download mnist`` puts
    them, if it did, else scikit-learn's 8x8 digits; ``eight_by_eight=True``: those anyway); ``hidden``,
    ``activation`` and ``seed`` make the first network (ValueError naming a bad one).
    """
    from autograd import argument_checks as check

    from .guards import listen_address
    from .lab.data import load
    from .lab.setup import LabDefaults, checked_lab_setup
    from .server import start

    host = listen_address(host)
    check.integer(port, "port", at_least=0, at_most=65535)  # 0: any free port
    if mnist_dir is not None:
        mnist_dir = str(check.path(mnist_dir, "mnist_dir"))
    check.flag(eight_by_eight, "eight_by_eight")
    setup = checked_lab_setup({"hidden": check.items(hidden, "hidden", "a list of layer sizes"),
                               "activation": check.text(activation, "activation"), "seed": check.seed(seed)})
    data = load(mnist_dir, eight_by_eight)
    return start(host=host, port=port, lab=LabDefaults(mnist_dir, eight_by_eight, setup, data), room="/digits")
