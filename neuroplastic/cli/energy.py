"""Energy, latency and cores per inference of a trained network on neuromorphic and conventional hardware.

Builds the network in Lava (rate-coded LIF neurons, quantised weights),
counts spikes and synaptic operations on test images, places the network on
the cores of every hardware profile and prices the events. Writes
energy_<profile>.json and .md into the run folder and a bar chart into plots/.

On the loihi1 profile every network also runs on SANA-FE (the ``sanafe``
extra), an independent architecture simulator, on the first
``--sanafe-images`` images, and its energy and latency per inference are
reported beside ours.
"""

import sys

from tqdm import tqdm

from ..hardware.evaluate import SPLITS, default_backend, energy_for_run
from ..hardware.lava_net import LANES, check_lanes
from ..hardware.ranges import beyond_input
from .options import add_data, add_json, add_rate_code, check_rate_code, print_json

NAME = "energy"
HELP = "estimate energy and latency per inference on hardware profiles (Lava)"
EXAMPLE = ["neuroplastic energy runs/mnist_sparse-seed0-20260101-120000 --profile loihi2 --images 200",
           "neuroplastic energy RUN --profile loihi1 --sanafe-images 50",
           "neuroplastic energy RUN --backend numpy --compare OTHER_RUN --json"]

def add_arguments(parser):
    parser.add_argument("run_folder", metavar="RUN", help="run folder (with network.npz) or a saved network .npz")
    parser.add_argument("--profile", default="loihi2", help="main hardware profile: a bundled name or a .toml path")
    parser.add_argument("--images", type=int, default=1000, help="images to run (default 1000)")
    parser.add_argument("--split", choices=SPLITS, default="test",
                        help="run the first images of the test set, or of the run folder's validation split to "
                             "choose --steps and the rates without the test set (report: "
                             "energy_<profile>_validation) (default %(default)s)")
    add_rate_code(parser)
    parser.add_argument("--compare", action="append", default=[], metavar="OTHER",
                        help="another run folder or saved network to price the same way (repeatable)")
    add_data(parser, deprecated=("--data-dir",))
    parser.add_argument("--tag", choices=("fixed_pt", "floating_pt"), default="fixed_pt", help="Lava model tag")
    parser.add_argument("--lanes", type=int, default=LANES, metavar="N",
                        help="copies of the network Lava runs side by side, each on its own images: the same "
                             "spike counts in a fraction of the time (default %(default)s)")
    parser.add_argument("--backend", choices=("lava", "numpy"), default=None,
                        help="count spikes with Lava or the bit-identical NumPy simulator "
                             "(default: lava when installed, else numpy)")
    parser.add_argument("--sanafe-images", type=int, default=100, metavar="N",
                        help="on the loihi1 profile (or with --sanafe-arch), also run every network on SANA-FE for "
                             "the first N images and report its energy and latency beside ours; 0 skips it "
                             "(default %(default)s; about 0.2-1.5 s per image)")
    parser.add_argument("--sanafe-arch", default=None, metavar="YAML",
                        help="SANA-FE architecture file (default: SANA-FE's bundled Loihi file, on loihi1 only)")
    add_json(parser)


def _sanafe_images(args):
    """Images to run on SANA-FE: on loihi1, or on any profile when an architecture file is given."""
    if args.sanafe_images < 0:
        from ..errors import ConfigError

        raise ConfigError("--sanafe-images", f"must be 0 or more, got {args.sanafe_images}")
    wanted = args.sanafe_arch is not None or args.profile == "loihi1"
    return min(args.sanafe_images, args.images) if wanted else 0


def _print_sanafe(check):
    parts = ", ".join(f"{k} {v:.3g}" for k, v in check["breakdown_uj"].items())
    ours = check["ours"]
    mine = ", ".join(f"{k} {v:.3g}" for k, v in ours["breakdown_uj"].items())
    same = "same spikes" if check["spike_mismatches"] == 0 else f"{check['spike_mismatches']} spike counts differ"
    print(f"  {'SANA-FE':<11} {check['energy_uj']:10.3f} uJ  {check['latency_us']:10.2f} us  "
          f"({check['architecture']}, {check['images']} images; {parts}; {same})")
    print(f"  {'':<11} ours on the same images: {ours['energy_uj']:.3f} uJ, {ours['latency_us']:.2f} us ({mine}); "
          f"SANA-FE / ours {check['energy_ratio']:.3g}")


def agreement_hint(agreement, code, threshold=0.99):
    """A one-line hint when the spiking network disagrees with the trained one on too many images, else None.

    The energy estimate is then that of a less accurate network; a coarse
    rate code (few spikes per step or few steps) is the usual cause.
    ``code`` holds the ``steps``, ``hidden_rate`` and ``inhibition_rate`` used.
    """
    if agreement >= threshold:
        return None
    levers = [f"--{name.replace('_', '-')} {code[name]:g}" for name in ("hidden_rate", "inhibition_rate")
              if code[name] < 1]
    levers.append(f"--steps {code['steps']}")
    return (f"note: the spiking network predicts as the trained one on only {agreement:.1%} of the images, so this "
            f"estimate is for a less accurate network; a finer rate code agrees more (now {', '.join(levers)})")


