"""The network inside a scalar graph: what the explorer's neuron and layer views are drawn from.

Only the recorded graph is read (no model object is needed, so a hand-built network reads the same
as an ``nn.MLP``): a *neuron* is a ``sum`` node of products ``w·a`` (the weight, a leaf, first, as
``nn.Neuron`` records them) and at most one bias leaf, followed by its activation op (relu, tanh or
sigmoid) unless it is linear; a *layer* is the neurons that read the same inputs; layers chain when
one layer's outputs are exactly the next one's inputs. Whatever the last layer feeds is the cost.
A graph that is not such a chain (a weight used twice, as by an L2 term; a skip connection) has no
network, and the explorer keeps its scalar view.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from autograd import Names, Value
from autograd.conventions.errors import LimitError

from .dot import check_size

ACTIVATION_OPS = ("relu", "tanh", "sigmoid")


@dataclass(frozen=True)
class NeuronNodes:
    """One neuron's Values: ``z = Σₖ weights[k]·inputs[k] + bias`` (``products[k]`` is each term), ``a = σ(z)``."""

    weights: tuple[Value, ...]
    products: tuple[Value, ...]
    bias: Value | None
    z: Value
    a: Value  # z itself for a linear neuron
    activation: str  # the op's name, or "linear"

    @property
    def inputs(self) -> tuple[Value, ...]:
        return tuple(product.parents[1] for product in self.products)


@dataclass(frozen=True)
class LayerNodes:
    """The neurons of one layer, in the order the next layer (or the cost) reads them."""

    inputs: tuple[Value, ...]
    neurons: tuple[NeuronNodes, ...]

    @property
    def outputs(self) -> tuple[Value, ...]:
        return tuple(neuron.a for neuron in self.neurons)


@dataclass(frozen=True)
class NetworkNodes:
    """The layers from the inputs (layer 0) to the output layer, and the Value they feed (``output``)."""

    layers: tuple[LayerNodes, ...]
    output: Value

    @property
    def inputs(self) -> tuple[Value, ...]:
        return self.layers[0].inputs

    @property
    def has_cost(self) -> bool:
        """False when the output is one of the last layer's activations (nothing after the network)."""
        return self.output not in self.layers[-1].outputs

    def neuron_of(self) -> dict[Value, tuple[int, int]]:
        """Each Value of the network -> (layer, neuron); layer 0 holds the inputs."""
        owner = {value: (0, k) for k, value in enumerate(self.inputs)}
        for number, layer in enumerate(self.layers, start=1):
            for j, neuron in enumerate(layer.neurons):
                for value in (*neuron.weights, *neuron.products, neuron.bias, neuron.z, neuron.a):
                    if value is not None:
                        owner[value] = (number, j)
        return owner


def _consumers(order: Sequence[Value]) -> dict[Value, list[Value]]:
    consumers: dict[Value, list[Value]] = defaultdict(list)
    for node in order:
        for parent in node.parents:
            consumers[parent].append(node)
    return consumers


def _neuron(z: Value, consumers, names: Names) -> NeuronNodes | None:
    """The neuron whose weighted sum is ``z``, or None when ``z`` is not one."""
    products = [p for p in z.parents if p.op is not None and p.op.name == "mul" and p.parents[0].is_leaf
                and not names.is_constant(p.parents[0])]  # a number written in a loss (y·log p) is no weight
    others = [p for p in z.parents if p not in products]
    if not products or len(others) > 1 or (others and not others[0].is_leaf):
        return None
    owned = [*products, *others, *(product.parents[0] for product in products)]
    if len(set(owned)) != len(owned) or any(len(consumers[node]) != 1 for node in owned):
        return None  # a weight, product or bias used elsewhere: ∂C/∂w would not be δ·a alone
    after = consumers[z]
    activated = len(after) == 1 and after[0].op.name in ACTIVATION_OPS
    a = after[0] if activated else z
    return NeuronNodes(tuple(product.parents[0] for product in products), tuple(products),
                       others[0] if others else None, z, a, a.op.name if activated else "linear")


def _layers(neurons: list[NeuronNodes]) -> dict[tuple, list[NeuronNodes]]:
    """Neurons grouped by the inputs they read (in order), in graph order."""
    groups: dict[tuple, list[NeuronNodes]] = {}
    for neuron in neurons:
        groups.setdefault(neuron.inputs, []).append(neuron)
    return groups


