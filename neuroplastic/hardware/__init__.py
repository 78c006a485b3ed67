"""Hardware: profiles, mapping onto cores, Lava build and run, and energy/latency.

- :mod:`.profiles` describes hardware (cited TOML files in ``hardware_profiles/``);
- :mod:`.linear_form` and :mod:`.rate_code` turn a trained network into an
  integer rate-coded spiking network (with a NumPy reference simulator);
  :mod:`.counters` realises its facilitating synapses with binary spikes;
- :mod:`.lava_net` builds and runs it in Lava (custom processes in
  :mod:`.lava_procs`);
- :mod:`.splitting` divides neurons too large for a core into partial-sum
  compartments, and :mod:`.mapping` places neurons and synapses on cores;
- :mod:`.events` counts synaptic operations, spikes and hops;
- :mod:`.energy` prices the counts; :mod:`.evaluate` ties these together;
- :mod:`.nir_export` writes the spiking network as a NIR graph and runs such graphs.

Lava is imported only when a network is run.
"""

from .profiles import HardwareProfile, available_profiles, load_profile

__all__ = ["HardwareProfile", "available_profiles", "load_profile"]
