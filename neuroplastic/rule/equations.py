"""The rule as Brian2 equations: the single written-down form, read by both Brian2 forms.

Every constant is a Brian2 equation or code string with units. The
``rate`` constants execute one presentation per time step and are held
against the vectorized engine (:mod:`neuroplastic.rule.updates`, same
symbols); the ``spiking`` constants are the same rule with spikes, traces
and membrane potentials in ms, mV and Hz. Names that appear without a
definition (``images``, ``image_index``, ``plastic``, ``gamma`` ...) are
supplied by the builders in :mod:`neuroplastic.engines.brian2` through
the network namespace.

Symbols: x_i presynaptic activity (pixel intensity in [0, 1]); w_ij
efficacy; src, birth: input and birth time of a rate-form synapse (one per
slot of a unit, ``birth = -1`` for an empty slot); nonsilent_ij 1 if a
potential synapse of the spiking form exists; b_j homeostatic (conscience)
bias; count_j win count.
"""

__all__ = [
    "RATE_HIDDEN", "RATE_COMPETITION", "RATE_SYNAPSES", "RATE_DENDRITE", "RATE_SIBLINGS", "RATE_LATERAL",
    "RATE_SCORE", "RATE_DRAW", "RATE_GROW_DECISION", "RATE_MERIT", "RATE_INSTAR", "RATE_COUNT", "RATE_REGROW_EVENT", "RATE_REGROW",
    "RATE_HOMEOSTASIS", "REWIRE",
    "READOUT_HIDDEN", "READOUT_OUTPUT", "READOUT_CRITIC", "READOUT_SIGNAL", "READOUT_SYNAPSE", "READOUT_CRITIC_SYNAPSE",
    "READOUT_NOISE", "READOUT_ELIGIBILITY", "READOUT_APPLY", "READOUT_BIAS",
    "SPIKING_INPUT", "SPIKING_INPUT_THRESHOLD", "SPIKING_INPUT_RESET", "SPIKING_HIDDEN", "SPIKING_HIDDEN_THRESHOLD",
    "SPIKING_HIDDEN_RESET", "SPIKING_SYNAPSE", "SPIKING_ON_PRE", "SPIKING_ON_POST", "SPIKING_INHIBITION",
]

# --------------------------------------------------------------------------
# Rate form: one presentation per time step.
# --------------------------------------------------------------------------

RATE_HIDDEN = """
wx : 1                               # dendritic sum w_j . x over the unit's synapses (summed by its dendrite)
w2 : 1                               # squared efficacy norm ||w_j||^2: the unit's own bias (summed by its dendrite)
score : 1                            # squared distance to the input minus ||x||^2, plus the conscience bias
conscience : 1                       # homeostatic bias b_j = gamma (n_hidden r_j - 1): frequent winners are handicapped
win_rate : 1                         # running win rate r_j (target activity 1 / n_hidden)
count : 1                            # number of wins; the unit's learning rate is 1 / count (online k-means)
n_better : 1 (linked)                # how many rivals are nearer the input (from the competition pool)
winner = int(n_better == 0) : 1      # post activity: 1 for the single winner of the competition, else 0
cand1 : integer                      # growth candidates: inputs drawn uniformly among those above threshold ...
cand2 : integer                      # ... (rejection sampling: the first one the unit does not hold is taken)
cand3 : integer                      # third candidate
cand4 : integer                      # fourth candidate
held1 : 1                            # 1 if the unit already holds a synapse at cand1 (summed by its dendrite)
held2 : 1                            # same for cand2
held3 : 1                            # same for cand3
held4 : 1                            # same for cand4
grow : 1                             # 1 if the unit grows a synapse at this presentation
chosen : integer                     # the input it grows at
"""

RATE_COMPETITION = """
n_better : 1                         # rivals nearer the input than unit j (ties go to the lower index)
own_score : 1 (linked)               # unit j's own score, read from the hidden layer
"""

