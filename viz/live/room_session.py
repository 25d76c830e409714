"""What a tab's session does the same way in either room: its lock, the ``version`` the page follows,
a message, playing or paused, and a new trainer that goes on counting steps."""
from __future__ import annotations

import threading
import time

import nn
from nn.io import from_dict

from .config import FieldError


class RoomSession:
    """The shared part of a tab's session; a room's session builds its network (``_new_model``) and says
    how to train it (``_trainer``)."""

    trainer: nn.Trainer

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.version, self.data_version = 0, 0
        self.last_seen = time.monotonic()
        self.playing, self.message = False, None

    def _new_model(self, model: nn.MLP | None = None) -> None:
        raise NotImplementedError

    def _trainer(self, start_step: int) -> nn.Trainer:
        raise NotImplementedError

    @staticmethod
    def _read_model(document: object) -> nn.MLP:
        """The model in ``nn.save``'s format that ``document`` holds; FieldError naming the field if it is not one."""
        try:
            return from_dict(document)
        except ValueError as error:
            raise FieldError("model", str(error)) from None

    def _new_trainer(self, start_step: int | None = None) -> None:
        """A trainer for the current data and settings; the step count goes on unless told otherwise."""
        self.trainer = self._trainer(self.trainer.step_count if start_step is None else start_step)
        self._changed()

    def _changed(self) -> None:
        self.version += 1
        self.message = None

    def reset(self) -> None:
        """A fresh network from the seed, its count back at 0, paused."""
        with self.lock:
            self.playing = False
            self._new_model()

    def set_playing(self, playing: bool) -> None:
        with self.lock:
            self.playing = bool(playing)
            self._changed()
