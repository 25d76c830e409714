"""Models several tests build by hand: one linear unit with given weights."""
from __future__ import annotations

import nn


def linear(weights, bias=0.0, outputs_activation="linear"):
    model = nn.MLP(len(weights), [1], seed=0, output_activation=outputs_activation)
    model.set_weights([([list(weights)], [bias])])
    return model