# The synapses of the hidden layer: one element per slot of a unit (n_hidden x max_synapses_per_unit of them,
# sparse from birth). A synapse reads the activity of input `src`, so it moves to another input by changing
# `src`, `w` and `birth`. They form a group of their own so that a unit's synapses can compare themselves
# pairwise (RATE_SIBLINGS) to find the weakest one.
RATE_SYNAPSES = """
unit : integer (constant)            # the hidden unit that owns the synapse
src : integer                        # presynaptic input (meaningless in an empty slot)
birth : integer                      # presentation at which the synapse grew; -1: an empty slot
w : 1                                # synaptic efficacy; 0 in an empty slot
x = images(image_index(t) * image_dt, src) : 1   # presynaptic activity: intensity of input src in the image shown now
alive = int(birth >= 0) : 1          # 1 if the slot holds a synapse
n_better_unit : 1 (linked)           # the owner's rivals nearer the input (0: the owner wins)
count_unit : 1 (linked)              # the owner's win count
grow_unit : 1 (linked)               # 1 if the owner grows a synapse at this presentation
chosen_unit : integer (linked)       # the input the owner grows at
w_next = clip(w + int(n_better_unit == 0) * alive * (x - w) / (count_unit + 1), 0, inf) : 1  # after the instar
merit : 1                            # what the synapse is worth to its unit after the instar (RATE_MERIT)
n_weaker : 1                         # synapses of the same unit worth less (summed over the siblings)
"""

RATE_DENDRITE = """
wx_post = w_pre * x_pre : 1 (summed)                                 # dendritic summation of the synaptic drive
w2_post = w_pre * w_pre : 1 (summed)                                 # the unit's squared weight norm
held1_post = alive_pre * int(src_pre == cand1_post) : 1 (summed)     # does the unit hold cand1 already?
held2_post = alive_pre * int(src_pre == cand2_post) : 1 (summed)     # cand2
held3_post = alive_pre * int(src_pre == cand3_post) : 1 (summed)     # cand3
held4_post = alive_pre * int(src_pre == cand4_post) : 1 (summed)     # cand4
"""  # one connection per synapse into its unit's dendrite

RATE_SIBLINGS = """
n_weaker_post = int(merit_pre < merit_post) + int(merit_pre == merit_post) * int(i < j) : 1 (summed)
"""  # pairwise comparison among one unit's synapses: the weakest has n_weaker = 0 (ties: the lower slot)

RATE_LATERAL = """
n_better_post = int(score_pre < own_score_post) + int(score_pre == own_score_post) * int(i < j) : 1 (summed)
"""  # lateral comparison: counts the rivals with a better (lower) score -- a winner-take-all circuit

RATE_SCORE = "score = w2 - 2 * wx + conscience"   # ||x - w_j||^2 - ||x||^2 + b_j (||x||^2 is common to all units)

RATE_DRAW = (  # four inputs drawn uniformly among the n_active inputs above the growth threshold in the image
    "cand1 = int(active_inputs(image_index(t) * image_dt, int(rand() * n_active(image_index(t) * image_dt))))\n"
    "cand2 = int(active_inputs(image_index(t) * image_dt, int(rand() * n_active(image_index(t) * image_dt))))\n"
    "cand3 = int(active_inputs(image_index(t) * image_dt, int(rand() * n_active(image_index(t) * image_dt))))\n"
    "cand4 = int(active_inputs(image_index(t) * image_dt, int(rand() * n_active(image_index(t) * image_dt))))"
)

RATE_GROW_DECISION = (  # the winner grows with probability p_grow, at the first candidate it does not hold
    "free1 = int(held1 == 0)\n"
    "free2 = int(held2 == 0)\n"
    "free3 = int(held3 == 0)\n"
    "free4 = int(held4 == 0)\n"
    "chosen = free1 * cand1 + (1 - free1) * (free2 * cand2 + (1 - free2) * (free3 * cand3 + (1 - free3) * cand4))\n"
    "grow = winner * int(rand() < p_grow) * int(n_active(image_index(t) * image_dt) > 0)"
    " * (1 - (1 - free1) * (1 - free2) * (1 - free3) * (1 - free4))"
)

