"""Reproduce the paper's table: BP, constrained BP, pruned BP, SET and our rule at several hidden sizes
and seeds, with accuracy, I(X;Z), non-silent synapses and C_S (Markdown, CSV and JSON)."""

from .options import add_data, add_json, add_out, print_json

NAME = "compare"
HELP = "the paper's table: baselines and our rule, accuracy and bits per synapse"
EXAMPLE = ["neuroplastic compare --model models/paper_126.toml --hidden 10 30 100 200 --seeds 3 --out compare",
           "neuroplastic compare --model models/paper_126.toml --hidden 10 --seeds 1 --methods bp rule --json"]


def add_arguments(parser):
    parser.add_argument("--model", required=True, metavar="MODEL.toml", help="model definition (data and our rule)")
    parser.add_argument("--hidden", type=int, nargs="+", default=[10, 30, 100, 200], metavar="N",
                        help="hidden sizes (default 10 30 100 200)")
    parser.add_argument("--seeds", type=int, default=3, metavar="N", help="seeds per method and size (default 3)")
    parser.add_argument("--methods", nargs="+", default=None, metavar="M",
                        help="subset of bp constrained_bp pruned_bp set rule (default all)")
    parser.add_argument("--no-select", action="store_true",
                        help="use the baselines' default hyperparameters instead of choosing on the validation split")
    add_data(parser)
    add_out(parser, "folder for compare.json, .csv and .md", default="compare")
    add_json(parser)


def run(args):
    from ..config import load_model
    from ..experiments.compare import METHODS, compare, write_outputs

    model = load_model(args.model)
    result = compare(model, args.hidden, args.seeds, data_dir=args.data, methods=tuple(args.methods or METHODS),
                     select=not args.no_select)
    paths = write_outputs(result, args.out)
    if args.json:
        print_json(result | {"files": {k: str(v) for k, v in paths.items()}})
        return 0
    for row in result["table"]:
        print(f"h={row['hidden']:<4} {row['label']:<36} acc {100 * row['accuracy']:6.2f}%  "
              f"I(X;Z) {row['i_xz_bits']:7.2f} bits  non-silent {row['nonsilent_synapses']:>9,.0f}  "
              f"C_S {row['c_s']:.4g} (fixed prior) {row['c_s_marginal']:.4g} (fitted prior)")
    print(f"wall time {result['wall_time_s']:.0f} s; written: {', '.join(str(p) for p in paths.values())}")
    return 0
