"""The code generator's lines for a matrix product group (``replay_products``): ``z = W @ X + c`` forward,
and the two transposed products backward, ``dW = U @ Xᵀ`` (written straight into ``dP`` when no other
cell adds there) and ``dX = Wᵀ @ U`` (sent on as any gradient, ``Emitter.add``).
"""
from __future__ import annotations

import numpy as np

from .replay_products import ProductGroup
from .replay_source import Expr, comment


def product_forward(emitter, number_: int, group: ProductGroup) -> list[str]:
    """``z = W @ X + c`` for every block and row (X: the feed's rows, read in place, for inputs only)."""
    blocks, sums, columns = group.shape
    weights, x = f"W_{emitter.names[number_]}", f"X_{emitter.names[number_]}"
    if group.inputs_only:  # the feed's rows, read in place
        x_text = f"F{emitter.program.feed_index[number_]}"
    else:
        x_text = emitter.read(group.operand_slots, True).text
    if blocks == 1 and x_text.isidentifier():  # a group's results by name, or one of the feed's
        x, lines = x_text, []
    else:
        lines = [f"{x} = {x_text}" + ("" if blocks == 1 else f".reshape({blocks}, {columns}, -1)")]
    emitter.program.x_names[number_] = x
    entries = group.entries
    vector = (f"P[{entries.start}:{entries.stop}]" if isinstance(entries, slice)
              else f"P[{emitter.constant('E', entries)}]")
    shape = f"{sums}, " if blocks == 1 else f"{blocks}, {sums}, "
    lines.append(f"{weights} = {vector}.reshape({shape}{columns + group.biased})")
    cut = ":, " if blocks == 1 else "..., "
    w = f"{weights}[{cut}:{columns}]" if group.biased else weights
    bias = f"{weights}[{cut}{columns}:]"
    if blocks == 1 and group.inputs_only:  # (Xᵀ Wᵀ)ᵀ: the batch-major product BLAS runs fastest on the feed
        product = f"({x}.T @ {w}.T).T"
    elif blocks == 1:
        product = f"{w} @ {x}"
    else:
        product = f"np.matmul({w}, {x})"
    total = f"{product} + {bias}" if group.biased else product
    if blocks > 1:
        total = f"({total}).reshape({blocks * sums}, -1)"
    lines.append(f"{emitter.names[number_]} = {total}  {comment(emitter.program.titles[number_])}")
    return lines + emitter.checks(number_, emitter.names[number_], "forward")


def product_backward(emitter, number_: int, group: ProductGroup) -> list[str]:
    """sum's rule then mul's over every product and row: dW = U @ Xᵀ, dX = Wᵀ @ U, dc = U summed."""
    blocks, sums, columns = group.shape
    weights, x = f"W_{emitter.names[number_]}", emitter.program.x_names[number_]
    two = blocks == 1
    upstream, title = emitter.upstream(number_, group)
    if not two:
        lines, upstream = [f"U = {upstream}.reshape({blocks}, {sums}, -1)  {title}"], "U"
    elif number_ in emitter.local:
        lines = []
    else:
        lines, upstream = [f"U = {upstream}  {title}"], "U"
    x_t = f"{x}.T" if two else f"{x}.transpose(0, 2, 1)"
    cut = ":, " if two else "..., "
    w = f"{weights}[{cut}:{columns}]" if group.biased else weights
    entries = group.entries
    if group.in_place:  # [W | c] is a run of dP no other cell adds to: dW is written there
        assert isinstance(entries, slice)  # (in place: the entries are one run of dP)
        shape = f"{sums}, " if two else f"{blocks}, {sums}, "
        lines.append(f"dW = dP[{entries.start}:{entries.stop}].reshape({shape}{columns + group.biased})")
        lines.append(f"np.matmul({upstream}, {x_t}, out=dW{f'[{cut}:{columns}]' if group.biased else ''})")
        if group.biased:
            lines.append(f"np.add.reduce({upstream}, axis={1 if two else 2}, out=dW[{cut}{columns}])")
    else:  # [dW | dc] added at the entries, summed where a weight sits in several cells
        d_w = f"np.matmul({upstream}, {x_t})"
        if group.biased:
            d_w = f"np.concatenate([{d_w}, {upstream}.sum(axis=-1, keepdims=True)], axis=-1)"
        at = (f"dP[{entries.start}:{entries.stop}]" if isinstance(entries, slice)
              else f"dP[{emitter.constant('E', entries)}]")
        shared = not isinstance(entries, slice) and len(np.unique(entries)) < len(entries)
        lines.append(f"np.add.at(dP, {emitter.constant('E', entries)}, {d_w}.ravel())" if shared
                     else f"{at} += {d_w}.ravel()")
    lines += emitter.checks(number_, "dP", "backward")
    if emitter.input_grads or not group.inputs_only:
        d_x = (f"{w}.T @ {upstream}" if two else
               f"np.matmul({w}.transpose(0, 2, 1), {upstream}).reshape({blocks * columns}, -1)")
        lines += emitter.add(group.operand_slots, Expr(d_x), False, number_)
    return lines