RATE_MERIT = "merit = alive * w_next - (1 - alive)"   # worth after this presentation's instar; -1: an empty slot

RATE_INSTAR = "w = w_next"   # instar: the winner's existing synapses move towards the input, rate 1/count; clipped at 0

RATE_COUNT = "count += winner"                     # the winner counts its win (after its instar)

RATE_REGROW_EVENT = "grow_unit > 0.5 and n_weaker < 0.5"   # the weakest synapse (or first empty slot) of a growing unit

RATE_REGROW = (  # growth: the slot moves to the chosen input, efficacy w_grow * x_i, born after this presentation
    "src = chosen_unit\n"
    "w = w_grow * images(image_index(t) * image_dt, chosen_unit)\n"
    "birth = t0 + timestep(t, dt) + 1"
)

RATE_HOMEOSTASIS = (  # conscience: running win rate over tau_h presentations, bias proportional to its excess
    "win_rate += (winner - win_rate) / tau_h * int(gamma > 0)\n"
    "conscience = gamma * (N * win_rate - 1) * int(gamma > 0)"
)

# --------------------------------------------------------------------------
# Output layer: three-factor node-perturbation rule (rate form; several noise trials per presentation).
# --------------------------------------------------------------------------

READOUT_HIDDEN = """
h = features(image_index(t) * image_dt, i) : 1   # presynaptic activity: standardised hidden activity of the image
"""

READOUT_OUTPUT = """
u : 1                                # output potential sum_j V_jc h_j (summed by the synapses)
b : 1                                # output bias
noise : 1                             # node perturbation: Gaussian noise on the potential for this trial
eb : 1                               # eligibility of the bias
target = int(labels(image_index(t) * image_dt) == i) : 1   # teacher: 1 for the labelled class
dL : 1 (linked)                      # global learning signal (from the critic)
signal = dL : 1                      # the learning signal as the unit's synapses see it
"""

READOUT_CRITIC = """
z_plus : 1                           # sum_c exp(u_c + b_c + xi_c): softmax normaliser under +noise
z_minus : 1                          # same under -noise
u_plus : 1                           # potential of the labelled class under +noise
u_minus : 1                          # same under -noise
z_clean : 1                          # clean normaliser (loss and accuracy bookkeeping)
u_clean : 1                          # clean potential of the labelled class
dL : 1                               # loss change under the perturbation: the global third factor
"""

READOUT_SIGNAL = (  # cross-entropy change between +noise and -noise (antithetic) or against the clean potential
    "dL = antithetic * 0.5 * ((log(z_plus) - u_plus) - (log(z_minus) - u_minus))"
    " + (1 - antithetic) * ((log(z_plus) - u_plus) - (log(z_clean) - u_clean))"
)

READOUT_SYNAPSE = """
V : 1                                # readout efficacy
elig : 1                             # eligibility: accumulated (learning signal x noise x presynaptic activity)
u_post = V * h_pre : 1 (summed)      # output potential
"""

READOUT_CRITIC_SYNAPSE = """
z_plus_post = exp(u_pre + b_pre + noise_pre) : 1 (summed)
z_minus_post = exp(u_pre + b_pre - noise_pre) : 1 (summed)
u_plus_post = target_pre * (u_pre + b_pre + noise_pre) : 1 (summed)
u_minus_post = target_pre * (u_pre + b_pre - noise_pre) : 1 (summed)
z_clean_post = exp(u_pre + b_pre) : 1 (summed)
u_clean_post = target_pre * (u_pre + b_pre) : 1 (summed)
"""

READOUT_NOISE = "noise = sigma * randn()"                     # a fresh perturbation every trial

