"""chainrule's engine: scalar Values that record every op, and reverse-mode differentiation."""
from .checks import GradcheckError, gradcheck
from .replay import Tape, compile
from .explain import Explanation, Factor, Step, backward_steps, explain
from .names import Names
from .graph import backward, grad, topological_order
from .modes import AnomalyError, detect_anomaly, enable_grad, no_grad
from .ops import OPS, Op
from .value import Value, sum

__all__ = ["Value", "sum", "grad", "backward", "topological_order", "no_grad", "enable_grad",
           "detect_anomaly", "AnomalyError", "gradcheck", "GradcheckError", "explain",
           "Explanation", "Factor", "Step", "backward_steps", "Names", "OPS", "Op", "compile", "Tape"]
