"""One browser tab's run: its setup, points, model and ``nn.Trainer``, changed only under its lock.

Every method that changes something bumps ``version``; ``state()`` is what the page shows, all
numbers computed here by the engine. Training that diverges restores the last finite weights,
pauses and says so.
"""
from __future__ import annotations

import math
import time

import numpy as np

import nn
from autograd import Value
from nn.model_json import to_dict

from . import playground_model
from .config import MAX_POINTS, FieldError, Setup, checked_setup
from .imported import setup_for
from .pictures import Pictures
from .points import COORDINATE_LIMIT, Points, from_csv, generated, upload_name
from .room_session import RoomSession

DATA_FIELDS = {"dataset", "noise", "train_ratio", "points", "seed"}
MODEL_FIELDS = {"features", "hidden", "activation", "loss"}
CURVE_LENGTH = 400  # (epoch, train loss, test loss) samples kept for the curves
WEIGHT_LIMIT = 100.0  # |a weight or bias| typed by hand


class Session(RoomSession):
    """A tab's playground: ``configure``, ``step``, ``train_for``, edits, and ``state`` for the page."""

    def __init__(self, setup: Setup | None = None) -> None:
        super().__init__()
        self.uploaded: str | None = None  # the CSV file the points came from
        self.setup = setup or Setup()
        self.points = generated(self.setup)
        self._new_model()

    # ---- building ---------------------------------------------------------------------------
    def _new_model(self, model: nn.MLP | None = None) -> None:
        self.model = model or playground_model.build_model(self.setup)
        self.pictures = Pictures(self.model, self.setup)
        self.measures = playground_model.Measures(self.model, self.setup)
        self.epoch, self.curve = 0, []
        self._new_trainer(start_step=0)

    def _trainer(self, start_step: int) -> nn.Trainer:
        return playground_model.build_trainer(self.model, self.points, self.setup, start_step=start_step)

    def configure(self, changes: dict) -> None:
        """Apply setup fields: new data and a new network, a new network, or new training settings."""
        with self.lock:
            setup = checked_setup(changes, self.setup)
            changed = {key for key, value in setup.as_dict().items() if value != self.setup.as_dict()[key]}
            if self.uploaded and "dataset" in changes:
                changed.add("dataset")  # choosing a dataset again replaces the uploaded points
            points = generated(setup) if changed & DATA_FIELDS else self.points  # may refuse: before any change
            self.setup = setup
            if changed & DATA_FIELDS:
                self.points, self.uploaded = points, None
                self.data_version += 1
            if changed & (DATA_FIELDS | MODEL_FIELDS):
                self._new_model()
            elif changed:
                self._new_trainer()

    # ---- training ---------------------------------------------------------------------------
    def step(self) -> None:
        """One epoch of ``nn.Trainer``; on a NaN or infinite loss the weights go back and training pauses."""
        with self.lock:
            saved = self.model.get_weights()
            try:
                with np.errstate(all="ignore"):
                    self.trainer.epoch()
                problem = None if all(math.isfinite(p.data) for p in self.model.parameters()) \
                    else "training diverged: a weight became NaN or infinite"
            except (nn.TrainingDiverged, ValueError) as error:
                problem = str(error)
            if problem:
                self.model.set_weights(saved)
                self._new_trainer()
                self.playing = False
                self.message = (f"paused in epoch {self.epoch + 1}: {problem}; "
                                f"the weights are those of epoch {self.epoch}")
                return
            self.epoch += 1
            self._changed()

    def train_for(self, seconds: float) -> None:
        """While playing, one epoch and more for about ``seconds`` (the lock is let go between epochs): a thread
        that runs late on a busy machine still trains before the stream's next frame."""
        deadline = time.monotonic() + seconds
        while self.playing:
            self.step()
            if time.monotonic() >= deadline:
                return

    # ---- edits ------------------------------------------------------------------------------
    def edit(self, layer: int, neuron: int, source: int | None, value: float) -> None:
        """Set one weight (``source`` = the input's index) or a bias (``source`` None) of the network."""
        with self.lock:
            if not 0 <= layer < len(self.model.layers):
                raise FieldError("layer", f"must be 0 to {len(self.model.layers) - 1}")
            neurons = self.model.layers[layer].neurons
            if not 0 <= neuron < len(neurons):
                raise FieldError("neuron", f"must be 0 to {len(neurons) - 1} in layer {layer}")
            weights = neurons[neuron].w
            if source is not None and not 0 <= source < len(weights):
                raise FieldError("source", f"must be null (the bias) or an input 0 to {len(weights) - 1}")
            if not -WEIGHT_LIMIT <= value <= WEIGHT_LIMIT:
                raise FieldError("value", f"must be a number from {-WEIGHT_LIMIT:g} to {WEIGHT_LIMIT:g}")
            (neurons[neuron].b if source is None else weights[source]).data = value
            self._changed()

    def _new_points(self, points: Points) -> None:
        self.points = points
        self.data_version += 1
        self._new_trainer()

    def add_point(self, x1: float, x2: float, label: int) -> None:
        with self.lock:
            for name, value in (("x1", x1), ("x2", x2)):
                if not -COORDINATE_LIMIT <= value <= COORDINATE_LIMIT:
                    raise FieldError(name, f"must be a number from {-COORDINATE_LIMIT:g} to {COORDINATE_LIMIT:g}")
            if not 0 <= label < self.setup.classes:
                raise FieldError("label", f"must be a class 0 to {self.setup.classes - 1}")
            self._new_points(self.points.with_point(x1, x2, label))

    def remove_point(self, index: int) -> None:
        with self.lock:
            if not 0 <= index < len(self.points):
                raise FieldError("index", f"must be a point 0 to {len(self.points) - 1}")
            self._new_points(self.points.without_point(index))

    def load_csv(self, text: object, name: object = None) -> None:
        with self.lock:
            self._new_points(from_csv(text, self.setup.classes, self.setup.train_ratio, self.setup.seed))
            self.uploaded = upload_name(name)

    def import_model(self, document: object) -> None:
        """Use a model in ``nn.save``'s format whose shape fits the features and the data's classes."""
        with self.lock:
            model = self._read_model(document)
            self.setup = setup_for(model, self.setup)
            self._new_model(model)

    def model_document(self) -> dict:
        """The model in ``nn.save``'s format, with what its inputs and outputs are: the features of
        (x1, x2), taken raw from an uploaded CSV (its standardization kept), the classes and the loss."""
        with self.lock:
            features = None if self.setup.features == ("x1", "x2") else self.setup.features
            classes = tuple(str(k) for k in range(self.setup.classes))
            document = to_dict(self.model)
            document["signature"] = nn.Signature(("x1", "x2"), features, classes, self.points.standardize,
                                                 self.setup.loss).to_dict()
            return document

    # ---- what the page shows ----------------------------------------------------------------
    def sample_loss(self, index: int) -> tuple[Value, list[Value]]:
        """The loss of point ``index`` alone as an eager graph at the current weights, and the parameters."""
        with self.lock:
            if not 0 <= index < len(self.points):
                raise FieldError("index", f"must be a point 0 to {len(self.points) - 1}")
            row = playground_model.inputs(self.points, self.setup)[index]
            inputs = [Value(float(v), name) for name, v in zip(self.setup.features, row, strict=True)]
            target = playground_model.targets(self.points.labels[index:index + 1], self.setup.loss)
            loss = nn.LOSSES[self.setup.loss]([self.model(inputs)], target)
            loss.label = "C"
            return loss, self.model.parameters()

    def state(self, known_data: int | None = None) -> dict:
        """Everything the page shows at the current weights, as JSON-ready data; the points are
        left out when ``known_data`` is their current ``data_version`` (the receiver has them)."""
        with self.lock:
            numbers = self.measures.measure(self.points)
            point = [self.epoch, numbers["loss_train"], numbers["loss_test"]]
            if self.curve and self.curve[-1][0] == self.epoch:
                self.curve[-1] = point
            else:
                self.curve = [*self.curve[-(CURVE_LENGTH - 1):], point]
            state = {"version": self.version, "data_version": self.data_version, "epoch": self.epoch,
                     "playing": self.playing, "message": self.message, "setup": self.setup.as_dict(),
                     "uploaded": self.uploaded, "classes": self.setup.classes, "max_points": MAX_POINTS,
                     "curve": self.curve, **numbers, "pictures": self.pictures.render(self.points.extent())}
            if known_data != self.data_version:
                state["points"] = self.points.as_json()
            return state
