"""One browser session's worlds: scenario A (and B, side by side on the same seed), stepped in lockstep.

Plain Python (no Solara), so it is tested without a browser and every view reads the same object:
- ``step`` / ``reset``; ``view(step)`` scrubs back through what has been simulated;
- ``switch_on`` / ``switch_off`` a classroom lever mid-run (recorded as a shock of the run's
  scenario from the next quarter, so the exported scenario reproduces the run);
- the baseline of the same seed, run once in full and cached, drawn faintly behind;
- ``difference`` (B - A headlines) and ``divergent`` (the countries that differ most);
- exports: the tables as CSV (a zip), the scenario as YAML that ``govsim run`` accepts.
It uses the public API only (the ``govsim`` namespace).
"""

from __future__ import annotations

import functools
import io
import zipfile
from dataclasses import dataclass
from typing import Any

import pandas as pd
import yaml

import govsim
from govsim import HEADLINES, GovernanceModel, Results, collect_results, country_history, gini_contributions, snapshot
from govsim.app.levers import lever


@functools.lru_cache(maxsize=32)
def baseline(seed: int) -> pd.DataFrame:
    """The library baseline's indices for ``seed``, run once per server and shared read-only."""
    return govsim.run("baseline", seed=seed, countries=False).indices


@dataclass
class Track:
    """One scenario being run: its model and the levers switched on so far."""

    model: GovernanceModel

    @classmethod
    def start(cls, scenario: str, seed: int) -> "Track":
        return cls(GovernanceModel(govsim.load_scenario(scenario), seed))

    @property
    def step(self) -> int:
        return len(self.model.recorder.forum_rows) - 1

    @property
    def finished(self) -> bool:
        return self.step >= self.model.scenario.time.steps

    def advance(self) -> None:
        if not self.finished:
            self.model.step()


