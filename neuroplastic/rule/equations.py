"""The rule as Brian2 equations: the single written-down form, read by both Brian2 forms.

Every constant is a Brian2 equation or code string with units. The
``rate`` constants execute one presentation per time step and are held
against the vectorized engine (:mod:`neuroplastic.rule.updates`, same
symbols); the ``spiking`` constants are the same rule on the same slots
with transmitter releases, spikes and membrane potentials in ms and mV.
Names that appear without a definition (``images``, ``image_index``,
``gamma`` ...) are
supplied by the builders in :mod:`neuroplastic.engines.brian2` through
the network namespace.

Symbols: x_i presynaptic activity (pixel intensity in [0, 1]); w_ij
efficacy; src, birth: input and birth time of a synapse (one per slot of a
unit, ``birth = -1`` for an empty slot); b_j homeostatic (conscience)
bias; count_j win count (spike count in the spiking form).
"""

__all__ = [
    "GROWTH_VARIABLES", "RATE_HIDDEN", "RATE_COMPETITION", "RATE_SYNAPSES", "RATE_DENDRITE", "RATE_SIBLINGS", "RATE_LATERAL",
    "RATE_SCORE", "RATE_DRAW", "RATE_GROW_DECISION", "RATE_MERIT", "RATE_INSTAR", "RATE_COUNT", "RATE_REGROW_EVENT", "RATE_REGROW",
    "RATE_ELIMINATE_EVENT", "RATE_ELIMINATE", "RATE_HOMEOSTASIS",
    "READOUT_HIDDEN", "READOUT_OUTPUT", "READOUT_CRITIC", "READOUT_SIGNAL", "READOUT_SYNAPSE", "READOUT_CRITIC_SYNAPSE",
    "READOUT_ELIGIBILITY", "READOUT_APPLY", "READOUT_BIAS",
    "SPIKING_SYNAPSES", "SPIKING_RELEASE", "SPIKING_ON_RELEASE", "SPIKING_HIDDEN", "SPIKING_HIDDEN_THRESHOLD",
    "SPIKING_INTERNEURON", "SPIKING_TO_INTERNEURON", "SPIKING_DENDRITE", "SPIKING_ON_TRANSMIT",
    "SPIKING_ON_POST", "SPIKING_WINNER", "SPIKING_INSTAR", "SPIKING_COMPARE_EVENT", "SPIKING_HELD", "SPIKING_SIBLINGS",
    "SPIKING_DECIDE_EVENT", "SPIKING_NEW_IMAGE", "SPIKING_NEW_IMAGE_SYNAPSES",
    "SPIKING_NEW_IMAGE_INTERNEURON", "SPIKING_DRAW", "SPIKING_GROW_DECISION", "SPIKING_REGROW_EVENT", "SPIKING_REGROW",
    "SPIKING_ELIMINATE_EVENT", "SPIKING_ELIMINATE", "SPIKING_SNAPSHOT_EVENT", "SPIKING_HOMEOSTASIS",
]

# --------------------------------------------------------------------------
# Rate form: one presentation per time step.
# --------------------------------------------------------------------------

# The growth bookkeeping of a hidden unit, the same in both forms: four candidate inputs drawn uniformly among
# those above the growth threshold in the image the unit won, whether the unit already holds each, and the choice.
GROWTH_VARIABLES = """
cand1 : integer                      # growth candidates: inputs drawn uniformly among those above threshold ...
cand2 : integer                      # ... (rejection sampling: the first one the unit does not hold is taken)
cand3 : integer                      # third candidate
cand4 : integer                      # fourth candidate
held1 : 1                            # 1 if the unit already holds a synapse at cand1 (told by its own synapses)
held2 : 1                            # same for cand2
held3 : 1                            # same for cand3
held4 : 1                            # same for cand4
grow : 1                             # 1 if the unit grows a synapse now
chosen : integer                     # the input it grows at
"""

