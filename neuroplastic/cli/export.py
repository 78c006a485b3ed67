"""Write a trained network in a format other neuromorphic tools read.

``--format nir``: the rate-coded integrate-and-fire network that
``neuroplastic energy`` runs (same thresholds, weights quantised to the
profile's precision) as a NIR graph (Neuromorphic Intermediate
Representation, HDF5), read by Lava-DL, Norse, snnTorch, Sinabs, Rockpool
and SpiNNaker2 tools. See docs/hardware.md for the graph's nodes.
"""

from .options import add_data, add_json, add_rate_code, check_rate_code, print_json

NAME = "export"
HELP = "write the spiking network as a NIR graph"
EXAMPLE = ["neuroplastic export runs/mnist_sparse-seed0-20260101-120000 --format nir --out sparse.nir"]


def add_arguments(parser):
    parser.add_argument("run_folder", metavar="RUN", help="run folder (with network.npz) or a saved network .npz")
    parser.add_argument("--format", choices=("nir",), default="nir", help="output format (default nir)")
    parser.add_argument("--out", metavar="FILE", default=None,
                        help="file to write (default: network.nir in the run folder, or beside the .npz)")
    parser.add_argument("--profile", default="loihi2", help="hardware profile whose weight precision to use")
    add_rate_code(parser)
    add_data(parser)
    add_json(parser)


def run(args):
    from ..hardware.nir_export import export_nir

    check_rate_code(args)
    path, graph = export_nir(args.run_folder, args.out, profile=args.profile, steps=args.steps, data_dir=args.data,
                             hidden_rate=args.hidden_rate, inhibition_rate=args.inhibition_rate)
    if args.json:
        print_json({"file": str(path), "nodes": len(graph.nodes), "edges": len(graph.edges),
                    "steps_per_image": graph.metadata["steps_per_image"]})
        return 0
    print(f"wrote {path}: NIR graph of {len(graph.nodes)} nodes and {len(graph.edges)} edges "
          f"({graph.metadata['steps_per_image']} steps per image)")
    return 0
