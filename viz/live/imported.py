"""An imported model on the playground's data: the setup that draws it, or why it cannot be drawn here.

A model fits when it takes the chosen features (or the features its file names), has hidden layers
the page can draw, and an output some loss of the data's classes trains: one sigmoid output (mse),
one raw score (hinge) or one score per class (softmax cross-entropy).
"""
from __future__ import annotations

import nn

from .config import MAX_LAYERS, MAX_NEURONS, FieldError, Setup, checked_setup
from .playground_model import output_activation


def _loss_for(model: nn.MLP, setup: Setup) -> str | None:
    """A loss of ``setup``'s data that ``model``'s output fits: the current one if it does."""
    outputs = model.nouts[-1]
    losses = [setup.loss] + [loss for loss in ("mse", "bce", "hinge", "cross_entropy") if loss != setup.loss]
    for loss in losses:
        wanted = setup.classes if loss == "cross_entropy" else 1
        if outputs == wanted and output_activation(loss) == model.output_activation and \
                (loss == "cross_entropy") == (setup.classes > 2):
            return loss
    return None


def _what_fits(setup: Setup, features: tuple[str, ...]) -> str:
    output = (f"{setup.classes} raw scores (cross-entropy)" if setup.classes > 2
              else "1 sigmoid output (mse, bce) or 1 raw score (hinge)")
    return (f"the playground draws a model of {len(features)} inputs ({', '.join(features)}), at most {MAX_LAYERS} "
            f"hidden layers of at most {MAX_NEURONS} neurons with biases, and {output} for the "
            f"{setup.classes} classes of {setup.dataset}; make one with `python -m nn train {setup.dataset} "
            f"--hidden {','.join(str(min(n, MAX_NEURONS)) for n in setup.hidden) or 'none'}` (its "
            f"runs/{setup.dataset}/model.json) or with Export model here")


def setup_for(model: nn.MLP, setup: Setup) -> Setup:
    """``setup`` changed to draw ``model`` (its features, hidden layers, activation and a loss that fits),
    or a FieldError saying what this model is, what would fit and how to make one."""
    named = model.signature.features if model.signature is not None else None
    features = tuple(named) if named else setup.features
    loss, hidden = _loss_for(model, setup), list(model.nouts[:-1])
    problems = []
    if model.nin != len(features):
        problems.append(f"it takes {model.nin} inputs")
    if len(hidden) > MAX_LAYERS or any(n > MAX_NEURONS for n in hidden):
        problems.append(f"its hidden layers are {','.join(map(str, hidden))}")
    if not model.bias:
        problems.append("it has no biases")
    if loss is None:
        problems.append(f"it ends in {model.nouts[-1]} {model.output_activation} output(s)")
    if problems:
        raise FieldError("model", "cannot draw this model: " + ", ".join(problems) + "; "
                         + _what_fits(setup, features))
    return checked_setup({"features": list(features), "hidden": hidden, "activation": model.activation,
                          "loss": loss}, setup)
