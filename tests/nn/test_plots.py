"""nn.plots: files by suffix, the decision boundary where the model puts it, σ' from the engine."""
from __future__ import annotations

import builtins
import os

import numpy as np
import pytest

import nn
from nn import plots

pytest.importorskip("matplotlib")
from matplotlib.figure import Figure
from matplotlib.image import imread

PNG = b"\x89PNG\r\n\x1a\n"
CORNERS = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])


def test_loss_curve_as_png_and_svg(tmp_path):
    assert plots.loss_curve([1.0, 0.5, 0.25], tmp_path / "loss.png").read_bytes().startswith(PNG)
    svg = plots.loss_curve([1.0, 0.5], tmp_path / "loss.SVG").read_text()
    assert svg.startswith("<?xml")
    assert "<svg" in svg


def test_loss_curve_of_a_history_draws_loss_and_accuracy(tmp_path, monkeypatch):
    history = nn.History(loss=[0.9, 0.4, 0.1], accuracy=[0.5, 0.75, 1.0], lr=[0.1] * 3)
    figures = capture_figures(monkeypatch)
    plots.loss_curve(history, tmp_path / "h.png")
    loss_axes, accuracy_axes = figures[0].axes
    assert loss_axes.get_lines()[0].get_ydata().tolist() == [0.9, 0.4, 0.1]
    assert accuracy_axes.get_lines()[0].get_ydata().tolist() == [50.0, 75.0, 100.0]


@pytest.mark.parametrize(("call", "message"), [
    (lambda p: plots.loss_curve([1.0], p / "loss.jpg"), "as .png or .svg"),
    (lambda p: plots.loss_curve([], p / "loss.png"), "at least one loss"),
    (lambda p: plots.decision_boundary(nn.MLP(3, [1]), np.zeros((4, 3)), [0, 1, 0, 1], p / "b.png"), "2-D data"),
    (lambda p: plots.decision_boundary(nn.MLP(2, [1]), CORNERS, [0, 1], p / "b.png"), "one label per point"),
])
def test_bad_arguments_are_named(tmp_path, call, message):
    with pytest.raises(ValueError, match=message):
        call(tmp_path)


def capture_figures(monkeypatch) -> list:
    """Keep every figure plots saves, for looking at what was drawn."""
    figures = []
    real_save = plots._save

    def save(figure, path, kind):
        figures.append(figure)
        return real_save(figure, path, kind)

    monkeypatch.setattr(plots, "_save", save)
    return figures


