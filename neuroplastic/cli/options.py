"""The flags every subcommand spells the same way.

``--data`` is always the folder of the IDX files (default: the search order
of :func:`neuroplastic.datasets.locate_mnist`), ``--out`` always the folder a
command writes, ``--json`` always prints the figures as JSON on standard
output instead of the readable lines.
"""

import argparse
import json
import sys

__all__ = ["add_data", "add_deprecated", "add_engine", "add_out", "add_json", "add_rate_code", "check_rate_code",
           "print_json", "example"]

DATA_HELP = ("folder with the four IDX files, or mnist-sample for the bundled sample "
             "(default: $NEUROPLASTIC_DATA, then the user cache)")


def add_data(parser, *, deprecated=()):
    """``--data DIR``; ``deprecated`` spellings still work but are hidden from ``--help``."""
    parser.add_argument("--data", metavar="DIR", help=DATA_HELP)
    for spelling in deprecated:
        add_deprecated(parser, spelling, "--data")


def add_deprecated(parser, spelling, new):
    """An old spelling of the flag ``new``: hidden from ``--help``, warns on use, stores into ``new``'s value."""
    parser.add_argument(spelling, dest=new.lstrip("-").replace("-", "_"), metavar="DIR", help=argparse.SUPPRESS,
                        action=_DeprecatedAlias, new=new)


def add_out(parser, what, *, default=None, required=False):
    """``--out DIR``: the folder the command writes (``what`` says which)."""
    if required:
        text = f"{what} (required)"
    elif default is None:
        text = what
    else:
        text = f"{what} (default: %(default)s)"
    parser.add_argument("--out", metavar="DIR", default=default, required=required, help=text)


def add_engine(parser, *, readout=True):
    """``--engine``, ``--mode``, ``--target`` (and ``--readout-engine``): which engine and form execute the rule."""
    from ..engines import ENGINES, MODES, READOUT_ENGINES, TARGETS

    parser.add_argument("--engine", choices=ENGINES, default="vectorized",
                        help="engine that executes the rule (default: %(default)s)")
    parser.add_argument("--mode", choices=MODES, default="rate",
                        help="Brian2 form, with --engine brian2 (default: %(default)s)")
    parser.add_argument("--target", choices=TARGETS,
                        help="Brian2 code-generation target (default: cpp_standalone for --mode spiking, else numpy)")
    if readout:
        parser.add_argument("--readout-engine", choices=READOUT_ENGINES,
                            help="where the readout phase runs with --engine brian2 (default: brian2 for --mode rate, "
                                 "vectorized for --mode spiking, whose readout passes are too slow in Brian2's rate "
                                 "form)")


def add_rate_code(parser):
    """``--steps``, ``--hidden-rate``, ``--inhibition-rate``: the hardware layer's rate code. Each one not given
    comes from the run folder's model (its ``[hardware]`` table), else that table's defaults."""
    from ..config.schema import HardwareSpec

    spec = HardwareSpec()
    origin = "default: the run's model, else {}"
    parser.add_argument("--steps", type=int, default=None, help=f"time steps per image ({origin.format(spec.steps)})")
    parser.add_argument("--hidden-rate", type=float, default=None, metavar="R",
                        help="spikes per step of a hidden neuron at the top of its range, in (0, 1]: fewer spikes "
                             "and synaptic operations, coarser activations "
                             f"({origin.format(spec.hidden_rate)})")
    parser.add_argument("--inhibition-rate", type=float, default=None, metavar="R",
                        help=f"the same for the inhibitory interneuron ({origin.format(spec.inhibition_rate)})")


def check_rate_code(args):
    """A one-line error naming the flag for a rate given outside (0, 1]."""
    from ..hardware.rate_code import check_rates

    check_rates(1.0 if args.hidden_rate is None else args.hidden_rate,
                1.0 if args.inhibition_rate is None else args.inhibition_rate,
                names=("--hidden-rate", "--inhibition-rate"))


def add_json(parser):
    """``--json``: the figures as JSON on standard output."""
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on standard output")


def print_json(obj):
    """Print ``obj`` as indented JSON (non-JSON values such as paths as strings)."""
    print(json.dumps(obj, indent=2, sort_keys=True, default=str))


def example(*lines):
    """The ``--help`` epilog: one or more example command lines."""
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


class _DeprecatedAlias(argparse.Action):
    """Store the value under the new flag's name and warn once on standard error."""

    def __init__(self, option_strings, dest, new, **kwargs):
        self.new = new
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"neuroplastic: warning: {option_string} is deprecated; use {self.new}", file=sys.stderr)
        setattr(namespace, self.dest, values)