RATE_HIDDEN = """
wx : 1                               # dendritic sum w_j . x over the unit's synapses (summed by its dendrite)
w2 : 1                               # squared efficacy norm ||w_j||^2: the unit's own bias (summed by its dendrite)
score : 1                            # squared distance to the input minus ||x||^2, plus the conscience bias
conscience : 1                       # homeostatic bias b_j = gamma (n_hidden r_j - 1): frequent winners are handicapped
win_rate : 1                         # running win rate r_j (target activity 1 / n_hidden)
count : 1                            # number of wins; the unit's learning rate is 1 / count (online k-means)
n_better : 1 (linked)                # how many rivals are nearer the input (from the competition pool)
winner = int(n_better == 0) : 1      # post activity: 1 for the single winner of the competition, else 0
""" + GROWTH_VARIABLES

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
rewire_step : integer (shared)       # the time step whose end holds a rewiring event (-1: none in this run)
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

# worth after this presentation's instar, per unit of upkeep (activity_cost: the input's mean rate to a power,
# 1 when it is 0); -1: an empty slot
RATE_MERIT = "merit = alive * w_next / upkeep(0*ms, src) - (1 - alive)"

RATE_INSTAR = "w = w_next"   # instar: the winner's existing synapses move towards the input, rate 1/count; clipped at 0

RATE_COUNT = "count += winner"                     # the winner counts its win (after its instar)

RATE_REGROW_EVENT = "grow_unit > 0.5 and n_weaker < 0.5"   # the weakest synapse (or first empty slot) of a growing unit

RATE_REGROW = (  # growth: the slot moves to the chosen input, efficacy w_grow * x_i, born after this presentation
    "src = chosen_unit\n"
    "w = w_grow * images(image_index(t) * image_dt, chosen_unit)\n"
    "birth = t0 + timestep(t, dt) + 1"
)

# threshold elimination at a rewiring event: checked at the end of the event's presentation, after its instar and growth
RATE_ELIMINATE_EVENT = "timestep(t, dt) == rewire_step and alive > 0.5 and (w < w_elim or w <= 0)"
RATE_ELIMINATE = "w = 0\nbirth = -1"

RATE_HOMEOSTASIS = (  # conscience: running win rate over tau_h presentations, bias proportional to its excess
    "win_rate += (winner - win_rate) / tau_h * int(gamma > 0)\n"
    "conscience = gamma * (N * win_rate - 1) * int(gamma > 0)"
)

# --------------------------------------------------------------------------
# Output layer: three-factor node-perturbation rule (rate form). One time step is one noise trial of one
# presentation; the trials of a batch accumulate, and the batch's last step applies the update. The pool holds
# every potential output synapse (n_hidden x n_classes); ``alive`` marks the ones that exist (the output budget).
# --------------------------------------------------------------------------

READOUT_HIDDEN = """
h = features(t, i) : 1               # presynaptic activity: standardised hidden activity of the presentation
"""

READOUT_OUTPUT = """
u : 1                                # output potential sum_j V_jc h_j (summed by the synapses)
b : 1                                # output bias
noise = perturbation(t, i) : 1       # node perturbation xi_c of this trial (drawn by the caller's generator)
eb : 1                               # the bias's accumulated learning signal (this batch)
target = int(labels(t) == i) : 1     # teacher: 1 for the labelled class
dL : 1 (linked)                      # global learning signal (from the critic)
signal = dL : 1                      # the learning signal as the unit's synapses see it
"""

READOUT_CRITIC = """
z_plus : 1                           # sum_c exp(u_c + b_c + xi_c): softmax normaliser under +noise
z_minus : 1                          # same under -noise
u_plus : 1                           # potential of the labelled class under +noise
u_minus : 1                          # same under -noise
z_clean : 1                          # clean normaliser
u_clean : 1                          # clean potential of the labelled class
dL : 1                               # loss change under the perturbation: the global third factor
"""

READOUT_SIGNAL = (  # cross-entropy change between +noise and -noise (antithetic) or against the clean potential
    "dL = antithetic * 0.5 * ((log(z_plus) - u_plus) - (log(z_minus) - u_minus))"
    " + (1 - antithetic) * ((log(z_plus) - u_plus) - (log(z_clean) - u_clean))"
)

