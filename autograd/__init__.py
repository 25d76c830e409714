"""chainrule's engine: scalar Values that record every op, and reverse-mode differentiation.

The public interface, grouped by what it is for (everything outside ``autograd`` uses only these):

- the graph: ``Value``, ``as_value``, ``sum``, ``apply`` (run a row of the ``OPS`` table), ``Op``, ``RuleError``,
  ``topological_order``, ``constant_leaves``;
- gradients: ``backward``, ``grad``, the modes ``no_grad``, ``enable_grad``, ``detect_anomaly``
  (``AnomalyError``), each kept per thread and per asyncio task;
- checks: ``gradcheck`` (``GradcheckError``), ``numerical_gradient``, ``central_differences``,
  ``gradients_agree``;
- the chain rule in words: ``explain`` (``Explanation``, ``Factor``), ``backward_steps`` (``Step``),
  ``name_of``, ``partial``, ``local_derivative``, ``local_texts``;
- notation: ``superscript``, ``subscript``, ``plain_digits``;
- the numpy replay: ``compile`` (``Tape``).
"""
from .checks import GradcheckError, central_differences, gradcheck, gradients_agree, numerical_gradient
from .replay import Tape, compile
from .explain import (Explanation, Factor, Step, backward_steps, explain, local_derivative, local_texts, name_of,
                      partial)
from .graph import backward, constant_leaves, grad, topological_order
from .modes import AnomalyError, detect_anomaly, enable_grad, no_grad
from .notation import plain_digits, subscript, superscript
from .ops import OPS, Op, RuleError
from .value import Value, apply, as_value, sum

__all__ = ["Value", "as_value", "sum", "apply", "Op", "OPS", "RuleError", "topological_order", "constant_leaves",
           "backward", "grad", "no_grad", "enable_grad", "detect_anomaly", "AnomalyError",
           "gradcheck", "GradcheckError", "numerical_gradient", "central_differences", "gradients_agree",
           "explain", "Explanation", "Factor", "Step", "backward_steps", "name_of", "partial",
           "local_derivative", "local_texts", "superscript", "subscript", "plain_digits", "compile", "Tape"]
