"""An imported model either draws on the playground's data (its features, layers and a loss that fits)
or is refused with what it is, what would fit and how to make one; an uploaded file is named."""
from __future__ import annotations

import pytest

import nn
from viz.live.config import FieldError, Setup
from viz.live.imported import setup_for
from viz.live.playground_session import Session
from viz.live.points import upload_name


def test_a_model_of_nn_trains_shape_draws_with_the_loss_its_output_fits():
    model = nn.MLP(2, [4, 2, 1], activation="relu", output_activation="linear", seed=1)  # nn train's hinge output
    setup = setup_for(model, Setup())
    assert (setup.hidden, setup.activation, setup.loss) == ((4, 2), "relu", "hinge")
    sigmoid = nn.MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=1)
    assert setup_for(sigmoid, Setup(loss="bce")).loss == "bce"  # the current loss kept when it fits


def test_the_features_a_model_file_names_are_chosen():
    model = nn.MLP(3, [2, 1], output_activation="sigmoid", seed=1)
    model.signature = nn.Signature(inputs=("x1", "x2"), features=("x1", "x2", "x1^2"))
    assert setup_for(model, Setup()).features == ("x1", "x2", "x1^2")


@pytest.mark.parametrize(("model", "said"), [
    (nn.MLP(2, [16, 16, 1], output_activation="linear", seed=1), "its hidden layers are 16,16"),
    (nn.MLP(5, [4, 1], output_activation="linear", seed=1), "it takes 5 inputs"),
    (nn.MLP(2, [4, 3], output_activation="linear", seed=1), "it ends in 3 linear output(s)"),
    (nn.MLP(2, [4, 1], output_activation="linear", bias=False, seed=1), "it has no biases")])
def test_a_model_that_cannot_be_drawn_says_what_would_fit_and_how_to_make_one(model, said):
    with pytest.raises(FieldError) as refused:
        setup_for(model, Setup())
    message = refused.value.message
    assert said in message
    assert "2 inputs (x1, x2), at most 6 hidden layers of at most 8 neurons" in message
    assert "1 sigmoid output (mse, bce) or 1 raw score (hinge)" in message
    assert "python -m nn train circles --hidden 4,2" in message


def test_importing_through_the_session_keeps_the_models_weights():
    session = Session(Setup(points=40))
    model = nn.MLP(2, [3, 1], activation="relu", output_activation="linear", seed=7)
    session.import_model(nn.model_json.to_dict(model))
    assert session.setup.loss == "hinge"
    assert session.model.get_weights() == model.get_weights()


def test_an_uploaded_file_is_named_and_choosing_a_dataset_replaces_it():
    session = Session(Setup(points=40))
    session.load_csv("x1,x2,label\n0,0,0\n1,1,1\n0.5,0.2,1\n", "mine.csv")
    assert session.state()["uploaded"] == "mine.csv"
    assert len(session.points) == 3
    session.configure({"dataset": "circles"})  # the dataset it had before the upload
    assert session.state()["uploaded"] is None
    assert len(session.points) == 40
    assert [upload_name(name) for name in (None, "", "a\nb.csv", "x" * 200)] == \
        ["uploaded.csv", "uploaded.csv", "uploaded.csv", "x" * 80]