class Session:
    """Scenario A, optionally scenario B, on one seed; the state of one browser session."""

    def __init__(self, scenario: str = "baseline", seed: int = 0, compare: str | None = None):
        self.reset(scenario, seed, compare)

    def reset(self, scenario: str | None = None, seed: int | None = None, compare: str | None = None) -> None:
        """Start again (from the start period), with a new scenario, seed or B scenario if given."""
        self.scenario = scenario or getattr(self, "scenario", "baseline")
        self.seed = int(seed if seed is not None else getattr(self, "seed", 0))
        self.compare = compare
        self.a = Track.start(self.scenario, self.seed)
        self.b = Track.start(compare, self.seed) if compare else None

    # ------------------------------------------------------------------ time
    @property
    def tracks(self) -> list[Track]:
        return [t for t in (self.a, self.b) if t is not None]

    @property
    def step(self) -> int:
        return self.a.step

    @property
    def finished(self) -> bool:
        return self.a.finished

    @property
    def period(self) -> str:
        return str(self.view().indices["period"].iloc[-1])

    def advance(self, n: int = 1) -> None:
        """Simulate ``n`` quarters in every track (in lockstep)."""
        for _ in range(n):
            for track in self.tracks:
                track.advance()

    def view(self, step: int | None = None, which: str = "a") -> Results:
        """What track ``which`` ("a" or "b") looked like at ``step`` (default: now); cheap (~10 ms)."""
        return snapshot(self._track(which).model, step)

    # ------------------------------------------------------------------ what the views show
    def map_values(self, quantity: str = "capability", step: int | None = None, which: str = "a") -> pd.Series:
        """Per country (indexed by iso3) at ``step``: a column of the countries table (``capability``,
        ``engagement_un``, ``status_brics``...) or ``divide_contribution``, each country's share of the
        AI divide (its row of the population-weighted Gini of used capability; the shares sum to it)."""
        countries = self.view(step, which).countries
        if quantity == "divide_contribution":
            values = gini_contributions(countries["capability"].to_numpy(float), countries["population"].to_numpy(float))
            return pd.Series(values, index=countries["iso3"].to_numpy(), name=quantity)
        if quantity not in countries.columns:
            raise ValueError(f"no map quantity {quantity!r}; choose divide_contribution or a column of the countries table")
        return pd.Series(countries[quantity].to_numpy(), index=countries["iso3"].to_numpy(), name=quantity)

    def forum_panel(self, step: int | None = None, which: str = "a") -> pd.DataFrame:
        """One row per forum at ``step``: members, partners and applicants (counts and names), authority, position."""
        snap = self.view(step, which)
        countries, rows = snap.countries, []
        for forum in snap.forums.to_dict("records"):
            status = countries[f"status_{forum['forum']}"].astype(str)
            names = {kind: sorted(countries.loc[status == kind, "name"].astype(str)) for kind in ("member", "partner", "applicant")}
            rows.append({"forum": forum["forum"], "members": forum["n_members"], "partners": forum["n_partners"],
                         "applicants": forum["n_applicants"], "authority": forum["authority"], "position": forum["position"],
                         **{f"{kind}_names": names[kind] for kind in names}})
        return pd.DataFrame(rows)

    def country(self, iso3: str, which: str = "a") -> pd.DataFrame:
        """One country over the quarters simulated so far: capability, alignment, engagement and status per forum."""
        return country_history(self._track(which).model, iso3)

    def _track(self, which: str) -> Track:
        """Track "a" or "b" (ValueError if B is asked for outside the side-by-side mode)."""
        track = self.a if which == "a" else self.b
        if track is None:
            raise ValueError("no scenario B: start the side-by-side mode first")
        return track

    # ------------------------------------------------------------------ levers
    def switch_on(self, key: str, settings: dict[str, Any] | None = None, which: str = "a") -> str:
        """Switch lever ``key`` on from the next quarter in track ``which``; returns the shock's name."""
        track = self._track(which)
        name = self._free_name(track, key)
        track.model.add_shock(name, lever(key).spec(settings))
        return name

    def switch_off(self, name: str, which: str = "a") -> None:
        """Switch the lever recorded as shock ``name`` off from the next quarter."""
        self._track(which).model.end_shock(name)

    def active(self, which: str = "a") -> list[str]:
        """Names of the classroom levers in force (switched on and not yet ended) in track ``which``."""
        model = self._track(which).model
        return [name for name, spec in model.scenario.shocks.items()
                if name.startswith("lever_") and spec.end is None]

    @staticmethod
    def _free_name(track: Track, key: str) -> str:
        used, k = track.model.scenario.shocks, 1
        while f"lever_{key}_{k}" in used:
            k += 1
        return f"lever_{key}_{k}"

    # ------------------------------------------------------------------ comparisons
    def baseline(self) -> pd.DataFrame:
        """The baseline's indices on this seed (the faint line behind the headlines)."""
        return baseline(self.seed)

    def difference(self) -> pd.DataFrame:
        """B - A of the headline indices at every simulated step (columns: step, period, time, indices)."""
        a, b = self.view().indices, self.view(which="b").indices
        out = a[["step", "period", "time"]].copy()
        for index in HEADLINES:
            out[index] = b[index].to_numpy() - a[index].to_numpy()
        return out

    def divergent(self, column: str = "capability", n: int = 10) -> pd.DataFrame:
        """The ``n`` countries whose ``column`` differs most between B and A now (iso3, name, a, b, difference)."""
        a, b = self.view().countries, self.view(which="b").countries
        table = pd.DataFrame({"iso3": a["iso3"], "name": a["name"].astype(str), "a": a[column].to_numpy(),
                              "b": b[column].to_numpy()})
        table["difference"] = table["b"] - table["a"]
        order = table["difference"].abs().sort_values(ascending=False, kind="stable").index
        return table.loc[order].head(n).reset_index(drop=True)

    # ------------------------------------------------------------------ exports
    def scenario_yaml(self, which: str = "a") -> str:
        """The run's scenario with its levers and seed, as YAML that ``govsim run`` and
        ``govsim.load_scenario`` accept; it reproduces this run."""
        model = self._track(which).model
        data = model.scenario.model_copy(update={"seed": model.seed}).model_dump(mode="json")
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    def tables_zip(self, which: str = "a") -> bytes:
        """The run's indices, countries and forums tables so far, as CSV files in a zip."""
        results = collect_results(self._track(which).model)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in ("indices", "countries", "forums"):
                archive.writestr(f"{name}.csv", getattr(results, name).to_csv(index=False))
        return buffer.getvalue()
