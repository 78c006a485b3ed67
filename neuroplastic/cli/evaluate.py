"""Evaluate a trained run with another engine: fully spiking inference in Brian2, on the run's own test set.
The network is the integer rate code of the hardware layer, its thresholds fitted on the run's first
training images (``--calibration``). Timing and rates come from the ``[spiking]`` table of the run's
model.toml. The figures are added to the run's metrics.json under ``brian2_spiking``."""

from .options import add_data, add_json, print_json

NAME = "evaluate"
HELP = "spiking inference of a run's trained network (Brian2)"
EXAMPLE = ["neuroplastic evaluate runs/mnist_sparse-seed0-20260101-120000 --engine brian2 --mode spiking --images 100"]


def add_arguments(parser):
    from ..engines import TARGETS

    parser.add_argument("run_folder", metavar="RUN", help="run folder with network.npz")
    parser.add_argument("--engine", choices=["brian2"], default="brian2", help="engine (default: %(default)s)")
    parser.add_argument("--mode", choices=["spiking"], default="spiking", help="form (default: %(default)s)")
    parser.add_argument("--images", type=int, metavar="N", help="first N test images (default: all)")
    parser.add_argument("--target", choices=TARGETS, default="cpp_standalone",
                        help="Brian2 code-generation target (default: %(default)s)")
    parser.add_argument("--calibration", type=int, default=2000, metavar="N",
                        help="training images that fix the thresholds (default: %(default)s)")
    add_data(parser)
    add_json(parser)


def run(args):
    from ..engines.brian2 import evaluate_spiking
    from ..errors import ConfigError
    from ..runs import load_run

    if args.images is not None and args.images < 1:
        raise ConfigError("--images", f"must be a positive integer, got {args.images}")
    if args.calibration < 1:
        raise ConfigError("--calibration", f"must be a positive integer, got {args.calibration}")
    loaded = load_run(args.run_folder, args.data)
    run_folder, test = loaded.folder, loaded.data
    figures = evaluate_spiking(loaded.network, test.X_test, test.y_test, test.X_train[:args.calibration],
                               n_images=args.images, params=loaded.model.spiking.inference_params(),
                               target=args.target, build_dir=run_folder.file("brian2_build"), progress=not args.json)
    run_folder.update_metrics(brian2_spiking=figures)
    run_folder.log(f"brian2 spiking inference on {figures['n_images']:,} test images: accuracy "
                   f"{figures['accuracy']:.4f} (vectorized {figures['vectorized_accuracy']:.4f}), "
                   f"{figures['wall_seconds']:.1f} s")
    if args.json:
        print_json({"run": str(run_folder.path), "brian2_spiking": figures})
        return 0
    print(f"spiking accuracy     {figures['accuracy']:.2%} on {figures['n_images']:,} test images")
    print(f"vectorized accuracy  {figures['vectorized_accuracy']:.2%} (same images); "
          f"same prediction {figures['agreement']:.2%}")
    print(f"wall time            {figures['wall_seconds']:.1f} s ({figures['images_per_second']:.1f} images/s, "
          f"{figures['target']})")
    spikes = figures["spikes_per_image"]
    print("spikes per image     " + ", ".join(f"{count:,.0f} {name}" for name, count in spikes.items()))
    mapping = figures["mapping"]
    print(f"activation           {mapping['activation']} ({'exact' if mapping['exact'] else 'approximate'} "
          f"integrate-and-fire form; {mapping['steps']} steps per image, {mapping['weight_bits']}-bit weights)")
    print(f"run folder           {run_folder.path}")
    return 0
