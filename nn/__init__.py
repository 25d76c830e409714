"""nn: neurons, layers and MLPs on the autograd engine: losses, optimisers, training, a bridge to PyTorch/ONNX."""
import autograd  # noqa: F401 — first: an early Ctrl-C of `python -m nn` is one line (autograd.conventions.interrupts)
from . import datasets, features, scaling, schedules
from .bridge import export, import_weights, state_dict
from .compiled import CompiledModel
from .io import load, save
from .losses import LOSSES, binary_cross_entropy, cross_entropy, hinge, mse, softmax, sse
from .metrics import accuracy, confusion_matrix, per_class_accuracy
from .module import ACTIVATIONS, INITS, MAX_PARAMETERS, MLP, Layer, Module, Neuron
from .optim import OPTIMIZERS, SGD, Adam, Optimizer
from .schedules import linear_decay
from .signature import Signature
from .train import EpochRecord, History, StepRecord, Trainer, TrainingDiverged, evaluate, fit, loss_and_grads

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "INITS", "MAX_PARAMETERS", "mse", "sse", "hinge",
           "binary_cross_entropy", "cross_entropy", "softmax", "LOSSES", "Optimizer", "SGD", "Adam", "OPTIMIZERS",
           "fit", "Trainer", "TrainingDiverged", "StepRecord", "EpochRecord", "History", "evaluate", "accuracy",
           "confusion_matrix", "per_class_accuracy", "linear_decay", "loss_and_grads", "save", "load", "datasets",
           "features", "scaling", "schedules", "Signature", "CompiledModel",
           "export", "import_weights", "state_dict"]
