"""Command line: ``python -m viz draw|explain|explore|program SOURCE …`` (SOURCE: a built-in name or MODEL.json),
``python -m viz playground`` and ``python -m viz digits`` (a local server; Ctrl-C stops it; ``viz.serving``).

Every user mistake prints one line on stderr and exits with status 2; a missing Graphviz exits
with status 3 after saving the DOT source; Ctrl-C exits with 130 (``autograd.conventions.command_line``, as
``python -m nn``), except for the playground, whose Ctrl-C is how it is stopped: status 0.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import autograd
from autograd.conventions.command_line import (
    Parser,
    any_case,
    file_to_write,
    non_negative_number,
    number_list,
    positive_int,
    run,
)
from autograd.conventions.errors import LimitError, UserError
from autograd.conventions.files import writable_target
from autograd.conventions.terminal import shown

from .collapsed import check_model_size, draw_model
from .dot import DEFAULT_MAX_NODES, draw
from .explorer_network import LEVELS, NETWORK_MAX_NODES
from .program import program
from .readable import check_readable
from .render import output_format, render
from .serving import add_parsers as add_server_parsers
from .sources import BUILTINS, resolve

PROG = "python -m viz"
PAGE_SUFFIXES = (".html", ".htm")
EXPLAIN_MAX_PATHS = 10_000  # terms printed by one explain command, over all its nodes


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="Draw and explain the chain rule on a graph.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    sources = f"one of {', '.join(BUILTINS)}, or a MODEL.json saved by nn"

    def command(name: str, help_text: str, with_target: str,
                inputs: str = "required for a model") -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("source", metavar="SOURCE", help=sources)
        sub.add_argument("--input", type=number_list, help=f"input numbers, e.g. 0.1,0.2 ({inputs})")
        sub.add_argument("--target", type=_target,
                         help=f"target numbers y: {with_target} the cost C₀ = Σ (a − y)² instead of the output; "
                              f"for a saved classifier one class, by index k or name, and C₀ the loss it was "
                              f"trained with")
        return sub

    drawing = command("draw", "draw the computation graph to an .svg, .png or .pdf file",
                      "draw (also with --collapsed)")
    drawing.add_argument("-o", "--output", type=file_to_write, required=True,
                         help="the file to write: .svg, .png or .pdf")
    drawing.add_argument("--no-grad", action="store_true", help="leave out the gradients")
    direction = drawing.add_mutually_exclusive_group()
    direction.add_argument("--top-down", dest="rankdir", action="store_const", const="TB",
                           help="draw top to bottom (the default for a graph)")
    direction.add_argument("--left-right", dest="rankdir", action="store_const", const="LR",
                           help="draw left to right (the default with --collapsed)")
    drawing.add_argument("--gradient-flow", action="store_true",
                         help="colour edges by |gradient|; mark dead ReLUs and saturated units")
    drawing.add_argument("--highlight", default="", help="comma-separated node names to highlight, e.g. w3,a2")
    drawing.add_argument("--collapsed", action="store_true", help="a model's layers and neurons as boxes")
    _size_limits(drawing)
    explaining = command("explain", "print the chain rule for ∂output/∂node, with numbers", "explain")
    explaining.add_argument("--wrt", action="append", metavar="NODE",
                            help="a node's label or ASCII alias (w3 for w⁽³⁾); repeat it; default: every parameter")
    explaining.add_argument("--max-paths", type=positive_int, default=EXPLAIN_MAX_PATHS,
                            help=f"refuse when the nodes have more chain-rule paths than this in all "
                                 f"(default {EXPLAIN_MAX_PATHS})")
    exploring = command("explore", "write the step-by-step backprop explorer as one HTML file", "explore")
    exploring.add_argument("-o", "--output", type=file_to_write, required=True, help="the HTML file to write")
    exploring.add_argument("--lr", type=non_negative_number, default=0.1,
                           help="the learning rate of the update step (default %(default)s)")
    exploring.add_argument("--level", type=any_case, choices=LEVELS,
                           help="the view the page opens on: scalar (every value), neuron (Σ w·a + b → σ boxes) or "
                                "layer (vectors and matrices); default: the most detailed readable one")
    _size_limits(exploring)
    command("program", "print the numpy program the compiled replay runs for the graph (its data leaves "
                       "as a batch)", "compile", inputs="optional: without them a model's graph is traced at "
                                                  "zeros; the program reads the inputs as a batch")
    add_server_parsers(commands)
    return parser


def _target(text: str) -> list[float] | str:
    """``--target``: comma-separated numbers, or one word naming a saved classifier's class (``virginica``)."""
    try:
        return number_list(text)
    except argparse.ArgumentTypeError:
        if "," in text or not text.strip():
            raise
        return text.strip()


