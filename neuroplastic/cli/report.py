"""Write a run's shareable report: a self-contained HTML file (images embedded) and a Markdown twin,
with receptive fields, synapses over training, the weight distribution with its lognormal fit, the
methods compared and the energy breakdown when those results exist, the metrics and the command."""

from .options import add_deprecated, add_json, print_json

NAME = "report"
HELP = "write RUN/report.html (self-contained) and RUN/report.md"
EXAMPLE = ["neuroplastic report runs/mnist_sparse-seed0-20260101-120000",
           "neuroplastic report RUN --compare-results compare"]


def add_arguments(parser):
    parser.add_argument("run_folder", metavar="RUN", help="a finished run folder")
    parser.add_argument("--compare-results", metavar="DIR",
                        help="results of `neuroplastic compare --out DIR` to include (default: RUN/compare/ if present)")
    # Old spelling: --compare now means "another run to set beside this one" in every command.
    add_deprecated(parser, "--compare", "--compare-results")
    add_json(parser)


def run(args):
    from ..report.html import write_run_report

    written = write_run_report(args.run_folder, compare_dir=args.compare_results)
    if args.json:
        print_json(written)
        return 0
    print(f"figures: {'; '.join(written['figures'])}")
    print(f"written: {written['html']}, {written['markdown']}")
    return 0
