"""Train a model definition on MNIST and write the run folder."""

from tqdm import tqdm

from ..runner import train_model
from .options import add_data, add_engine, add_json, add_out, print_json

NAME = "train"
HELP = "train a model definition and write a run folder"
EXAMPLE = ["neuroplastic train --model mnist_sparse --seed 1 --out runs/sparse-1",
           "neuroplastic train --model models/mnist.toml --json"]


def add_arguments(parser):
    parser.add_argument("--model", default="mnist", metavar="MODEL",
                        help="model definition: a .toml file or a bundled name such as mnist_sparse (default: %(default)s)")
    add_data(parser)
    add_out(parser, "run folder (default: runs/<model>-seed<N>-<time>)")
    parser.add_argument("--seed", type=int, help="override [training] seed")
    parser.add_argument("--hidden-epochs", type=int, metavar="N", help="override [training] hidden_epochs")
    parser.add_argument("--readout-epochs", type=int, metavar="N", help="override [training] readout_epochs")
    parser.add_argument("--resume", action="store_true", help="continue the interrupted run in --out")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_engine(parser)
    add_json(parser)


def run(args):
    bar = None

    def progress(done, total, nonsilent):
        nonlocal bar
        if args.quiet:
            return
        if bar is None:
            bar = tqdm(total=total, initial=done, unit="img", unit_scale=True, desc="training", dynamic_ncols=True)
        bar.update(done - bar.n)
        bar.set_postfix(nonsilent=f"{nonsilent:,}", refresh=False)

    try:
        run_folder, metrics = train_model(
            args.model, data_dir=args.data, out=args.out, seed=args.seed, hidden_epochs=args.hidden_epochs,
            readout_epochs=args.readout_epochs,
            resume=args.resume, progress=progress, engine=args.engine, mode=args.mode, target=args.target,
            readout_engine=args.readout_engine,
        )
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print_json({"run": str(run_folder.path), "metrics": metrics})
        return 0
    synapses, potential = metrics["nonsilent_synapses"], metrics["potential_synapses"]
    print(f"model            {metrics['model']} (seed {metrics['seed']}, {metrics['epochs']} epochs)")
    print(f"test accuracy    {metrics['test_accuracy']:.2%} on {metrics['data']['n_test']:,} images")
    if metrics["validation_accuracy"] is not None:
        print(f"validation acc.  {metrics['validation_accuracy']:.2%} on {metrics['data']['n_validation']:,} images")
    for layer, label in (("hidden", "input->hidden"), ("output", "hidden->output")):
        print(f"{label:<16} {synapses[layer]:>9,} non-silent of {potential[layer]:>10,} "
              f"({synapses[layer] / potential[layer]:.2%})")
    print(f"{'total':<16} {synapses['total']:>9,} non-silent synapses")
    dynamics = metrics.get("dynamics")
    if dynamics and dynamics["turnover_per_pass"]:
        lifetime = dynamics["mean_lifetime"]
        print(f"turnover         {dynamics['grown']:,} grown, {dynamics['eliminated']:,} eliminated; "
              f"{min(t for t in dynamics['turnover_per_pass'] if t is not None):.1%} to "
              f"{max(t for t in dynamics['turnover_per_pass'] if t is not None):.1%} replaced per pass"
              + (f", mean lifetime {lifetime:,.0f} presentations" if lifetime else ""))
    print(f"wall time        {metrics['train_seconds']:.1f} s training, peak memory {metrics['peak_rss_mb']:.0f} MB")
    print(f"run folder       {run_folder.path}")
    return 0
