"""chainrule's engine: scalar Values that record every op, and reverse-mode differentiation.

The public interface, grouped by what it is for (everything outside ``autograd`` uses only these):

- the graph: ``Value``, ``as_value``, ``sum``, ``apply`` (run a row of the ``OPS`` table), ``Op``, ``RuleError``,
  ``topological_order``, ``constant_leaves``;
- gradients: ``backward``, ``grad``, the modes ``no_grad``, ``enable_grad``, ``detect_anomaly``
  (``AnomalyError``), each kept per thread and per asyncio task;
- checks: ``gradcheck`` (``GradcheckError``), ``numerical_gradient``, ``central_differences``,
  ``gradients_agree``;
- the chain rule in words: ``explain`` and ``explain_each`` (``Explanation``, ``Factor``),
  ``backward_steps`` (``Step``),
  ``Names`` (each node's one name in a graph, shared by every view), ``name_of`` (a node's name
  without its graph, for messages), ``local_derivative``;
- notation: ``superscript``, ``subscript``, ``plain_digits``;
- the numpy replay: ``compile`` (``Tape``);
- ``argument_checks`` (from ``autograd.conventions``, the floor below the engine): the checks every
  public function of autograd, nn and viz runs on its arguments
  (one message style: ``{name} must be {what is valid}, got {type}: {value}``).
"""
from .conventions import interrupts  # noqa: F401 — first of all: an early Ctrl-C of a command line is one line

# isort: split
from .chain_paths import explain, explain_each
from .checks import GradcheckError, central_differences, gradcheck, gradients_agree, numerical_gradient
from .conventions import argument_checks
from .explanation import Explanation, Factor
from .graph import backward, constant_leaves, grad, topological_order
from .modes import AnomalyError, detect_anomaly, enable_grad, no_grad
from .names import Names, name_of
from .notation import plain_digits, subscript, superscript
from .ops import OPS, Op, RuleError
from .replay import Tape, compile
from .steps import Step, backward_steps, local_derivative
from .value import Value, apply, as_value, sum

__all__ = ["OPS", "AnomalyError", "Explanation", "Factor", "GradcheckError", "Names", "Op", "RuleError", "Step", "Tape",
           "Value", "apply", "argument_checks", "as_value", "backward", "backward_steps", "central_differences",
           "compile", "constant_leaves", "detect_anomaly", "enable_grad", "explain", "explain_each", "grad",
           "gradcheck", "gradients_agree", "local_derivative", "name_of", "no_grad", "numerical_gradient",
           "plain_digits", "subscript", "sum", "superscript", "topological_order"]