def read_network(output: Value, order: Sequence[Value], names: Names) -> NetworkNodes | None:
    """The chain of layers in the graph of ``output`` (``order``: its topological order), or None."""
    consumers = _consumers(order)
    neurons = [n for n in (_neuron(z, consumers, names) for z in order if z.op is not None and z.op.name == "sum") if n]
    groups = _layers(neurons)
    if not groups:
        return None
    by_outputs = {frozenset(n.a for n in group): inputs for inputs, group in groups.items()}
    produced = set().union(*by_outputs)
    first = [inputs for inputs in groups if not produced.intersection(inputs)]
    if len(first) != 1:
        return None
    chain, inputs = [], first[0]
    while inputs in groups:
        group = groups[inputs]
        outputs = frozenset(n.a for n in group)
        following = [later for later in groups if frozenset(later) == outputs and len(later) == len(group)]
        chain.append((inputs, group))
        if not following:
            break
        inputs = following[0]
    if len(chain) != len(groups) or not _only_read_by_the_next_layer(chain, consumers, output):
        return None
    layers = []
    for number, (inputs, group) in enumerate(chain):
        if number + 1 < len(chain):
            position = {value: k for k, value in enumerate(chain[number + 1][0])}
            group = sorted(group, key=lambda neuron: position[neuron.a])
        layers.append(LayerNodes(inputs, tuple(group)))
    return NetworkNodes(tuple(layers), output)


def _only_read_by_the_next_layer(chain, consumers, output: Value) -> bool:
    """Every input of a layer is read once by each of its neurons and by nothing else, so that
    ∂C/∂aₖ is exactly the sum over that layer's neurons (no skip connection, no reuse)."""
    for inputs, group in chain:
        if len(set(inputs)) != len(inputs):
            return False
        for value in inputs:
            if len(consumers[value]) != len(group):
                return False
    last = chain[-1][1]
    return output in [n.a for n in last] or all(consumers[n.a] for n in last)


LEVELS = ("scalar", "neuron", "layer")
NETWORK_MAX_NODES = 200_000  # values: 3Blue1Brown's 784-16-16-10 network and its cost are about 26,000
READABLE_VALUES = 60  # a scalar graph this small is read whole at the opening zoom
READABLE_COLUMN = 32  # neurons: a network whose widest layer (or input) is wider opens on the layer view
MADE_FROM = ("python", "shell", "room")  # where a page is made: a Python call, python -m viz explore, a live app


def check_level(level: object) -> None:
    """ValueError unless ``level`` is None (choose) or one of LEVELS."""
    if level is not None and level not in LEVELS:
        raise ValueError(f"explore: level must be one of {', '.join(LEVELS)}, got {level!r:.40}")


def scalar_size_problem(output: Value, max_nodes: int, max_edges: int | None) -> LimitError | None:
    """Why the scalar view of ``output`` cannot be drawn (``viz.dot.check_size``'s refusal), or None."""
    try:
        check_size(output, max_nodes, max_edges)
    except LimitError as error:
        return error
    return None


def scalar_view_note(refused: LimitError, made_from: str) -> str:
    """The page's note on the scalar view it leaves out, in the words of where the page was made (MADE_FROM):
    Python names the keyword (``max_nodes=3000``), the shell the option (``--max-nodes 3000``), and a live
    room, where neither can be passed, only the limit."""
    if made_from == "shell":
        return (f"{refused.for_option()}. The neuron's chain rule: python -m viz explain with the same source and "
                f"--wrt NAME prints it.")
    if made_from == "room":
        return f"{refused.found}, more than the {refused.limit:,} the scalar view draws."
    return f"{refused}. The neuron's chain rule: autograd.explain(output, node) prints it."


def default_level(order: Sequence[Value], network: NetworkNodes | None, scalar_drawable: bool = True) -> str:
    """The most detailed view readable on a screen: the scalar graph when it is small or no network,
    the neuron view while every layer fits a column, else the layer view."""
    if network is None or (scalar_drawable and len(order) <= READABLE_VALUES):
        return "scalar"
    widest = max(len(network.inputs), *(len(layer.neurons) for layer in network.layers))
    return "neuron" if widest <= READABLE_COLUMN else "layer"
