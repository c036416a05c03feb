"""The shocks of a batch of replicates (govsim/replicates.py), stepped once for many replicates at a
time where they can be, else per replicate.

In a seed sweep every replicate has the same shocks: the same specs, so the same kinds in the same
order with the same parameters. Their run-time objects then differ only in what ``begin`` works out
from the state (whom a cap hits), and the shocks work that out per row of a batch's stacked arrays
as they do for one run (``Shock.stacks``, govsim/shocks.py). So one set of shock objects steps a
group of consecutive replicates with the same shocks at once (:class:`SharedShocks`): the whole
batch on the stacked State and ForumSet themselves (a seed sweep: nothing is bound), or a part of
it (a batch mixing scenarios that differ only in their shocks, one after the other) on views of its
rows. Each replicate's values are those of its single run, bit for bit. A replicate whose shocks
include a kind not written for stacked arrays steps its own shocks on its slice (:class:`EachReplicate`).
No shock draws random numbers, so sharing them leaves every replicate's stream as in its single run.
"""

from __future__ import annotations

import copy

import numpy as np

from govsim.forums import ForumSet
from govsim.shocks import Shock, written
from govsim.state import POLICY_SCALARS, Policy, State



class EachReplicate:
    """The shocks of a batch, as one shock for :func:`govsim.shocks.apply_shocks`.

    ``shared``: a :class:`SharedShocks` for each run of consecutive replicates with the same shocks,
    all of a kind that steps stacked arrays (:func:`shared_groups`); ``alone``: the other replicates,
    whose own shocks step on their slices, the forum harmonisations they set gathered for the batch.
    """

    def __init__(self, batch):
        self.batch = batch
        self.writes = written([shock for replica in batch.replicas for shock in replica.shocks])  # Shock.writes
        self.shared, self.alone = shared_groups(batch)

    def step(self, state: State, period: int) -> None:
        b = self.batch
        scalars = {name: getattr(state.policy, name) for name in POLICY_SCALARS}  # as apply_shocks reset them
        for group in self.shared:
            group.step(state, b.forums, period, scalars)
        for replica in self.alone:
            if any(_may_act(shock, period) for shock in replica.shocks):
                replica.bind(state, b.forums)
                for shock in replica.shocks:
                    shock.step(replica.state, period)
                b.forums.harmonise.extend(((replica.r, ks), rho) for ks, rho in replica.forums.harmonise)
                replica.unbind()


def shared_groups(batch) -> tuple[list["SharedShocks"], list]:
    """The batch's replicates as runs of consecutive ones with the same shocks (the scenarios' shock
    specs equal, in the same order, and so the same kinds; the forum launches come with the forums,
    the same in a batch), each run shared if every kind of its shocks steps stacked arrays
    (``stacks``): ([SharedShocks for each shared run], [the replicas of the other runs])."""
    replicas, scenarios = batch.replicas, batch.scenarios
    keys = [(list(scenario.shocks.items()), [(type(shock), getattr(shock, "name", "")) for shock in replica.shocks])
            for scenario, replica in zip(scenarios, replicas)]
    shared, alone, start = [], [], 0
    for end in range(1, len(replicas) + 1):
        if end < len(replicas) and keys[end] == keys[start]:
            continue
        first = replicas[start].shocks  # (replicates without shocks have nothing to step)
        if first and all(getattr(shock, "stacks", False) for shock in first):
            shared.append(SharedShocks(first, slice(start, end), len(replicas), batch.forums))
        elif first:
            alone.extend(replicas[start:end])
        start = end
    return shared, alone


