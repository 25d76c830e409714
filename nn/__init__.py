"""nn: neurons, layers and MLPs on the autograd engine, with losses, optimisers and training."""
from . import datasets
from .compiled import CompiledModel
from .io import load, save
from .losses import LOSSES, binary_cross_entropy, cross_entropy, hinge, mse, softmax, sse
from .module import ACTIVATIONS, MLP, Layer, Module, Neuron
from .optim import OPTIMIZERS, SGD, Adam, Optimizer
from .train import History, StepRecord, Trainer, accuracy, evaluate, fit, linear_decay, loss_and_grads

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "mse", "sse", "hinge", "binary_cross_entropy",
           "cross_entropy", "softmax", "LOSSES", "Optimizer", "SGD", "Adam", "OPTIMIZERS", "fit", "Trainer",
           "StepRecord", "History", "evaluate", "accuracy", "linear_decay", "loss_and_grads", "save", "load",
           "datasets", "CompiledModel"]
