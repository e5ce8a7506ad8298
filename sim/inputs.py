"""What a run's input may be, and the error that says what is wrong with it -- free of heavy imports.

The limits are schema rules of the scenario files (``sim.scenario``) and of the command line's
options; ``ScenarioError`` names, for each problem, the file, the field and what is allowed.  Kept
apart from the scenario layer so that the command line can declare its options and catch input
errors without importing pydantic, pandas or the model.
"""

from __future__ import annotations

from datetime import date

#: the largest seed a run takes (seeds are 0 .. 2**32 - 1, numpy's classic range; they are stored as int64)
SEED_MAX = 2**32 - 1
#: the earliest first month of a run (the model's dates are datetime64[ns], which end in 1677 and 2262)
FIRST_MONTH = date(1900, 1, 1)
#: the latest last month of a run: the record is 1991-2023 and the projections are not meant beyond the century
LAST_MONTH = date(2100, 12, 1)
#: the longest run, in months: 110 years (December 1991 .. December 2100 is 1309 months)
MAX_MONTHS = 110 * 12
#: the longest event label: labels are drawn on the plots, next to the events' markers
LABEL_MAX = 40
#: the standard plots, in their order (``sim.plots.PLOTS`` draws them; declared here so that the command line
#: checks ``--plots`` before the runs without importing matplotlib)
PLOT_NAMES = ("relations", "threat", "spending", "deterrence", "escalation", "trust_heatmap", "russia_actions")


def plot_names(requested: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Return the plots asked for ("all", a comma-separated list or names), in the standard order; raise on unknown."""
    if requested is None or requested == "all":
        return list(PLOT_NAMES)
    names = [n.strip() for n in (requested.split(",") if isinstance(requested, str) else requested) if n.strip()]
    unknown = [n for n in names if n not in PLOT_NAMES]
    if unknown:
        raise ValueError(f"unknown plot(s) {', '.join(unknown)}; the plots are: {', '.join(PLOT_NAMES)} (or all)")
    return [n for n in PLOT_NAMES if n in names]


class ScenarioError(Exception):
    """A scenario (or data) file is invalid; the message names file, field and what is allowed."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        super().__init__("\n".join(f"{f}: {path}: {msg}" for f, path, msg in problems))
