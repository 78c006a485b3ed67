"""Add information and synapse figures to a finished run: non-silent synapses, I(X;Z) (VIB bound and a
plug-in cross-check), C_S, Knoblauch's capacity, weight statistics and, on request, the
over-parameterisation factor of dense BP."""

import sys

from .options import add_data, add_json, print_json

NAME = "analyze"
HELP = "add I(X;Z), C_S, capacities and weight statistics to a run folder"
EXAMPLE = ["neuroplastic analyze runs/mnist_sparse-seed0-20260101-120000 --vib-seeds 1",
           "neuroplastic analyze RUN --json > figures.json"]


def add_arguments(parser):
    parser.add_argument("run_folder", metavar="RUN", help="a run folder with network.npz and model.toml")
    add_data(parser)
    parser.add_argument("--vib-seeds", type=int, default=3, metavar="N", help="VIB fits (seeds 0..N-1); default 3")
    parser.add_argument("--overparameterisation", action="store_true",
                        help="also search the smallest dense BP net matching the run's accuracy (slow)")
    parser.add_argument("--max-hidden", type=int, default=1024, metavar="N",
                        help="largest BP hidden layer of that search (default 1024)")
    add_json(parser)


def run(args):
    from ..analysis import analyze_run
    from ..analysis.neurobench import format_neurobench

    figures = analyze_run(args.run_folder, data_dir=args.data, vib_seeds=tuple(range(args.vib_seeds)),
                          overparameterisation=args.overparameterisation, max_hidden=args.max_hidden,
                          progress=lambda line: print(line, file=sys.stderr if args.json else sys.stdout))
    if args.json:
        print_json(figures)
        return 0
    print(f"{args.run_folder}: test accuracy {figures['accuracy']:.4f}, non-silent input->hidden "
          f"{figures['nonsilent_hidden']:,} of {figures['potential_hidden']:,}")
    print(f"I(X;Z) {figures['i_xz_bits']:.2f} bits (VIB, median of {args.vib_seeds} seeds, sd "
          f"{figures['i_xz_bits_sd']:.2f}), plug-in {figures['i_xz_bits_plugin']:.2f} bits; "
          f"C_S {figures['c_s']:.4g} bits/synapse")
    if figures["i_xz_bits_divergent_seeds"]:
        print(f"warning: VIB seeds {figures['i_xz_bits_divergent_seeds']} disagree with the median by more than 2x: "
              f"{', '.join(f'{v:.1f}' for v in figures['i_xz_bits_per_seed'])} bits")
    print(format_neurobench(figures["neurobench"]))
    if "overparameterisation" in figures:
        over = figures["overparameterisation"]
        matched = "" if over["matched"] else " (BP never matched: lower bound)"
        print(f"over-parameterisation factor {over['factor']:.1f}{matched}: BP needs {over['bp_synapses']:,} "
              f"synapses, we use {over['our_synapses']:,} (BP size chosen on validation; test accuracy "
              f"BP {over['bp_test_accuracy']:.4f}, ours {over['our_test_accuracy']:.4f})")
    dynamics = figures.get("synapse_dynamics")
    if dynamics:
        turnover = [p["turnover"] for p in dynamics["passes"][1:] if p["turnover"] is not None]
        lifetime = dynamics["mean_lifetime"]
        print(f"synapse dynamics: {dynamics['grown']:,} grown, {dynamics['eliminated']:,} eliminated"
              + (f", {min(turnover):.1%}-{max(turnover):.1%} replaced per pass after the first" if turnover else "")
              + (f", mean lifetime {lifetime:,.0f} presentations" if lifetime else ""))
    print("written: analysis.json, metrics.json")
    return 0
