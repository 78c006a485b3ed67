"""The ``neuroplastic`` command: parse arguments, call the library, print.

User errors (:class:`~neuroplastic.errors.NeuroplasticError`) become one
line on standard error and exit code 2; anything else is a bug and keeps its
traceback.
"""

import argparse
import sys

from .. import __version__
from ..errors import NeuroplasticError
from . import analyze, compare, continual, data, energy, evaluate, export, report, sweep, train, validate

__all__ = ["build_parser", "main"]

#: Subcommand modules; each has ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args)``.
COMMANDS = (data, validate, train, evaluate, analyze, compare, sweep, continual, report, energy, export)


def build_parser():
    """The argument parser with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="neuroplastic",
        description="Structural-plasticity learning on MNIST: train, analyse and cost sparse networks.",
    )
    parser.add_argument("--version", action="version", version=f"neuroplastic {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for command in COMMANDS:
        sub = subparsers.add_parser(command.NAME, help=command.HELP, description=command.__doc__)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv=None):
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except NeuroplasticError as exc:
        print(f"neuroplastic: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("neuroplastic: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
