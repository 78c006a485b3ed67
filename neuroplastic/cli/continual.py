"""Learn tasks of digit classes one after another with the same network, without replay, and report
accuracy on every earlier task after each task, the input->hidden synapses each task used and the
free potential synapses left, beside dense BP trained under the same protocol.
"""

import sys

from .options import add_data, add_json, add_out, print_json

NAME = "continual"
HELP = "continual learning: tasks in sequence, retention of earlier tasks, synapses per task, vs BP"
EXAMPLE = ["neuroplastic continual --tasks 0-4,5-9 --model models/mnist_sparse.toml --out continual"]


def add_arguments(parser):
    parser.add_argument("--tasks", default="0-4,5-9", metavar="SPEC",
                        help="classes of each task in order, e.g. 0-4,5-9 or 0-1,2-3,4-5,6-7,8-9 (default %(default)s)")
    parser.add_argument("--model", default="mnist_sparse", metavar="MODEL",
                        help="our rule's model definition (default: %(default)s)")
    parser.add_argument("--param", action="append", default=[], metavar="SECTION.FIELD=VALUE",
                        help="override a field of the model, e.g. rule.homeostasis.strength=0 (repeatable)")
    parser.add_argument("--seed", type=int, help="override [training] seed")
    parser.add_argument("--bp-epochs", type=int, default=5, metavar="N", help="BP epochs per task (default 5)")
    parser.add_argument("--bp-hidden", type=int, default=100, metavar="N", help="BP hidden units (default 100)")
    parser.add_argument("--no-bp", action="store_true", help="skip the BP comparison")
    parser.add_argument("--evaluate-on", choices=("test", "validation"), default="test",
                        help="score on the test images, or on a stratified validation share held out of each "
                             "task's training images, to choose options without the test set (default %(default)s)")
    parser.add_argument("--validation-fraction", type=float, default=None, metavar="F",
                        help="that share (default: the model's [data] validation_fraction)")
    add_data(parser)
    add_out(parser, "folder for continual.json and .md", default="continual")
    add_json(parser)


def run(args):
    from ..config import load_model
    from ..config.overrides import apply_dotted, parse_param
    from ..errors import ConfigError
    from ..experiments.continual import parse_tasks, run_continual, write_continual_outputs

    tasks = parse_tasks(args.tasks)
    overrides = {}
    for text in args.param:
        name, values = parse_param(text)
        if len(values) != 1:
            raise ConfigError(f"--param {text!r}: give one value here (sweeps take lists)")
        overrides[name] = values[0]
    model = load_model(args.model)
    if overrides:
        model = apply_dotted(model, overrides)
    result = run_continual(model, tasks, data_dir=args.data, bp=not args.no_bp,
                           bp_epochs=args.bp_epochs, bp_hidden=args.bp_hidden, seed=args.seed,
                           evaluate_on=args.evaluate_on, validation_fraction=args.validation_fraction,
                           progress=lambda line: print(line, file=sys.stderr if args.json else sys.stdout))
    paths = write_continual_outputs(result, args.out)
    if args.json:
        print_json(result | {"files": paths})
        return 0
    names = result["tasks"]
    for method, entry in result["methods"].items():
        last = entry["stages"][-1]
        print(f"{method:<5} after all tasks: accuracy " + ", ".join(
            f"{n} {100 * a:.1f}%" for n, a in zip(names, last["accuracy"])) + "; task-restricted " + ", ".join(
            f"{n} {100 * a:.1f}%" for n, a in zip(names, last["accuracy_task_restricted"])))
        print(f"      retention of {names[0]}: {100 * entry['retention'][0]:.1f}% (class-incremental), "
              f"{100 * entry['retention_task_restricted'][0]:.1f}% (task-restricted)")
    rule = result["methods"]["rule"]["stages"]
    print("rule synapses per task: " + "; ".join(
        f"{s['task']}: {s['synapses_changed']:,} changed, {s['free_potential_synapses']:,} free" for s in rule))
    print(f"wall time {result['wall_time_s']:.0f} s; written: {', '.join(paths.values())}")
    return 0
