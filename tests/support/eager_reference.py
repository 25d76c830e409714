"""The eager engine as the replay's reference: each row through its own graph, fresh input leaves each time."""
from __future__ import annotations

import numpy as np

from autograd import Value


def eager_rows(output_of, rows: np.ndarray, parameters: list[Value]):
    """Outputs, d output / d input per row, and the parameters' gradients summed over the rows
    (their ``.grad`` is left at 0)."""
    outputs, input_grads, totals = [], [], np.zeros(len(parameters))
    for row in rows:
        inputs = [Value(float(x)) for x in row]
        output = output_of(inputs)
        output.backward()
        outputs.append(output.data)
        input_grads.append([x.grad for x in inputs])
        totals += [p.grad for p in parameters]
        for p in parameters:
            p.grad = 0.0
    return np.array(outputs), np.array(input_grads), totals
