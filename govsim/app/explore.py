"""The page's exploring views: the map quantity picker, the country inspector and the forum panel.

Components get what they show as arguments (Solara re-renders a component only when its
arguments change; the browser session's world is the same object from quarter to quarter).
"""

from __future__ import annotations

import pandas as pd
import solara

from govsim.app.maps import FORUMS, QUANTITIES
from govsim.app.views import FONT, new_figure, png
from govsim.labels import label

TABLE = {"font-size": "1.05rem"}


@solara.component
def MapPicker(quantity: str, forum: str, on_pick):
    """What the map shows: a quantity and, for engagement and status, the forum."""
    names = {v: k for k, v in QUANTITIES.items()}
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "max-width": "30rem"}):
        solara.Select(label="Map shows", value=QUANTITIES[quantity], values=list(names),
                      on_value=lambda v: on_pick(names[v], forum), style={"width": "19rem"})
        if quantity in ("engagement", "status"):
            solara.Select(label="Forum", value=FORUMS[forum], values=list(FORUMS.values()),
                          on_value=lambda v: on_pick(quantity, {n: k for k, n in FORUMS.items()}[v]),
                          style={"width": "8rem"})


def country_chart(history: pd.DataFrame, name: str) -> bytes:
    """One country over the quarters simulated: capability, alignment, engagement per forum (PNG)."""
    fig = new_figure((9.0, 3.2))
    axes = fig.subplots(1, 3)
    times = history["time"].to_numpy(float)
    axes[0].plot(times, history["capability"], color="#b35806", linewidth=2.5)
    axes[0].set_title(label("capability").name, fontsize=FONT, loc="left")
    axes[1].plot(times, history["alignment"], color="#555555", linewidth=2.5)
    axes[1].set_ylim(-1.05, 1.05)
    axes[1].set_yticks([-1, 0, 1], ["China", "0", "US"])
    axes[1].set_title("Alignment", fontsize=FONT, loc="left")
    for forum, title in FORUMS.items():
        axes[2].plot(times, history[f"engagement_{forum}"], linewidth=2.5, label=title)
    axes[2].set_ylim(-0.02, 1.02)
    axes[2].set_title("Engagement", fontsize=FONT, loc="left")
    axes[2].legend(fontsize=FONT - 3, frameon=False)
    for ax in axes:
        ax.tick_params(labelsize=FONT - 3)
        ax.grid(alpha=0.3)
    return png(fig)


@solara.component
def CountryInspector(names: dict[str, str], iso3: str | None, on_pick, history: pd.DataFrame | None):
    """Pick a country (``names``: name -> iso3): its history so far and its forums now."""
    by_code = {v: k for k, v in names.items()}
    solara.v.Autocomplete(label="Inspect a country (type a name)", v_model=by_code.get(iso3), items=sorted(names),
                          on_v_model=lambda v: on_pick(names.get(v)), style_="max-width: 20rem",
                          class_="govsim-country-picker")
    if iso3 is None or history is None:
        return
    last = history.iloc[-1]
    statuses = " · ".join(f"{title}: {last[f'status_{forum}']}" for forum, title in FORUMS.items())
    solara.Text(f"{by_code[iso3]} at the end of {last['period']}: capability {last['capability']:.3f}, "
                f"alignment {last['alignment']:+.2f}, tier {last['tier']} · {statuses}",
                classes=["govsim-country"], style=TABLE)
    solara.Image(country_chart(history, by_code[iso3]), width="100%", classes=["govsim-country-chart"])


def markdown_table(table: pd.DataFrame) -> str:
    """``table`` as a Markdown table (header, rule, one line per row)."""
    lines = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in row) + " |"
              for row in table.itertuples(index=False)]
    return "\n".join(lines)


@solara.component
def ForumPanel(panel: pd.DataFrame):
    """One row per forum: members, partners, applicants, authority, position; the names on expand."""
    table = panel[["forum", "members", "partners", "applicants", "authority", "position"]].copy()
    table["forum"] = table["forum"].map(lambda f: FORUMS.get(f, f))
    table[["authority", "position"]] = table[["authority", "position"]].round(3)
    solara.Markdown(markdown_table(table), style=TABLE)
    solara.Text("Authority: how much the forum's rules bind (0-1). Position: where its norms sit "
                "(−1 China's, +1 the US's).", style={"font-size": "0.95rem", "color": "#555"})
    for row in panel.to_dict("records"):
        with solara.Details(f"{FORUMS.get(row['forum'], row['forum'])}: who is in"):
            for kind in ("member", "partner", "applicant"):
                names = row[f"{kind}_names"]
                solara.Text(f"{kind.capitalize()}s ({len(names)}): {', '.join(names) or '—'}", style=TABLE)