READOUT_SYNAPSE = """
V : 1                                # readout efficacy (0 where no synapse exists)
alive : 1 (constant)                 # 1 where the synapse exists (the output budget), 0 for a silent site
acc : 1                              # this batch's accumulated learning signal x noise x presynaptic activity
elig : 1                             # eligibility trace of the site (existing or silent): mean update per unit rate
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

# three factors: global learning signal x local noise x presynaptic activity
READOUT_ELIGIBILITY = "acc += signal_post * noise_post * h_pre"

READOUT_APPLY = (  # at a batch's last trial: dV = -eta / (B K sigma^2) * acc on existing synapses; the trace of every site
    "elig += apply(t) * trace_rate(t) * (-scale(t) * acc - elig)\n"
    "V += -apply(t) * eta(t) * scale(t) * acc * alive\n"
    "acc *= 1 - apply(t)"
)

READOUT_BIAS = (
    "eb += dL * noise\n"
    "b += -apply(t) * eta(t) * scale(t) * eb\n"
    "eb *= 1 - apply(t)"
)

# --------------------------------------------------------------------------
# Spiking form (training): the same slots as the rate form, stochastic release at each synapse, LIF units that
# integrate minus half their score, a falling threshold with a shunting interneuron (first to fire wins), the
# instar at the winner's spike from its synapses' release counts. Growth, homeostasis and elimination run at the
# image boundaries (the first time step of the next image), in the network. Times in ms, potentials in mV.
# --------------------------------------------------------------------------

SPIKING_SYNAPSES = """
unit : integer (constant)            # the hidden unit that owns the synapse
src : integer                        # presynaptic input
birth : integer                      # presentation at which the synapse grew; -1: an empty slot
w : 1                                # synaptic efficacy; 0 in an empty slot
alive = int(birth >= 0) : 1          # 1 if the slot holds a synapse
x : 1                                # intensity of input src in the image shown now (set when the image appears)
releases : 1                         # transmitter releases since the image appeared
xhat : 1                             # release-count estimate of x_src, taken when the unit fired
won_unit : 1 (linked)                # 1 if the owner won the image that ended
count_unit : 1 (linked)              # the owner's win count
merit = alive * w / upkeep(0*ms, src) - (1 - alive) : 1  # worth to its unit per unit of upkeep; -1: empty slot
n_weaker : 1                         # synapses of the same unit worth less (summed over the siblings)
grow_unit : 1 (linked)               # 1 if the owner grows a synapse at this image boundary
chosen_unit : integer (linked)       # the input it grows at
"""

SPIKING_RELEASE = "x > 0 and rand() < release_rate * x * dt"   # stochastic release, rate f x_src per synapse
SPIKING_ON_RELEASE = "releases += 1"

SPIKING_HIDDEN = """
dv/dt = (v_rest - v + ge - gain * (w2 + conscience) / 2) / tau_m : volt   # integrates minus half the score
dge/dt = -ge / tau_e : volt          # synaptic drive; its mean is gain * w_j . x
s = (timestep(t, dt) % steps) * dt : second   # time since the image appeared
theta = v_rest + theta_start - theta_fall * clip(s - t_decide, 0*ms, t_present) / (t_present - t_decide) : volt  # falls
w2 : 1                               # squared efficacy norm ||w_j||^2 (summed by the dendrite)
conscience : 1                       # homeostatic bias b_j = gamma (n_hidden r_j - 1), as in the rate form
win_rate : 1                         # running win rate r_j
wins : 1                             # images won so far; the instar's rate is 1 / wins
gate : 1 (linked)                    # 1 once a unit of the layer fired during this image (from the interneuron)
first : integer (linked)             # the image's winner, chosen by the interneuron (-1: none yet)
won : 1                              # post activity of the image that ended: 1 for its winner
""" + GROWTH_VARIABLES

SPIKING_HIDDEN_THRESHOLD = "v > theta and gate < 0.5"   # first to reach the falling threshold; shut once one fired

SPIKING_INTERNEURON = """
shut : 1                             # 1 once a hidden unit fired during this image: shunts every unit's spiking
closed_at : integer                  # time step at which it shut
first : integer                      # the winner: of the units that fired in that step, the one furthest past threshold
margin : volt                        # how far past threshold the winner was
"""

SPIKING_TO_INTERNEURON = (  # on a hidden spike; the gate closes for the next step, so only one step's spikes compete
    "same_step = int(shut_post < 0.5) + int(shut_post > 0.5) * int(closed_at_post == timestep(t, dt))\n"
    "better = same_step * int(v_pre - theta_pre > margin_post)\n"
    "first_post = better * i + (1 - better) * first_post\n"
    "margin_post = better * (v_pre - theta_pre) + (1 - better) * margin_post\n"
    "closed_at_post = int(shut_post < 0.5) * timestep(t, dt) + int(shut_post > 0.5) * closed_at_post\n"
    "shut_post = 1"
)

SPIKING_DENDRITE = """
w2_post = w_pre * w_pre : 1 (summed)
"""

# The winner's synapses, at the first step of the next image, tell their unit which candidates it holds (HELD)
# and each other how much they are worth (SIBLINGS): event-driven, so it costs nothing at the other steps.
SPIKING_COMPARE_EVENT = "timestep(t, dt) % steps == 0 and won_unit > 0.5"
SPIKING_HELD = (
    "held1_post += alive_pre * int(src_pre == cand1_post)\n"
    "held2_post += alive_pre * int(src_pre == cand2_post)\n"
    "held3_post += alive_pre * int(src_pre == cand3_post)\n"
    "held4_post += alive_pre * int(src_pre == cand4_post)"
)
SPIKING_SIBLINGS = "n_weaker_post += int(merit_pre < merit_post) + int(merit_pre == merit_post) * int(i < j)"

SPIKING_ON_TRANSMIT = "ge_post += gain / (release_rate * tau_e) * w_pre"   # a release: the drive's mean is gain w x
SPIKING_ON_POST = "xhat_pre = releases_pre / (release_rate * (s_post + dt))"   # at a unit's spike: x_src estimated

SPIKING_WINNER = (  # at the image boundary: the interneuron's choice; the growth bookkeeping starts afresh
    "won = int(i == first)\n"
    "held1 = 0\n"
    "held2 = 0\n"
    "held3 = 0\n"
    "held4 = 0\n"
    "grow = 0"
)

SPIKING_INSTAR = (  # the winner's instar, rate 1/count, towards the estimates taken at its spike
    "w = clip(w + won_unit * alive * (xhat - w) / (count_unit + 1), 0, inf)\n"
    "n_weaker = 0"
)

SPIKING_NEW_IMAGE = "v = v_rest; ge = 0*mV"   # hidden units, at the first step of every image
SPIKING_NEW_IMAGE_SYNAPSES = "releases = 0\nx = alive * images(image_index(t) * image_dt, src)"
SPIKING_NEW_IMAGE_INTERNEURON = "shut = 0\nfirst = -1\nmargin = -1*volt"   # at the end of the boundary step

SPIKING_DRAW = RATE_DRAW.replace("image_index(t)", "previous_image(t)")   # among the inputs of the image that ended

# the second step of an image: the winner of the one that ended decides to grow (a run_on_event on DECIDE_EVENT)
SPIKING_DECIDE_EVENT = "timestep(t, dt) % steps == 1 and won > 0.5"
SPIKING_GROW_DECISION = RATE_GROW_DECISION.replace("winner", "won").replace("image_index(t)", "previous_image(t)")

# the third step: its weakest synapse (or first empty slot) moves, and a due rewiring event eliminates
SPIKING_REGROW_EVENT = "timestep(t, dt) % steps == 2 and " + RATE_REGROW_EVENT

SPIKING_REGROW = (  # growth: the slot moves to the chosen input, efficacy w_grow * x_i, born after the image
    "src = chosen_unit\n"
    "w = w_grow * images(previous_image(t) * image_dt, chosen_unit)\n"
    "birth = t0 + timestep(t, dt) // steps\n"
    "x = images(image_index(t) * image_dt, src)"
)

SPIKING_ELIMINATE_EVENT = (  # threshold elimination at a rewiring event (not a slot that regrows at this boundary)
    "timestep(t, dt) % steps == 2 and rewire_due(t) > 0.5 and alive > 0.5 and (w < w_elim or w <= 0)"
    " and not (grow_unit > 0.5 and n_weaker < 0.5)"
)
SPIKING_ELIMINATE = "w = 0\nbirth = -1\nx = 0"

# the step after a rewiring event: every slot reports its state (an EventMonitor keeps the layer as the event left it)
SPIKING_SNAPSHOT_EVENT = "timestep(t, dt) % steps == 3 and rewire_due(t) > 0.5"

SPIKING_HOMEOSTASIS = (  # at every image boundary but the first: the win rate and conscience of the rate form
    "first = int(timestep(t, dt) == 0)\n"
    "win_rate += (1 - first) * (won - win_rate) / tau_h * int(gamma > 0)\n"
    "conscience = gamma * (N * win_rate - 1) * int(gamma > 0)\n"
    "wins += won"
)
