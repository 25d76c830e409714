"""One tab's digit lab: its network, ``nn.Trainer``, the digit shown, changed only under its lock.

Every change bumps ``version``. Training is the Trainer's (one mini-batch per ``step``, slices of
steps while playing); every number shown comes from the engine (``examine``). Training that
diverges pauses and says so; the weights stay those of the last finite step.
"""
from __future__ import annotations

import copy
import math
import time
from contextlib import closing

import numpy as np

import nn
from autograd import Value, subscript
from nn.model_json import to_dict
from nn.recipes import LOSS_OUTPUT_ACTIVATION

from ..config import FieldError
from ..room_session import RoomSession
from . import view
from .data import DigitData
from .examine import Examiner, targets
from .images import preprocess
from .setup import LabSetup, checked_lab_setup

MOMENTUM = 0.9
EVAL_SECONDS = 1.0  # while playing, the test set is scored at most this often
PLAYING_TEST_IMAGES = 1000  # while playing, the first test images only; paused, all of them
CURVE_LENGTH = 400
CHECKED_ENTRIES = 4  # parameters the check button compares with central differences


class LabSession(RoomSession):
    """A tab's lab: ``configure``, ``step``, ``train_for``, ``draw``, ``pick``, ``check``; ``state`` for the page."""

    def __init__(self, data: DigitData, setup: LabSetup | None = None) -> None:
        super().__init__()
        self.data, self.setup = data, setup or LabSetup()
        self.weights_version = 0  # bumped when the weights may have changed: the test scores are kept until then
        self._new_model()
        self._show(data.X_test[0], int(data.y_test[0]), "test image 0", index=0)

    # ---- building ---------------------------------------------------------------------------
    def _new_model(self, model: nn.MLP | None = None) -> None:
        setup = self.setup
        self.model = model or nn.MLP(self.data.side ** 2, [*setup.hidden, 10], activation=setup.activation,
                                     seed=setup.seed, output_activation=LOSS_OUTPUT_ACTIVATION[setup.loss])
        self.examiner = Examiner(self.model, setup.loss)
        self.weights_version += 1
        self.curve, self.last_step, self._evaluation, self._cursors = [], None, None, {}
        self._new_trainer(0)

    def _trainer(self, start_step: int) -> nn.Trainer:
        optimizer = nn.SGD(self.model.parameters(), lr=self.setup.learning_rate, momentum=MOMENTUM)
        return nn.Trainer(self.model, (self.data.X_train, targets(self.setup.loss, self.data.y_train)),
                          loss=self.setup.loss, optimizer=optimizer, batch_size=self.setup.batch_size,
                          seed=self.setup.seed, start_step=start_step)

    def configure(self, changes: object) -> None:
        """New network fields (hidden, activation, loss, seed) make a new network; the rest a new trainer."""
        with self.lock:
            setup = checked_lab_setup(changes, self.setup)
            rebuild = any(getattr(setup, name) != getattr(self.setup, name)
                          for name in ("hidden", "activation", "loss", "seed"))
            self.setup = setup
            self._new_model() if rebuild else self._new_trainer()

    def import_model(self, document: object) -> None:
        """Use a model in ``nn.save``'s format with side² inputs and 10 outputs of the right kind for a loss."""
        with self.lock:
            model = self._read_model(document)
            losses = [loss for loss, out in LOSS_OUTPUT_ACTIVATION.items()
                      if out == model.output_activation and loss in ("sse", "cross_entropy")]
            if model.nin != self.data.side ** 2 or model.nouts[-1] != 10 or not losses:
                raise FieldError("model", f"must take {self.data.side ** 2} inputs (the {self.data.side}x"
                                          f"{self.data.side} images) and end in 10 sigmoid or linear outputs")
            loss = self.setup.loss if self.setup.loss in losses else losses[0]
            self.setup = checked_lab_setup({"hidden": model.nouts[:-1], "activation": model.activation,
                                            "loss": loss}, self.setup)
            self.playing = False
            self._new_model(model)

    def export(self) -> dict:
        with self.lock:
            return to_dict(self.model)

    # ---- training ---------------------------------------------------------------------------
    def _train(self, count: int, deadline: float) -> None:
        """Up to ``count`` mini-batches, stopping at ``deadline``; a diverged step pauses with a message."""
        saved = self.model.get_weights()
        try:
            with np.errstate(all="ignore"), closing(self.trainer.steps(count)) as run:
                for record in run:
                    self.last_step = record  # the batch whose gradient .grad holds now
                    if time.monotonic() >= deadline:
                        break
            problem = None if all(math.isfinite(p.data) for p in self.model.parameters()) \
                else "a weight became NaN or infinite"
        except (nn.TrainingDiverged, ValueError) as error:
            problem = str(error)
        self.weights_version += 1
        self._changed()
        if problem:
            self.model.set_weights(saved)
            self._new_trainer()
            self.playing = False
            self.message = f"training diverged and paused: {problem}"

    def step(self) -> None:
        """One mini-batch."""
        with self.lock:
            self._train(1, math.inf)

    def train_for(self, seconds: float) -> None:
        """Mini-batches for about ``seconds`` while playing."""
        with self.lock:
            if self.playing:
                self._train(10**9, time.monotonic() + seconds)

    # ---- the digit shown --------------------------------------------------------------------
    def _show(self, image: np.ndarray, label: int | None, source: str, canvas=None, index=None) -> None:
        self.example = {"image": image, "label": label, "source": source, "canvas": canvas, "index": index}
        self._changed()

    def draw(self, canvas: np.ndarray, label: int | None) -> None:
        """Show a drawing (28x28 in [0, 1], checked), preprocessed as MNIST was; ``label`` the digit meant."""
        with self.lock:
            self._show(preprocess(canvas, self.data.side).ravel(), label, "your drawing", canvas=canvas)

    def pick(self, index: int) -> None:
        with self.lock:
            if not 0 <= index < len(self.data.X_test):
                raise FieldError("index", f"must be a test image 0 to {len(self.data.X_test) - 1}")
            self._show(self.data.X_test[index], int(self.data.y_test[index]), f"test image {index}", index=index)

    def pick_digit(self, digit: int) -> None:
        """The next test image of ``digit``, the misclassified ones first."""
        with self.lock:
            predicted = self._evaluate()["predicted"]
            labels = self.data.y_test[:len(predicted)]
            ours = np.flatnonzero(labels == digit)
            order = np.concatenate([ours[predicted[ours] != digit], ours[predicted[ours] == digit]])
            position = self._cursors.get(digit, -1) + 1
            self._cursors[digit] = position % len(order)
            self.pick(int(order[self._cursors[digit]]))

    def cell(self, true: int, predicted: int) -> list[int]:
        """The test images of the confusion matrix's cell (true digit, predicted digit)."""
        with self.lock:
            guesses = self._evaluate()["predicted"]
            return np.flatnonzero((self.data.y_test[:len(guesses)] == true) & (guesses == predicted)).tolist()

    def _examined(self) -> dict:
        example = self.example
        first = self.examiner.score(example["image"][None, :], np.zeros(1, dtype=int))[1][0]
        label = example["label"] if example["label"] is not None else int(np.argmax(first))
        return {**self.examiner.examine(example["image"], label), "target": label, "outputs": first}

    def digit_cost(self) -> tuple[Value, list[Value], str, nn.SGD]:
        """The shown digit's cost as an eager graph at the current weights, the parameters, a title and a copy
        of the optimiser as it stands (its momentum), so the explorer's update step is the one training takes."""
        with self.lock:
            example, label = self.example, self._examined()["target"]
            pixels = [Value(float(v), f"a⁽⁰⁾{subscript(k)}") for k, v in enumerate(example["image"])]
            wanted = targets(self.setup.loss, np.array([label]))[:1].tolist()
            cost = nn.LOSSES[self.setup.loss]([self.model(pixels)], wanted)
            cost.label = "C"
            title = f"{example['source']}, against y = {label}, step {self.trainer.step_count}"
            return cost, self.model.parameters(), title, copy.copy(self.trainer.optimizer)

    def check(self) -> list[dict]:
        """A few random parameters' ∂C/∂w for the shown digit: the engine's beside central differences."""
        with self.lock:
            label = self._examined()["target"]
            entries = self.examiner.check(self.example["image"], label, CHECKED_ENTRIES, np.random.default_rng())
            return view.json_safe(entries)

    # ---- what the page shows ----------------------------------------------------------------
    def _evaluate(self) -> dict:
        """The test images' costs and predictions at the current weights (cached; throttled while playing)."""
        cached = self._evaluation
        if cached and (cached["version"] == self.weights_version
                       or (self.playing and time.monotonic() - cached["time"] < EVAL_SECONDS)):
            return cached
        count = min(PLAYING_TEST_IMAGES, len(self.data.X_test)) if self.playing else len(self.data.X_test)
        costs, outputs = self.examiner.score(self.data.X_test[:count], self.data.y_test[:count])
        self._evaluation = {"version": self.weights_version, "time": time.monotonic(), "cost": float(np.mean(costs)),
                            "predicted": outputs.argmax(axis=1)}
        return self._evaluation

    def state(self, known_data: int | None = None) -> dict:
        """Everything the page shows, as JSON-ready data (``known_data`` is the stream's protocol; unused)."""
        with self.lock:
            evaluation = self._evaluate()
            training = view.training(self.trainer, self.setup, len(self.data.X_train), self.examiner.traced)
            if not self.curve or self.curve[-1][0] != training["step"]:
                self.curve = [*self.curve[-(CURVE_LENGTH - 1):],
                              [training["step"], training["epoch"], training["cost_train"], evaluation["cost"]]]
            tested = self.data.y_test[:len(evaluation["predicted"])]
            return view.json_safe({"version": self.version, "data_version": self.data_version, "playing": self.playing,
                    "message": self.message, "setup": self.setup.as_dict(), "data": self.data.describe(),
                    **training, "cost_test": evaluation["cost"],
                    "accuracy_test": float(np.mean(evaluation["predicted"] == tested)),
                    "tested": len(tested), "confusion": view.confusion(tested, evaluation["predicted"]),
                    "curve": self.curve, "tiles": view.tiles(self.model.get_weights()[0][0]),
                    "batch_tiles": view.batch_tiles(self.model, self.last_step, self.examiner.traced),
                    "example": view.example(self.example, self._examined(), self.model)})
