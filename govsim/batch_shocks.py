"""The shocks of a batch of replicates (govsim/replicates.py), stepped once for all replicates when
they can be, else per replicate.

In a seed sweep every replicate has the same shocks: the same specs, so the same kinds in the same
order with the same parameters. Their run-time objects then differ only in what ``begin`` works out
from the state (whom a cap hits), and the shocks work that out per row of a batch's stacked arrays
as they do for one run (``Shock.stacks``, govsim/shocks.py). So one set of shock objects, acting on
the stacked State and ForumSet, steps all replicates at once (:func:`shared_shocks`): no replicate's
objects are bound to its slice, and each replicate's values are those of its single run, bit for
bit. Otherwise (different shocks, or a kind not written for stacked arrays), each replicate's own
shocks step on its slice (:class:`EachReplicate`'s per-replicate path). No shock draws random
numbers, so sharing them leaves every replicate's stream as in its single run.
"""

from __future__ import annotations

import copy

import numpy as np

from govsim.forums import ForumSet
from govsim.shocks import Shock, written
from govsim.state import Policy, State

#: The policy's scalars (``sanction_forum``, ``diffusion_mult``, ``open_cut``): a shock that sets one in a
#: batch sets it as an (R, 1) column, as when each replicate's shocks set it (``replicates.Replica.unbind``).
POLICY_SCALARS = tuple(name for name, value in vars(Policy.neutral(1, 1)).items() if not isinstance(value, np.ndarray))


class EachReplicate:
    """The shocks of a batch, as one shock for :func:`govsim.shocks.apply_shocks`.

    ``shared``: the one set of shock objects stepping the stacked arrays (:func:`shared_shocks`), or
    ``None``: every replicate's own shocks step on its slice, then the forum harmonisations they set
    are gathered for the batch.
    """

    def __init__(self, batch):
        self.batch = batch
        self.writes = written([shock for replica in batch.replicas for shock in replica.shocks])  # Shock.writes
        self.shared = shared_shocks(batch)

    def step(self, state: State, period: int) -> None:
        b = self.batch
        if self.shared is not None:
            shared_step(self.shared, state, b.forums, period, len(b.replicas))
            return
        for replica in b.replicas:
            if any(_may_act(shock, period) for shock in replica.shocks):
                replica.bind(state, b.forums)
                for shock in replica.shocks:
                    shock.step(replica.state, period)
                b.forums.harmonise.extend(((replica.r, ks), rho) for ks, rho in replica.forums.harmonise)
                replica.unbind()


def shared_shocks(batch) -> list | None:
    """One set of shock objects for all of ``batch``'s replicates, acting on its stacked ForumSet, if
    every replicate has the same shocks (the scenarios' shock specs equal, in the same order; the
    forum launches come with the forums, the same in a batch) and every kind is written for stacked
    arrays (``stacks``); else ``None``. The objects are copies of the first replicate's, fresh from
    setup (``preview`` changes none of them), pointed at the stacked forums."""
    specs = [list(scenario.shocks.items()) for scenario in batch.scenarios]
    if any(spec != specs[0] for spec in specs[1:]):
        return None
    kinds = [[(type(shock), getattr(shock, "name", "")) for shock in replica.shocks] for replica in batch.replicas]
    if any(kind != kinds[0] for kind in kinds[1:]):
        return None
    first = batch.replicas[0].shocks
    if not all(getattr(shock, "stacks", False) for shock in first):
        return None
    shared = []
    for shock in first:
        mine = copy.copy(shock)
        mine.forums = batch.forums
        shared.append(mine)
    return shared


def shared_step(shocks: list, state: State, forums: ForumSet, period: int, replicates: int) -> None:
    """Step ``shocks`` once on the stacked ``state`` and ``forums``. A policy scalar they change
    becomes an (R, 1) column (the kernel reads a batch's set scalars so), and a forum harmonisation
    they set applies to each replicate's row (``ForumSet.update`` harmonises the rows of ``(r, forums)`` pairs)."""
    harmonise, policy = forums.harmonise, state.policy
    before, scalars = len(harmonise), [getattr(policy, name) for name in POLICY_SCALARS]
    for shock in shocks:
        shock.step(state, period)
    for name, was in zip(POLICY_SCALARS, scalars):
        now = getattr(policy, name)
        if not isinstance(now, np.ndarray) and now != was:
            setattr(policy, name, np.full((replicates, 1), now, dtype=np.asarray(was).dtype))
    if len(harmonise) > before:
        added = harmonise[before:]
        del harmonise[before:]
        harmonise.extend(((r, ks), rho) for r in range(replicates) for ks, rho in added)


def _may_act(shock, period: int) -> bool:
    """False only for a shock whose ``step`` does nothing in ``period`` (a plain Shock not in force)."""
    return not isinstance(shock, Shock) or type(shock).step is not Shock.step or shock.in_force(period)