class SharedShocks:
    """One set of shock objects (copies of the first replicate's, fresh from setup: ``preview`` changes
    none of them) stepping the consecutive replicates ``rows`` of a batch of ``replicates``: the
    whole batch on its stacked objects, a part of it on views of its rows (:class:`RowsView`)."""

    def __init__(self, shocks: list, rows: slice, replicates: int, forums: ForumSet):
        self.rows, self.replicates = rows, replicates
        self.view = None if rows == slice(0, replicates) else RowsView(rows)
        self.shocks = [copy.copy(shock) for shock in shocks]
        for shock in self.shocks:
            shock.forums = forums if self.view is None else self.view.forums

    def step(self, state: State, forums: ForumSet, period: int, scalars: dict) -> None:
        """Step the shocks once on the rows; a policy scalar they change is written to the rows of an
        (R, 1) column (the kernel reads a batch's set scalars so), and a forum harmonisation they set
        applies to each row (``ForumSet.update`` harmonises the rows of ``(r, forums)`` pairs)."""
        if not any(_may_act(shock, period) for shock in self.shocks):
            return
        view = self.view
        mine, my_forums = (state, forums) if view is None else view.bind(state, forums, scalars)
        before = len(my_forums.harmonise)
        for shock in self.shocks:
            shock.step(mine, period)
        for name, was in scalars.items():
            now = getattr(mine.policy, name)
            if now != was:
                column = getattr(state.policy, name)
                if not isinstance(column, np.ndarray):
                    column = np.full((self.replicates, 1), was, dtype=np.asarray(was).dtype)
                    setattr(state.policy, name, column)
                column[self.rows, 0] = now
        added = my_forums.harmonise[before:]
        del my_forums.harmonise[before:]
        forums.harmonise.extend(((r, ks), rho) for r in range(self.rows.start, self.rows.stop) for ks, rho in added)
        if view is not None:
            view.unbind()


class RowsView:
    """A State (with its Policy) and a ForumSet whose per-replicate arrays are views of rows
    ``rows`` of a batch's (:meth:`bind`, every step: the kernel replaces the batch's arrays), the
    fields the replicates share as the batch's; :meth:`unbind` writes back an array replaced."""

    def __init__(self, rows: slice):
        self.rows = rows
        self.state, self.policy, self.forums = State.__new__(State), Policy.__new__(Policy), ForumSet.__new__(ForumSet)
        self._bound: list = []

    def bind(self, state: State, forums: ForumSet, scalars: dict) -> tuple[State, ForumSet]:
        """Point the views at the rows (the policy's scalars at ``scalars``, as reset); no harmonisation yet."""
        self._bound = [_bind_rows(state, self.state, self.rows), _bind_rows(state.policy, self.policy, self.rows),
                       _bind_rows(forums, self.forums, self.rows)]
        self.state.policy = self.policy
        vars(self.policy).update(scalars)  # (SharedShocks.step writes back those a shock changes)
        for name in scalars:
            self._bound[1][2].pop(name, None)
        self.forums.harmonise = []
        return self.state, self.forums

    def unbind(self) -> None:
        for stacked, view, bound in self._bound:
            for name, before in bound.items():
                now = vars(view)[name]
                if isinstance(before, dict):
                    for key, value in before.items():
                        if now[key] is not value:
                            vars(stacked)[name][key][self.rows] = now[key]
                elif now is not before:
                    vars(stacked)[name][self.rows] = now


def _bind_rows(stacked, view, rows: slice) -> tuple[object, object, dict]:
    """Give ``view`` the fields of ``stacked``, a per-replicate array (2 axes or more: replicates
    first) as its ``rows`` (a view), a dict of them as a dict of views; (stacked, view, what was sliced)."""
    fields, sliced = vars(view), {}
    for name, value in vars(stacked).items():
        if isinstance(value, np.ndarray) and value.ndim >= 2:
            value = sliced[name] = value[rows]
        elif isinstance(value, dict) and all(isinstance(v, np.ndarray) and v.ndim >= 2 for v in value.values()):
            value = sliced[name] = {key: v[rows] for key, v in value.items()}
        fields[name] = value
    return stacked, view, sliced


def _may_act(shock, period: int) -> bool:
    """False only for a shock whose ``step`` does nothing in ``period`` (a plain Shock not in force)."""
    return not isinstance(shock, Shock) or type(shock).step is not Shock.step or shock.in_force(period)