def range_warning(ranges):
    """A one-line note when a layer's input per step exceeds the 16 bits of Loihi's neuron, else None."""
    if not ranges:
        return None
    beyond = beyond_input(ranges["layers"])
    if not beyond:
        return None
    limit = ranges["limits_weight_steps"]["input_16_bit"]
    peaks = ", ".join(f"{name} {value:,.0f}" for name, value in beyond.items())
    return (f"note: in one step a neuron receives more than the {limit:,} weight steps of Loihi's 16-bit input "
            f"({peaks}; first {ranges['images']} images); Lava's CPU model passes it whole, the chip would not; "
            "another --hidden-rate or --inhibition-rate changes the peaks")


def run(args):
    from ..analysis.neurobench import format_neurobench

    check_rate_code(args)
    check_lanes(args.lanes, name="--lanes")
    args.backend = args.backend or default_backend()
    bars = []  # the bar appears when the Lava run starts, after every check that can fail has passed

    def progress(done):
        if not bars:
            bars.append(tqdm(total=args.images, desc="lava", unit="img"))
        bars[0].update(done - bars[0].n)

    sanafe_images = _sanafe_images(args)

    sanafe_bars = {}

    def sanafe_progress(name, done):
        if name not in sanafe_bars:
            sanafe_bars[name] = tqdm(total=sanafe_images, desc=f"SANA-FE {name}", unit="img")
        sanafe_bars[name].update(done - sanafe_bars[name].n)

    try:
        result, paths = energy_for_run(
            args.run_folder, profile=args.profile, images=args.images, steps=args.steps, compare=args.compare,
            data_dir=args.data, tag=args.tag, backend=args.backend, lanes=args.lanes, split=args.split,
            hidden_rate=args.hidden_rate, inhibition_rate=args.inhibition_rate, progress=progress,
            sanafe_images=sanafe_images,
            sanafe_architecture=args.sanafe_arch or "loihi", sanafe_progress=sanafe_progress,
        )
    finally:
        for bar in bars + list(sanafe_bars.values()):
            bar.close()
    if "skipped" in result["sanafe"] and sanafe_images:
        print(f"SANA-FE: not run ({result['sanafe']['skipped']}); only our estimate is reported", file=sys.stderr)
    for net in result["networks"]:  # notes on standard error, also beside --json
        for note in (agreement_hint(net["agreement"], result), range_warning(net.get("ranges"))):
            if note:
                print(f"{net['name']}: {note}", file=sys.stderr)
    if args.json:
        print_json(result | {"files": paths})
        return 0
    for net in result["networks"]:
        ratio = net.get("synaptic_ops_ratio_to_this_model")
        print(f"{net['name']}: engine {net['engine_accuracy']:.2%}, spiking {net['spiking_accuracy']:.2%}, "
              f"agreement {net['agreement']:.2%} ({net['backend']}); {net['synaptic_ops']:,.0f} synaptic ops "
              f"per inference" + (f" ({ratio:.3g} x this model's)" if ratio is not None and net is not result["networks"][0]
                                  else ""))
        print("  " + format_neurobench(net["neurobench"]).replace("\n", "\n  "))
        for name, priced in net["priced"].items():
            if "error" in priced:
                print(f"  {name:<11} does not fit: {priced['error']}")
                continue
            ops = priced.get("events_per_inference", {}).get("synaptic_ops", priced.get("macs"))
            split = priced.get("splitting") or {}
            note = (f"  ({split['compartments']:,} partial-sum compartments, +{split['extra_energy_uj']:.3g} uJ)"
                    if split.get("compartments") else "")
            print(f"  {name:<11} {priced['energy_uj']:10.3f} uJ  {priced['latency_us']:10.2f} us  "
                  f"cores {priced.get('cores', '-'):>5}  ops {ops:,.0f}{note}")
            placements = [f"{order} {row['cores']} cores, {row['hops_per_inference']:,.0f} hops, "
                          f"{row['latency_us']:.0f} us" for order, row in (priced.get("placement") or {}).items()
                          if "cores" in row]
            if placements:
                print(f"  {'':<11} placement: " + "; ".join(placements))
            if name == result["profile"] and net.get("sanafe"):
                _print_sanafe(net["sanafe"])
            measured = priced.get("measured")
            if measured:
                print(f"  {name + ' (measured)':<11} {measured['energy_uj']:10.3f} uJ  "
                      f"{measured['latency_us']:10.2f} us  "
                      f"{measured['seconds_per_image'] * 1e6:.2f} us per image on this machine x "
                      f"{measured['power_w']:g} W")
    print(f"wrote {paths['json']}, {paths['markdown']}, {paths['plot']}")
    return 0