def colour_left_and_right(path):
    """The fill colour a quarter of the way in from each side, on the horizontal middle line (no points there)."""
    image = imread(path)
    rows, columns = image.shape[:2]
    row = image[rows // 2]
    filled = [c for c in range(columns) if abs(row[c, 0] - row[c, 2]) > 0.05]
    left, right = filled[len(filled) // 4], filled[3 * len(filled) // 4]
    return row[left, :3], row[right, :3]


def is_blue(rgb):
    return rgb[2] > rgb[0]


def is_red(rgb):
    return rgb[0] > rgb[2]


@pytest.mark.parametrize(("output_activation", "bias"), [("linear", 0.0), ("sigmoid", 0.0)])
def test_decision_boundary_splits_the_plane_where_the_model_does(tmp_path, output_activation, bias):
    model = nn.MLP(2, [1], output_activation=output_activation)  # class 1 where x > 0
    model.set_weights([([[3.0, 0.0]], [bias])])
    left, right = colour_left_and_right(plots.decision_boundary(model, CORNERS, [0, 0, 1, 1], tmp_path / "b.png",
                                                               resolution=12))
    assert is_blue(left)
    assert is_red(right)


def test_decision_boundary_of_several_outputs_uses_the_argmax(tmp_path):
    model = nn.MLP(2, [2])
    model.set_weights([([[-1.0, 0.0], [1.0, 0.0]], [0.0, 0.0])])  # output 1 wins where x > 0
    left, right = colour_left_and_right(plots.decision_boundary(model, CORNERS, [0, 0, 1, 1], tmp_path / "b.png",
                                                               resolution=12))
    assert is_blue(left)
    assert is_red(right)


def test_decision_boundary_reads_minus_one_plus_one_labels(tmp_path):
    model = nn.MLP(2, [1])
    model.set_weights([([[1.0, 0.0]], [0.0])])
    signs = imread(plots.decision_boundary(model, CORNERS, [-1, -1, 1, 1], tmp_path / "signs.png", resolution=5))
    classes = imread(plots.decision_boundary(model, CORNERS, [0, 0, 1, 1], tmp_path / "classes.png", resolution=5))
    np.testing.assert_array_equal(signs, classes)  # −1 is class 0 and +1 class 1: the same picture, pixel for pixel


def test_decision_boundary_reads_the_plane_through_the_models_features(tmp_path):
    model = nn.MLP(1, [1])  # one input, x1²: class 1 inside |x1| < 0.5, on both sides of the middle
    model.set_weights([([[-1.0]], [0.25])])
    model.signature = nn.Signature(("x1", "x2"), features=("x1^2",))
    path = plots.decision_boundary(model, CORNERS * 2, [0, 0, 0, 0], tmp_path / "b.png", resolution=41)
    image = imread(path)
    middle = image[image.shape[0] // 2]
    blue = [c for c in range(image.shape[1]) if middle[c, 2] > middle[c, 0] + 0.01]
    red = [c for c in range(image.shape[1]) if middle[c, 0] > middle[c, 2] + 0.05]
    assert red
    assert min(blue) < min(red)
    assert max(red) < max(blue)
    assert len(red) == pytest.approx(len(blue) / 5, rel=0.2)  # |x1| < 0.5 of the plane's −3 … 3


def test_loss_curve_adds_each_epochs_validation_loss(tmp_path, monkeypatch):
    history = nn.History(loss=[0.9, 0.5, 0.4, 0.3], accuracy=[None] * 4, lr=[0.1] * 4,
                         epochs=[nn.EpochRecord(1, 2, 0.7, None, 0.8, None), nn.EpochRecord(2, 4, 0.35, None, 0.6)])
    figures = capture_figures(monkeypatch)
    plots.loss_curve(history, tmp_path / "h.png")
    _steps, validation = figures[0].axes[0].get_lines()
    assert validation.get_label() == "validation loss"
    assert validation.get_xdata().tolist() == [1, 3]
    assert validation.get_ydata().tolist() == [0.8, 0.6]


def test_confusion_matrix_shows_every_count_under_its_class_names(tmp_path, monkeypatch):
    figures = capture_figures(monkeypatch)
    matrix = np.array([[5, 1, 0], [0, 7, 2], [3, 0, 9]])
    assert plots.confusion_matrix(matrix, tmp_path / "c.png", ("cat", "dog", "eel")).read_bytes().startswith(PNG)
    axes = figures[0].axes[0]
    assert [t.get_text() for t in axes.texts] == [str(n) for n in matrix.ravel()]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["cat", "dog", "eel"]
    assert axes.images[0].get_array().tolist() == matrix.tolist()
    with pytest.raises(ValueError, match="2 class names for a 3x3 confusion matrix"):
        plots.confusion_matrix(matrix, tmp_path / "c.png", ("cat", "dog"))
    with pytest.raises(ValueError, match="square"):
        plots.confusion_matrix(np.zeros((2, 3)), tmp_path / "c.png")


def test_sigmoid_derivative_curve_comes_out_as_sigma_times_one_minus_sigma(tmp_path, monkeypatch):
    figures = capture_figures(monkeypatch)
    assert plots.sigmoid_and_derivative(tmp_path / "s.png").read_bytes().startswith(PNG)
    sigma_line, slope_line = figures[0].axes[0].get_lines()[:2]
    x = sigma_line.get_xdata()
    sigma = 1 / (1 + np.exp(-x))
    assert np.allclose(sigma_line.get_ydata(), sigma, rtol=1e-12)
    assert np.allclose(slope_line.get_ydata(), sigma * (1 - sigma), rtol=1e-12)
    assert slope_line.get_ydata().max() == pytest.approx(0.25)


def test_failed_write_leaves_the_old_picture(tmp_path, monkeypatch):
    path = plots.loss_curve([1.0, 0.5], tmp_path / "loss.png")
    before = path.read_bytes()

    def broken(self, *args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        plots.loss_curve([3.0, 2.0], path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["loss.png"]


def test_without_matplotlib_the_error_names_the_extra(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match=r"pip install chainrule\[plots\]"):
        plots.loss_curve([1.0], tmp_path / "loss.png")