def _size_limits(command: argparse.ArgumentParser) -> None:
    command.add_argument("--max-nodes", type=positive_int, default=DEFAULT_MAX_NODES,
                         help=f"refuse graphs with more values (--collapsed: boxes) than this "
                              f"(default {DEFAULT_MAX_NODES})")
    command.add_argument("--max-edges", type=positive_int,
                         help="refuse graphs with more edges (--collapsed: weights) than this "
                              "(default twice --max-nodes)")


def _model_check(args):
    """What a saved model must pass before its graph is built: the drawing's size limits."""
    if args.command == "draw" and args.collapsed:
        return lambda model: check_model_size(model, args.max_nodes, args.max_edges)
    if args.command == "explore" and args.level != "scalar":
        return lambda model: _few_enough_parameters(model, NETWORK_MAX_NODES // 2, "the explorer's limit")
    if args.command in ("draw", "explore"):
        return lambda model: _few_enough_parameters(model, args.max_nodes)
    return None


def _few_enough_parameters(model, max_nodes: int, limit: str = "") -> None:
    """Every parameter is a value of the graph: more of them than max_nodes is refused before the graph exists."""
    count = len(model.parameters())
    if count > max_nodes:
        if limit:
            raise UserError(f"the model has {count:,} parameters, so its graph has more than {limit} of "
                            f"{max_nodes:,} values; draw it with viz draw --collapsed")
        raise UserError(f"the model has {count:,} parameters, so its graph has more than --max-nodes {max_nodes} "
                        f"values; draw it with viz draw --collapsed, explore it with --level layer, "
                        f"or raise --max-nodes")


def _draw(source, args) -> str:
    if args.collapsed:
        if source.model is None:
            raise UserError(f"--collapsed draws a saved nn model; {args.source} is a single expression")
        graph = draw_model(source.model, args.input, target=args.target, rankdir=args.rankdir or "LR",
                           max_nodes=args.max_nodes, max_edges=args.max_edges)
    else:
        advice = "; draw a saved model with --collapsed (a box per neuron) or explore it with --level neuron"
        check_readable(source.output, args.rankdir or "TB", not args.no_grad, advice=advice)
        marked = [source.find(name) for name in args.highlight.split(",") if name]
        graph = draw(source.output, show_grad=not args.no_grad, rankdir=args.rankdir or "TB", highlight=marked,
                     gradient_flow=args.gradient_flow, max_nodes=args.max_nodes, max_edges=args.max_edges)
    return f"wrote {shown(render(graph, args.output))}"


def _explain(source, args) -> str:
    wanted = [source.find(name) for name in args.wrt] if args.wrt else source.parameters
    explanations = autograd.explain_each(source.output, wanted, max_paths=args.max_paths)
    gradients = autograd.grad(source.output, wanted)
    blocks = [source.title]
    for explanation, gradient in zip(explanations, gradients, strict=True):
        blocks.append(f"{explanation}\n(backward() gives {gradient:.10g})")
    return "\n\n".join(blocks)


def _explore(source, args) -> str:
    from .explorer import explore

    explore(source.output, args.output, parameters=source.parameters, learning_rate=args.lr, title=source.title,
            level=args.level, max_nodes=args.max_nodes, max_edges=args.max_edges, made_from="shell")
    return f"wrote {shown(args.output)}"


def _program(source, args) -> str:
    return program(source)


def _check(args: argparse.Namespace) -> None:
    """What the arguments alone can tell, refused before the source is built; the output file first."""
    if args.command == "draw":
        output_format(args.output)
    if args.command == "explore" and Path(args.output).suffix.lower() not in PAGE_SUFFIXES:
        raise UserError(f"explore writes an HTML page: the file name must end in .html, got {str(args.output)!r}")
    if args.command in ("draw", "explore"):
        writable_target(args.output)


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status (see autograd.conventions.command_line for the convention)."""
    def command() -> None:
        args = _parser().parse_args(argv)
        if hasattr(args, "serve"):  # playground, digits: until Ctrl-C
            args.serve(args)
            return
        _check(args)
        action = {"draw": _draw, "explain": _explain, "explore": _explore, "program": _program}[args.command]
        try:
            print(action(resolve(args.source, args.input, args.target, check_model=_model_check(args),
                                 any_inputs=args.command == "program"), args))
        except LimitError as error:  # worded with the option the user passes, not the library's keyword
            raise UserError(error.for_option()) from None
    return run(PROG, command)


if __name__ == "__main__":
    sys.exit(main())
