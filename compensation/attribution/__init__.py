"""Marketing attribution: rule-based models over ordered touch paths (usable as crediting
strategies) and Markov / Shapley channel attribution as reports.

Markov and Shapley results are analytics only: they depend on every other path, are not
explainable per deal, and are never payable — plans cannot select them, and nothing in
:mod:`compensation.crediting` calls them.
"""

from __future__ import annotations

from compensation.attribution.markov import PathCount, markov_attribution, removal_effects
from compensation.attribution.models import (
    DecayFormula,
    Model,
    channel_credit,
    first_touch,
    fractions_to_shares,
    full_path,
    last_touch,
    linear,
    path_weights,
    time_decay,
    u_shaped,
    w_shaped,
)
from compensation.attribution.shapley import MAX_CHANNELS, shapley_attribution

__all__ = [
    "MAX_CHANNELS",
    "DecayFormula",
    "Model",
    "PathCount",
    "channel_credit",
    "first_touch",
    "fractions_to_shares",
    "full_path",
    "last_touch",
    "linear",
    "markov_attribution",
    "path_weights",
    "removal_effects",
    "shapley_attribution",
    "time_decay",
    "u_shaped",
    "w_shaped",
]
