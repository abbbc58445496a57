"""The hand-set weight of each comparison level: the weights without a trained model, and
the defaults of the levels a model cannot estimate (``learn.py``)."""

from __future__ import annotations

__all__ = ["WEIGHTS"]

# (field, level) -> log2 Bayes factor.
WEIGHTS: dict[tuple[str, str], float] = {
    ("email", "exact"): 12.0,
    ("email", "shared"): 2.0,
    ("email", "local_alias"): 7.0,
    ("email", "fuzzy"): 6.0,
    ("email", "different"): -2.0,
    ("email", "personal_vs_work"): 0.0,
    ("conversion", "exact"): 10.0,
    ("phone", "exact"): 8.0,
    ("phone", "shared"): 1.0,
    ("phone", "different"): -1.0,
    ("phone", "different_main"): -9.0,
    ("first_name", "exact"): 4.0,
    ("first_name", "nickname"): 3.5,
    ("first_name", "fuzzy"): 2.0,
    ("first_name", "initial"): 1.0,
    # Alike but past a typo (Jaro-Winkler >= 0.8: two slips, a name spelt by ear), or a
    # short name one edit off ("rui" / "ruy"): weak, learned like the others.
    ("first_name", "similar"): 0.5,
    ("first_name", "different"): -4.0,
    ("last_name", "exact"): 5.0,
    ("last_name", "fuzzy"): 3.0,
    ("last_name", "similar"): 1.0,
    ("last_name", "different"): -5.0,
    ("organisation", "exact"): 3.0,
    ("organisation", "fuzzy"): 2.0,
    ("organisation", "different"): -2.0,
    ("domain", "exact"): 8.0,
    ("domain", "different"): -4.0,
    ("name", "exact"): 6.0,
    ("name", "fuzzy"): 3.0,
    ("name", "abbreviation"): 3.0,
    ("name", "different"): -3.0,
    ("city", "exact"): 1.0,
    ("city", "different"): -6.0,
    ("city", "same"): 0.5,
    ("title", "exact"): 1.0,
    ("title", "other"): -1.0,
    ("team", "exact"): 1.0,
    ("team", "different"): -2.0,
    ("city", "other"): -3.0,
    # A suburb typed with a typo ("st james" / "st jmaes") says nothing either way.
    ("city", "similar"): 0.0,
    # Addresses (people): house number and street, postal code, state. Two records equal
    # in every name and address field score 9 + 4 + 2.5 + 0.5 + 0.5 = 16.5, above the person
    # threshold of 10; two people of one household (same surname and address, different
    # first names) score -4 + 5 + 7.5 = 8.5, below it. People at two different
    # organisations share an address only as their offices' district: it adds nothing.
    ("street", "exact"): 4.0,
    ("street", "fuzzy"): 3.0,
    ("street", "other_number"): -1.0,
    ("street", "different"): -2.0,
    ("postal_code", "exact"): 2.5,
    ("postal_code", "fuzzy"): 0.5,
    ("postal_code", "different"): -1.5,
    ("state", "exact"): 0.5,
    ("state", "abbreviation"): 0.0,
    ("state", "different"): -2.0,
    # A postal code agreeing where the street agrees too, a city or state where a street or
    # postal code does (learned models): what it adds is estimated at training
    # (``frequencies.implied_weights``).
    ("postal_code", "implied"): 0.0,
    ("city", "implied"): 0.0,
    ("state", "implied"): 0.0,
}
