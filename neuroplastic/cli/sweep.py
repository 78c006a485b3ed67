"""Run a grid of model files x parameter values x seeds in parallel on Dask, skipping cells already
complete, and aggregate the results into CSV and Markdown tables and plots.
Rerunning the same command after an interruption completes only the missing cells.
When the model files extend a common base model file, the base runs too as the reference group
(unless listed already, or --no-reference) and every other group is compared with it.
"""

from tqdm import tqdm

from .options import add_data, add_engine, add_json, add_out, print_json

NAME = "sweep"
HELP = "run a grid of models, parameter values and seeds in parallel (Dask) and tabulate it"
EXAMPLE = ["neuroplastic sweep models/regimes/*.toml --param training.epochs=1,2 --seeds 3 --jobs 2 --out sweeps/a",
           'neuroplastic sweep models/mnist_sparse.toml --engine brian2 --mode spiking '
           '--param "spiking.membrane_time_constant=10 ms,20 ms" --out sweeps/tau']


def add_arguments(parser):
    parser.add_argument("models", nargs="+", metavar="MODEL.toml", help="model definition files")
    parser.add_argument("--param", action="append", default=[], metavar="SECTION.FIELD=A,B,C",
                        help="vary a field over values, e.g. rule.hidden.eta=0.01,0.03 (repeatable; all combinations)")
    parser.add_argument("--seeds", type=int, default=1, metavar="N", help="seeds 0..N-1 per setting (default 1)")
    parser.add_argument("--jobs", type=int, default=2, metavar="N",
                        help="worker processes of the local Dask cluster (default 2)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="use an existing Dask scheduler, e.g. tcp://host:8786 (workers must see --out and --data)")
    parser.add_argument("--retries", type=int, default=2, metavar="N", help="retries of a failed cell (default 2)")
    parser.add_argument("--no-reference", action="store_true",
                        help="do not add the common base model of the model files as a reference group")
    add_engine(parser, readout=False)
    add_data(parser)
    add_out(parser, "sweep folder", default="sweeps/sweep")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_json(parser)


def _pct(mean, sd):
    if mean is None:
        return "–"
    return f"{100 * mean:.2f}" + ("" if sd is None else f" ± {100 * sd:.2f}") + "%"


def _summary_line(row):
    seeds = f"{row['n_seeds']} seed{'s' if row['n_seeds'] > 1 else ''}"
    lifetime = row["dynamics.mean_lifetime_mean"]
    turnover = _pct(row["mean_turnover_after_first_pass_mean"], row["mean_turnover_after_first_pass_sd"])
    return (f"{row['group'] + (' (reference)' if row['reference'] else ''):<50} "
            f"acc {_pct(row['test_accuracy_mean'], row['test_accuracy_sd'])}"
            f"  non-silent {row['nonsilent_synapses.total_mean']:>10,.0f}"
            f"  turnover/pass {turnover} (min {_pct(row['dynamics.min_turnover_after_first_pass_mean'], None)})"
            f"  lifetime {'–' if lifetime is None else format(lifetime, ',.0f')}  ({seeds})")


#: How the CLI shows each compared figure: (short label, format, scale, unit).
_SHOWN = {"test_accuracy": ("acc", "+.2f", 100, " pp"),
          "mean_turnover_after_first_pass": ("turnover", "+.2f", 100, " pp"),
          "dynamics.mean_lifetime": ("lifetime", "+,.0f", 1, "")}


def _comparison_line(comparison):
    parts = []
    for figure, (label, fmt, scale, unit) in _SHOWN.items():
        judged = comparison["figures"][figure]
        verdict = {True: "differs", False: "within"}.get(judged["differs"], "cannot be judged")
        difference = "–" if judged["difference"] is None else format(judged["difference"] * scale, fmt) + unit
        parts.append(f"{label} {difference} ({verdict})")
    return f"  {comparison['group']} against {comparison['reference_group']}: " + ", ".join(parts)


def run(args):
    from ..experiments.sweep import engine_name, parse_params, run_sweep, with_reference

    if not args.json:
        _, reference = with_reference(args.models, not args.no_reference)
        if reference is not None:
            print(f"reference: {reference['model_file']}, the base the model files extend, "
                  + ("added to the sweep (--no-reference to leave it out)" if reference["added"]
                     else "is listed already"))

    bar = None

    def progress(done, total, cell_id, ok):
        nonlocal bar
        if args.quiet:
            return
        if bar is None:
            bar = tqdm(total=total, unit="cell", desc="sweep", dynamic_ncols=True)
        bar.update(1)
        bar.set_postfix_str(("" if ok else "FAILED ") + cell_id, refresh=False)

    try:
        result = run_sweep(args.models, out=args.out, params=parse_params(args.param), seeds=args.seeds,
                           data_dir=args.data, jobs=args.jobs, scheduler=args.scheduler, retries=args.retries,
                           reference=not args.no_reference, progress=progress, engine=args.engine, mode=args.mode,
                           target=args.target)
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print_json(result)
        return 1 if result["failed"] else 0
    for row in result["summary"]:
        if row["n_seeds"]:
            print(_summary_line(row))
    if result["comparison"]:
        print(f"against the reference ({result['comparison'][0]['criterion']} over seeds):")
        for comparison in result["comparison"]:
            print(_comparison_line(comparison))
    print(f"engine: {engine_name(result['engine'])}")
    print(f"cells: {len(result['ran'])} ran, {len(result['skipped'])} already complete, "
          f"{len(result['failed'])} failed; wall time {result['wall_time_s']:.1f} s")
    for cell_id, error in result["failed"].items():
        print(f"failed: {cell_id}: {error}")
    print(f"written: {args.out}/summary.md, summary.csv, cells.csv, sweep.json, plots/")
    return 1 if result["failed"] else 0
