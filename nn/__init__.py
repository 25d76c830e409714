"""nn: neurons, layers and MLPs on the autograd engine: losses, optimisers, training, a bridge to PyTorch/ONNX."""
import autograd  # noqa: F401 — first: an early Ctrl-C of `python -m nn` is one line (autograd.conventions.interrupts)

from . import datasets, features, scaling, schedules
from .compiled import CompiledModel
from .eager_step import loss_and_grads
from .history import EpochRecord, History, StepRecord
from .interop import export, import_weights, state_dict
from .io import load, save
from .losses import LOSSES, binary_cross_entropy, cross_entropy, hinge, mse, softmax, sse
from .metrics import accuracy, confusion_matrix, evaluate, per_class_accuracy
from .module import ACTIVATIONS, INITS, MAX_PARAMETERS, MLP, Layer, Module, Neuron
from .optim import OPTIMIZERS, SGD, Adam, Optimizer
from .schedules import linear_decay
from .signature import Signature
from .train import Trainer, TrainingDiverged, fit

__all__ = ["ACTIVATIONS", "INITS", "LOSSES", "MAX_PARAMETERS", "MLP", "OPTIMIZERS", "SGD", "Adam", "CompiledModel",
           "EpochRecord", "History", "Layer", "Module", "Neuron", "Optimizer", "Signature", "StepRecord", "Trainer",
           "TrainingDiverged", "accuracy", "binary_cross_entropy", "confusion_matrix", "cross_entropy", "datasets",
           "evaluate", "export", "features", "fit", "hinge", "import_weights", "linear_decay", "load",
           "loss_and_grads", "mse", "per_class_accuracy", "save", "scaling", "schedules", "softmax", "sse",
           "state_dict"]
