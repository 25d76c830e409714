"""The ops table's rules as the replay evaluates them over numpy arrays, and one group's backward step.

``ARRAYS`` is the math the rules are written against (``m`` in ``ops.py``) over arrays whose first
axis is the operand. ``backward_step`` multiplies a group's local derivatives, from its op's rule,
by the upstream gradients and adds them to its operands' (or, for an op whose row declares
``constant_grads``, those numbers: add's, sub's, sum's ones).
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from .modes import AnomalyError
from .ops import wrong_derivative_count

if TYPE_CHECKING:
    from .replay_plan import Group
    from .replay_products import ProductGroup

ARRAYS = SimpleNamespace(  # the ops table's math over numpy arrays (operands along the first axis)
    exp=np.exp, log=np.log, tanh=np.tanh, pow=np.power, div=np.divide, maximum=np.maximum,
    step=lambda a: (a > 0).astype(float), sum=lambda operands: np.add.reduce(operands, axis=0))


def backward_step(group: Group, operands: np.ndarray, values: np.ndarray, grads: np.ndarray,
                  detecting: bool, input_grads: bool) -> None:
    """Local derivatives (from the ops table) × upstream, added to the operands' gradients
    (not to operands that are only inputs unless ``input_grads``)."""
    receiving = group.receivers(input_grads)
    if receiving.scatter is None:
        return
    upstream, out = grads[group.start:group.stop], values[group.start:group.stop]
    if not group.varying:  # one value for all rows: its gradient is the sum over rows (in the first if read there only)
        upstream = upstream.sum(axis=1, keepdims=True) if group.every_row else upstream[:, :1]
        out, grads = out[:, :1], grads[:, :1]
    scatter = receiving.scatter  # may open the operands' gradients to compute into, when they get nothing else
    if receiving.factors is not None:  # the rule's numbers, read from it once (a sum's ones, sub's 1 and −1)
        view = scatter.view(grads)
        if view is not None:  # every position's gradients in one product
            _into([view], [receiving.factors], upstream, group, detecting)
            return
        views = scatter.views(grads) if len(receiving.factors) <= 2 else None
        if views is not None:  # sub's two
            _into(views, receiving.factors[:, 0, 0], upstream, group, detecting)
            return
        contributions = (receiving.factors * upstream).reshape(-1, upstream.shape[1])
    else:
        local = group.op.local_grads(operands, out, ARRAYS)
        if len(local) != group.arity:
            raise wrong_derivative_count(group.op, len(local), group.arity)
        kept = local if len(receiving.positions) == group.arity else [local[i] for i in receiving.positions]
        if group.repeated:  # one operand at every position (x·x): the chain rule adds its derivatives (b + a)
            kept = [sum(kept[1:], kept[0])]
        if group.op.selects:  # relu, abs: a zero derivative sends 0, even from an infinite upstream
            upstream = np.where(kept[0] == 0, 0.0, upstream)
        views = scatter.views(grads)
        if views is not None:
            _into(views, kept, upstream, group, detecting)
            return
        contributions = kept[0] * upstream if len(kept) == 1 else np.concatenate([d * upstream for d in kept])
    if detecting:
        check_finite(contributions, group, "backward")
    scatter.add(grads, contributions)


def _into(views: list[np.ndarray], local, upstream: np.ndarray, group: Group, detecting: bool) -> None:
    """Each local derivative × upstream written into its operands' gradients (which receive nothing else)."""
    for derivative, view in zip(local, views):
        np.multiply(derivative, upstream, out=view)
        if detecting:
            check_finite(view, group, "backward")


def check_finite(array: np.ndarray, group: Group | ProductGroup, direction: str) -> None:
    if not np.isfinite(array).all():
        raise AnomalyError(f"compiled {direction} of op '{group.name}' ({group.size} nodes) "
                           "produced NaN or inf")
