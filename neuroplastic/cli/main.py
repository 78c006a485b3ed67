"""The ``neuroplastic`` command: parse arguments, call the library, print.

User errors (:class:`~neuroplastic.errors.NeuroplasticError`, and wrong
arguments) become one line on standard error and exit code 2; anything else
is a bug and keeps its traceback. Every subcommand follows the conventions
of :mod:`neuroplastic.cli.options` and shows an example in its ``--help``.
"""

import argparse
import sys

from .. import __version__
from ..errors import NeuroplasticError
from . import analyze, compare, continual, data, energy, evaluate, export, report, sweep, train, validate
from .options import example

__all__ = ["build_parser", "main"]

#: Subcommand modules; each has ``NAME``, ``HELP``, ``EXAMPLE`` (command lines for the ``--help``
#: epilog), ``add_arguments(parser)`` and ``run(args)``.
COMMANDS = (data, validate, train, evaluate, analyze, compare, sweep, continual, report, energy, export)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit code 2."""

    def error(self, message):
        self.exit(2, f"neuroplastic: error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser():
    """The argument parser with one subparser per command."""
    parser = _Parser(
        prog="neuroplastic",
        description="Structural-plasticity learning on MNIST: train, analyse and cost sparse networks.",
        epilog=example("neuroplastic train --model mnist_sparse --seed 1", "neuroplastic COMMAND --help"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"neuroplastic {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for command in COMMANDS:
        sub = subparsers.add_parser(command.NAME, help=command.HELP, description=command.__doc__,
                                    epilog=example(*command.EXAMPLE),
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
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
    except (PermissionError, IsADirectoryError, NotADirectoryError, FileExistsError) as exc:  # e.g. --out not writable
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"neuroplastic: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("neuroplastic: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
