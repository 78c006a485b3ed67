"""Run a grid of model files x parameter values x seeds in parallel on Dask, skipping cells already
complete, and aggregate the results into CSV and Markdown tables and plots.
Rerunning the same command after an interruption completes only the missing cells.
"""

from tqdm import tqdm

from .options import add_data, add_json, add_out, print_json

NAME = "sweep"
HELP = "run a grid of models, parameter values and seeds in parallel (Dask) and tabulate it"
EXAMPLE = ["neuroplastic sweep models/regimes/*.toml --param training.epochs=1,2 --seeds 3 --jobs 2 --out sweeps/a"]


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
    add_data(parser)
    add_out(parser, "sweep folder", default="sweeps/sweep")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_json(parser)


def run(args):
    from ..experiments.sweep import parse_params, run_sweep

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
                           progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print_json(result)
        return 1 if result["failed"] else 0
    for row in result["summary"]:
        if row["n_seeds"]:
            spread = "" if row["test_accuracy_sd"] is None else f" ± {100 * row['test_accuracy_sd']:.2f}"
            seeds = f"{row['n_seeds']} seed{'s' if row['n_seeds'] > 1 else ''}"
            print(f"{row['group']:<50} acc {100 * row['test_accuracy_mean']:6.2f}{spread}%"
                  f"  non-silent {row['nonsilent_synapses.total_mean']:>10,.0f}  ({seeds})")
    print(f"cells: {len(result['ran'])} ran, {len(result['skipped'])} already complete, {len(result['failed'])} failed; "
          f"wall time {result['wall_time_s']:.1f} s")
    for cell_id, error in result["failed"].items():
        print(f"failed: {cell_id}: {error}")
    print(f"written: {args.out}/summary.md, summary.csv, cells.csv, sweep.json, plots/")
    return 1 if result["failed"] else 0
