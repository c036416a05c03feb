"""Country agents: Mesa views onto the model's arrays (identity, inspection, the app).

The arithmetic runs vectorised over all countries in the model; an agent holds only its
row index and reads its state from the model's arrays.
"""

from __future__ import annotations

import mesa

from govsim.codes import INCOME_GROUPS, STATUS_NAMES


class Country(mesa.Agent):
    """One country, viewing row ``index`` of the model state."""

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.index = int(index)

    @property
    def iso3(self) -> str:
        """ISO 3166 alpha-3 code."""
        return str(self.model.state.iso3[self.index])

    @property
    def capability(self) -> float:
        """AI capability index in [0, 1]."""
        return float(self.model.state.capability[self.index])

    @property
    def alignment(self) -> float:
        """Geopolitical alignment in [-1 (China), +1 (US)]."""
        return float(self.model.state.alignment[self.index])

    @property
    def gdp_pc(self) -> float:
        """GDP per capita, US$."""
        return float(self.model.state.gdp_pc[self.index])

    @property
    def income_group(self) -> str:
        """World Bank income group."""
        return INCOME_GROUPS[self.model.state.income_group[self.index]]

    @property
    def engagement(self) -> dict[str, float]:
        """Engagement in each forum, in [0, 1]."""
        row = self.model.state.engagement[self.index]
        return {name: float(row[k]) for k, name in enumerate(self.model.forums.names)}

    @property
    def status(self) -> dict[str, str]:
        """Status in each forum: member, partner, applicant or none."""
        row = self.model.state.status[self.index]
        return {name: STATUS_NAMES[row[k]] for k, name in enumerate(self.model.forums.names)}

    def __repr__(self) -> str:
        return f"Country({self.iso3}, capability={self.capability:.2f}, alignment={self.alignment:+.2f})"
