"""Evaluate a trained run with another engine: spiking inference in Brian2."""

from ..engines.brian2.evaluation import evaluate_run

NAME = "evaluate"
HELP = "spiking inference of a run's trained network (Brian2)"


def add_arguments(parser):
    parser.add_argument("run_folder", metavar="RUN", help="run folder with network.npz")
    parser.add_argument("--engine", choices=["brian2"], default="brian2", help="engine (default: %(default)s)")
    parser.add_argument("--mode", choices=["spiking"], default="spiking", help="form (default: %(default)s)")
    parser.add_argument("--images", type=int, metavar="N", help="first N test images (default: all)")
    parser.add_argument("--target", choices=["numpy", "cython", "cpp_standalone"], default="cpp_standalone",
                        help="Brian2 code-generation target (default: %(default)s)")
    parser.add_argument("--data", metavar="DIR", help="folder with the IDX files (default: search order)")


def run(args):
    run_folder, figures = evaluate_run(args.run_folder, engine=args.engine, mode=args.mode, n_images=args.images,
                                       data_dir=args.data, target=args.target)
    print(f"spiking accuracy     {figures['accuracy']:.2%} on {figures['n_images']:,} test images")
    print(f"vectorized accuracy  {figures['vectorized_accuracy']:.2%} (same images); "
          f"same prediction {figures['agreement']:.2%}")
    print(f"wall time            {figures['wall_seconds']:.1f} s ({figures['images_per_second']:.1f} images/s, "
          f"{figures['target']})")
    print(f"spikes per image     {figures['input_spikes_per_image']:,.0f} input, "
          f"{figures['hidden_spikes_per_image']:,.0f} hidden")
    print(f"run folder           {run_folder.path}")
    return 0
