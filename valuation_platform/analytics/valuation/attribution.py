"""Why a value moved: the change between two valuations split by input, with the interaction shown.

``attribute(fn, old, new, factors)`` evaluates ``fn`` (inputs dict -> ``(n,)`` array, e.g. value per share
or upside vs CMP) at the old inputs, the new inputs, and mixtures, vectorised over companies.

* ``one_at_a_time`` (default): factor k's contribution is ``fn(old with k's inputs new) - fn(old)``; the
  interaction is what the joint move adds beyond the sum of the single moves,
  ``total - sum_k contribution_k``. It is reported as its own line, never spread over the factors.
* ``shapley``: each factor's contribution is its Shapley value (average marginal effect over every order
  of switching factors from old to new); the contributions then carry the interaction and the
  interaction line is the floating-point residual (~1e-12).

Either way ``sum(contributions) + interaction == total`` exactly (the interaction is defined as the
remainder). Inputs that changed but belong to no named factor are collected in the factor ``other`` so
nothing is hidden in the residual. A factor whose inputs did not change contributes exactly 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import combinations
from math import factorial

import numpy as np

ONE_AT_A_TIME, SHAPLEY = "one_at_a_time", "shapley"
INTERACTION, OTHER, TOTAL = "interaction", "other", "total"


def _mix(old: Mapping, new: Mapping, fields: set[str]) -> dict:
    return {k: (new[k] if k in fields else old[k]) for k in old}


def _changed(old: Mapping, new: Mapping) -> set[str]:
    return {k for k in old if not np.array_equal(np.asarray(old[k]), np.asarray(new[k]), equal_nan=True)}


def attribute(fn: Callable[[Mapping], np.ndarray], old: Mapping[str, np.ndarray], new: Mapping[str, np.ndarray],
              factors: Mapping[str, Sequence[str]], method: str = ONE_AT_A_TIME) -> dict[str, np.ndarray]:
    """``{factor: contribution, ..., "other": ..., "interaction": ..., "total": ...}``, each ``(n,)``."""
    if set(old) != set(new):
        raise ValueError("old and new valuations must have the same inputs")
    named = {name: set(fields) for name, fields in factors.items()}
    unknown = set().union(*named.values()) - set(old) if named else set()
    if unknown:
        raise ValueError(f"factors name inputs the model does not have: {sorted(unknown)}")
    rest = _changed(old, new) - set().union(*named.values())
    if rest:
        named[OTHER] = rest
    base = np.asarray(fn(old), float)
    total = np.asarray(fn(new), float) - base
    if method == ONE_AT_A_TIME:
        out = {name: np.asarray(fn(_mix(old, new, fields)), float) - base for name, fields in named.items()}
    elif method == SHAPLEY:
        out = _shapley(fn, old, new, named, base)
    else:
        raise ValueError(f"unknown attribution method {method!r}")
    out[INTERACTION] = total - sum(out.values(), np.zeros_like(total))
    out[TOTAL] = total
    return out


def _shapley(fn: Callable, old: Mapping, new: Mapping, named: Mapping[str, set[str]],
             base: np.ndarray) -> dict[str, np.ndarray]:
    names = list(named)
    k = len(names)
    cache: dict[frozenset, np.ndarray] = {frozenset(): base}

    def at(coalition: frozenset) -> np.ndarray:
        if coalition not in cache:
            fields = set().union(*(named[n] for n in coalition))
            cache[coalition] = np.asarray(fn(_mix(old, new, fields)), float)
        return cache[coalition]

    out = {}
    for name in names:
        others = [n for n in names if n != name]
        acc = np.zeros_like(base)
        for size in range(k):
            weight = factorial(size) * factorial(k - size - 1) / factorial(k)
            for coalition in combinations(others, size):
                s = frozenset(coalition)
                acc = acc + weight * (at(s | {name}) - at(s))
        out[name] = acc
    return out
