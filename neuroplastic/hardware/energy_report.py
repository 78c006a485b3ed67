"""Write the energy evaluation as JSON, a Markdown table and a bar chart."""

import io
from pathlib import Path

from ..atomic import atomic_write_bytes, atomic_write_json, atomic_write_text

__all__ = ["energy_markdown", "save_energy_report"]


def _fmt(value, digits=3):
    if value is None:
        return "-"
    return f"{value:.{digits}g}" if abs(value) < 1e4 else f"{value:,.0f}"


def energy_markdown(result):
    """The evaluation as Markdown: accuracy per network, then energy per network and profile."""
    lines = [f"# Energy per inference (main profile {result['profile']}, {result['steps']} steps, "
             f"{result['images']} {result.get('split', 'test')} images, {result['tag']})", "",
             f"Hidden neurons fire at most {result.get('hidden_rate', 1.0):g} and the inhibitory interneuron at most "
             f"{result.get('inhibition_rate', 1.0):g} spikes per step (the same for every network).", "",
             "| network | activation | synapses | engine acc | spiking acc | agreement | synaptic ops per inference "
             "| ops ratio to this model | counted by | mapping |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for net in result["networks"]:
        lines.append(f"| {net['name']} | {net['activation']} | {net['synapses']:,} | {net['engine_accuracy']:.2%} | "
                     f"{net['spiking_accuracy']:.2%} | {net['agreement']:.2%} | {_fmt(net.get('synaptic_ops'))} | "
                     f"{_fmt(net.get('synaptic_ops_ratio_to_this_model'))} | {net['backend']} | {net['mapping']} |")
    lines += ["", "Synaptic operations by path (mean per inference):", ""]
    for net in result["networks"]:
        if net.get("synaptic_ops_by_path"):
            lines.append(f"- {net['name']}: " + ", ".join(
                f"{path} {_fmt(value)}" for path, value in net["synaptic_ops_by_path"].items()))
    lines += ["", "NeuroBench metrics of the (non-spiking) network on the same images (Yik et al., Nature "
              "Communications 2025; per sample):", "",
              "| network | footprint (B) | CSR footprint (B) | connection sparsity | activation sparsity "
              "| Dense | Effective_MACs | Effective_ACs |", "|---|---|---|---|---|---|---|---|"]
    for net in result["networks"]:
        bench = net.get("neurobench")
        if bench:
            ops = bench["synaptic_operations"]
            lines.append(f"| {net['name']} | {bench['footprint_bytes']:,} | {bench['sparse_footprint_bytes']:,} | "
                         f"{bench['connection_sparsity']:.4f} | {bench['activation_sparsity']:.4f} | "
                         f"{_fmt(ops['Dense'])} | {_fmt(ops['Effective_MACs'])} | {_fmt(ops['Effective_ACs'])} |")
    lines += ["", "| network | profile | energy (uJ) | breakdown (uJ) | latency (us) | cores | synaptic ops or MACs |",
              "|---|---|---|---|---|---|---|"]
    for net in result["networks"]:
        for name, priced in net.get("priced", {}).items():
            if "error" in priced:
                lines.append(f"| {net['name']} | {name} | does not fit: {priced['error']} | | | | |")
                continue
            parts = ", ".join(f"{k} {_fmt(v)}" for k, v in priced["breakdown_uj"].items())
            ops = priced.get("events_per_inference", {}).get("synaptic_ops", priced.get("macs"))
            lines.append(f"| {net['name']} | {name} ({priced['kind']}) | {_fmt(priced['energy_uj'])} | {parts} | "
                         f"{_fmt(priced['latency_us'])} | {priced.get('cores', '-')} | {_fmt(ops)} |")
            dense = priced.get("dense_equivalent")
            if dense:
                parts = ", ".join(f"{k} {_fmt(v)}" for k, v in dense["breakdown_uj"].items())
                lines.append(f"| {net['name']} | {name} ({dense['kind']}) | {_fmt(dense['energy_uj'])} | {parts} | "
                             f"{_fmt(dense['latency_us'])} | - | {_fmt(dense['macs'])} |")
            measured = priced.get("measured")
            if measured:
                lines.append(f"| {net['name']} | {name} (measured: {_fmt(measured['seconds_per_image'] * 1e6)} us per "
                             f"image on {measured['threads']} thread x {_fmt(measured['power_w'])} W) | "
                             f"{_fmt(measured['energy_uj'])} | - | {_fmt(measured['latency_us'])} | - | - |")
    splits = [(net["name"], name, priced["splitting"]) for net in result["networks"]
              for name, priced in net.get("priced", {}).items() if (priced.get("splitting") or {}).get("compartments")]
    if splits:
        lines += ["", "Neurons split into partial-sum compartments (extra cost per inference, included above):", "",
                  "| network | profile | split neurons | compartments | extra messages | extra energy (uJ) |",
                  "|---|---|---|---|---|---|"]
        for net_name, name, split in splits:
            neurons = ", ".join(f"{layer} {count}" for layer, count in split["split_neurons"].items())
            lines.append(f"| {net_name} | {name} | {neurons} | {split['compartments']:,} | "
                         f"{_fmt(split['extra_messages'])} | {_fmt(split['extra_energy_uj'])} |")
    ranged = [net for net in result["networks"] if net.get("ranges")]
    if ranged:
        limits = ranged[0]["ranges"]["limits_weight_steps"]
        lines += ["", f"Fixed-point ranges, in weight steps: the largest input one neuron receives in one step "
                  f"(Loihi's neuron input is 16-bit: {limits['input_16_bit']:,}) and the largest potential (24-bit "
                  f"state: {limits['state_24_bit']:,.0f}; beyond it the potential is clipped, as Lava does):", "",
                  "| network | layer | images | largest input | within 16 bits | largest potential "
                  "| steps with a clipped potential |", "|---|---|---|---|---|---|---|"]
        for net in ranged:
            for layer, peak in net["ranges"]["layers"].items():
                lines.append(f"| {net['name']} | {layer} | {net['ranges']['images']} | "
                             f"{_fmt(peak['max_input_weight_steps'])} | "
                             f"{'yes' if peak['within_16_bit_input'] else 'no'} | "
                             f"{_fmt(peak['max_potential_weight_steps'])} | "
                             f"{peak['steps_with_a_clipped_potential']} |")
    counted = [(net["name"], name, priced["counters"]) for net in result["networks"]
               for name, priced in net.get("priced", {}).items() if priced.get("counters")]
    if counted:
        lines += ["", "Counter neurons: a squared activation on binary spikes (their own cost per inference, "
                  "included above; static energy apart):", "",
                  "| network | profile | counters | neuron updates | spikes | synaptic ops in and out | "
                  "energy (uJ) |", "|---|---|---|---|---|---|---|"]
        for net_name, name, cost in counted:
            lines.append(f"| {net_name} | {name} | {cost['neurons']:,} | {cost['neuron_updates']:,} | "
                         f"{_fmt(cost['spikes'])} | {_fmt(cost['synaptic_ops'])} | {_fmt(cost['energy_uj'])} |")
    placed = [(net["name"], name, priced["placement"]) for net in result["networks"]
              for name, priced in net.get("priced", {}).items() if priced.get("placement")]
    if placed:
        lines += ["", "Placement: fill order (the figures above) against neurons sorted by the median index of "
                  "their inputs, so that neurons reading the same inputs share a core:", "",
                  "| network | profile | placement | cores | hops | spike messages | latency (us) | energy (uJ) |",
                  "|---|---|---|---|---|---|---|---|"]
        for net_name, name, placement in placed:
            for order, row in placement.items():
                if "error" in row:
                    lines.append(f"| {net_name} | {name} | {order} | does not fit: {row['error']} | | | | |")
                    continue
                lines.append(f"| {net_name} | {name} | {order} | {row['cores']} | {_fmt(row['hops_per_inference'])} | "
                             f"{_fmt(row['messages_per_inference'])} | {_fmt(row['latency_us'])} | "
                             f"{_fmt(row['energy_uj'])} |")
    lines += _sanafe_lines(result)
    lines += ["", "Assumed (not published) profile fields:", ""]
    for name, info in result["profiles"].items():
        lines.append(f"- {name}: {', '.join(info['assumptions']) or 'none'}")
    return "\n".join(lines) + "\n"


def _sanafe_lines(result):
    """The SANA-FE cross-check table (or why it did not run)."""
    checks = [(net["name"], net["sanafe"]) for net in result["networks"] if net.get("sanafe")]
    skipped = (result.get("sanafe") or {}).get("skipped")
    if not checks:
        return ["", f"SANA-FE cross-check: not run ({skipped})."] if skipped and skipped != "not requested" else []
    lines = ["", "SANA-FE cross-check (Boyle et al., IEEE TCAD 2025): the same spiking network, weights and core "
             "placement simulated by SANA-FE, against our model on the same images (per inference; SANA-FE runs "
             "two more steps per image, for its one-step delay per layer):", "",
             "| network | architecture | images | SANA-FE energy (uJ) | SANA-FE breakdown (uJ) | SANA-FE latency (us) "
             "| our energy (uJ) | our breakdown (uJ) | our latency (us) | SANA-FE / ours | spike counts |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, check in checks:
        theirs = ", ".join(f"{k} {_fmt(v)}" for k, v in check["breakdown_uj"].items())
        ours = check["ours"]
        mine = ", ".join(f"{k} {_fmt(v)}" for k, v in ours["breakdown_uj"].items())
        same = "equal" if check["spike_mismatches"] == 0 else f"{check['spike_mismatches']:,} differ"
        lines.append(f"| {name} | {check['architecture']} | {check['images']} | {_fmt(check['energy_uj'])} | "
                     f"{theirs} | {_fmt(check['latency_us'])} | {_fmt(ours['energy_uj'])} | {mine} | {_fmt(ours['latency_us'])} | "
                     f"{_fmt(check['energy_ratio'])} | {same} |")
    return lines


def _bar_chart(result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    networks = result["networks"]
    profiles = list(result["profiles"])
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(profiles) * max(1, len(networks)) / 2), 4))
    width = 0.8 / max(1, len(networks))
    for i, net in enumerate(networks):
        values = [net["priced"].get(p, {}).get("energy_uj", float("nan")) for p in profiles]
        ax.bar([j + i * width for j in range(len(profiles))], values, width, label=net["name"])
    ax.set_xticks([j + width * (len(networks) - 1) / 2 for j in range(len(profiles))])
    ax.set_xticklabels(profiles)
    ax.set_yscale("log")
    ax.set_ylabel("energy per inference (uJ)")
    ax.set_title("Energy per inference by hardware profile")
    ax.legend(fontsize="small")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    plt.close(fig)
    return buffer.getvalue()


def save_energy_report(result, folder):
    """Write ``energy_<profile>.json``, ``.md`` and ``plots/energy_<profile>.png`` atomically
    (``energy_<profile>_validation`` for a run on the validation split).

    Returns
    -------
    dict
        Paths written, by kind.
    """
    folder = Path(folder)
    (folder / "plots").mkdir(parents=True, exist_ok=True)
    stem = f"energy_{result['profile']}" + ("_validation" if result.get("split") == "validation" else "")
    paths = {"json": folder / f"{stem}.json", "markdown": folder / f"{stem}.md",
             "plot": folder / "plots" / f"{stem}.png"}
    markdown, chart = energy_markdown(result), _bar_chart(result)  # both built before anything is written
    atomic_write_json(paths["json"], result)
    atomic_write_text(paths["markdown"], markdown)
    atomic_write_bytes(paths["plot"], chart)
    return paths