# three factors: global learning signal x local noise x presynaptic activity
READOUT_ELIGIBILITY = "elig += signal_post * noise_post * h_pre"

READOUT_APPLY = (  # at a presentation's last trial: dV = -eta / (K sigma^2) * eligibility
    "V += -apply(t) * eta(t) / (K * sigma**2) * elig\n"
    "elig *= 1 - apply(t)"
)

READOUT_BIAS = (
    "eb += dL * noise\n"
    "b += -apply(t) * eta(t) / (K * sigma**2) * eb\n"
    "eb *= 1 - apply(t)"
)

# --------------------------------------------------------------------------
# Spiking form (training): Poisson inputs, LIF hidden units with an adaptive threshold,
# lateral inhibition, instar plasticity from a presynaptic trace.
# --------------------------------------------------------------------------

SPIKING_INPUT = """
rate = f_max * images(image_index(t) * image_dt, i) * stimulus_on(t) : Hz   # Poisson rate from pixel intensity
dxpre/dt = -xpre / tau_pre : 1        # presynaptic trace; its mean is the pixel intensity x_i
"""

SPIKING_INPUT_THRESHOLD = "rand() < rate * dt"                 # Poisson spike generation
SPIKING_INPUT_RESET = "xpre += 1 / (f_max * tau_pre)"          # trace jump normalised so that <xpre> = x

SPIKING_HIDDEN = """
dv/dt = (v_rest + I_0 - v + ge - gi - gain * w2 / 2) / tau_m : volt (unless refractory)  # membrane; -w2/2: bias
dge/dt = -ge / tau_e : volt           # excitatory synaptic drive, mean gain * w_j . x
dgi/dt = -gi / tau_i : volt           # lateral inhibition from rivals' spikes
dtheta/dt = -theta / tau_theta : volt # adaptive threshold (homeostasis: frequent spikers become harder to fire)
w2 : 1                                # squared weight norm ||w_j||^2, kept up to date at every weight change
count : 1                             # spikes so far; learning rate 1 / count (online k-means)
"""

SPIKING_HIDDEN_THRESHOLD = "v > v_thresh + theta"
SPIKING_HIDDEN_RESET = "v = v_reset; theta += theta_plus * plastic(t); count += plastic(t)"

SPIKING_SYNAPSE = """
w : 1                                 # synaptic efficacy; 0 at a silent synapse
nonsilent : 1                         # 1: consolidated synapse, 0: silent potential site
grown : 1                             # 1 if grown at the last rewiring event
eliminated : 1                        # 1 if eliminated at the last rewiring event
"""

SPIKING_ON_PRE = "ge_post += gain / (f_max * tau_e) * w * nonsilent"   # PSP: integrates to gain * w per unit intensity
SPIKING_ON_POST = (  # instar at each post spike: move towards the presynaptic trace (Hebbian term - weight decay)
    "w_new = clip(w + plastic(t) * nonsilent * (xpre_pre - w) / count_post, 0, inf)\n"
    "w2_post += nonsilent * (w_new * w_new - w * w)\n"   # keep the unit's squared norm up to date
    "w = w_new"
)

SPIKING_INHIBITION = "gi_post += w_inh"   # lateral inhibition: each spike inhibits every rival

# Rewiring event of the spiking form (dense potential pool with a nonsilent flag; a run_regularly operation on
# the synapses every `period` presentations): eliminate non-silent synapses at zero or below the threshold, then
# grow silent sites with probability p_grow.
REWIRE = """
event = int(t > 0*second)
keep = int(nonsilent > 0.5 and w > 0 and w >= w_elim)
grow_here = int(nonsilent < 0.5 and rand() < p_grow)
eliminated = event * int(nonsilent > 0.5) * (1 - keep)
grown = event * grow_here
w = (1 - event) * w + event * (w * keep + w_grow * grow_here)
nonsilent = (1 - event) * nonsilent + event * (keep + grow_here)
"""
