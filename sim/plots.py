"""Standard plots of a run or ensemble: medians with 10th–90th percentile bands over seeds.

Figures are built as ``matplotlib.figure.Figure`` objects (rendered with Agg when
saved), never registered with pyplot, so nothing leaks into pyplot's global state;
the style is applied per figure with ``rc_context``.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as Outline
from matplotlib.textpath import TextToPath, text_to_path
from matplotlib.transforms import Affine2D, ScaledTranslation, blended_transform_factory

from sim import inputs, observables
from sim.world import ACTIONS, ESCALATION_LEVELS

if TYPE_CHECKING:
    from sim.runner import RunResult

FIGSIZE = (11.0, 5.5)
DPI = 150
BAND = (0.1, 0.9)
EAST = ("border", "frontline")
ALWAYS_SHOWN = ("FIN", "SWE", "UKR")
FRONTLINE_EXTRA = ("UKR", "GEO", "MDA", "FIN", "SWE")
BLOC_ORDER = ("west", "contested", "non_aligned", "russia_aligned", "russia")
KEY_EVENT_TYPES = (
    "accession",
    "sign_formal_agreement",
    "military_aggression",
    "occupy_territory",
    "spending_guideline",
    "forward_presence_commitment",
)
#: importance of event types when choosing which to label (higher first)
TYPE_PRIORITY = {
    "military_aggression": 10,
    "occupy_territory": 9,
    "accession": 9,
    "sign_formal_agreement": 8,
    "forward_presence_commitment": 6,
    "spending_guideline": 5,
}
#: milestones of the record shown by the trust heatmap where the run covers them (2023-12: the record's end);
#: the run's own last date is always added, and a run going years past the record gets dates in between
HEATMAP_DATES = ("1992-01", "1997-06", "2002-06", "2008-09", "2014-06", "2022-06", "2023-12")
#: most columns of the trust heatmap
HEATMAP_MAX = 10

MAIN = "#1f4e79"
GUIDE = "#555555"
CONFLICT = "#b2182b"
COOPERATION = "#2166ac"
ACTION_COLOURS = {
    "cooperate": "#1b7837",
    "dialogue": "#7fbf7b",
    "status_quo": "#d9d9d9",
    "cyber_attack": "#fdd49e",
    "election_interference": "#fdbb84",
    "sabotage": "#fc8d59",
    "energy_coercion": "#ef6548",
    "nuclear_signalling": "#d7301f",
    "aggression_nonmember": "#990000",
    "attack_member": "#3b0000",
}
LEVEL_COLOURS = ("#e0ecf4", "#fee391", "#fec44f", "#fe9929", "#d7301f", "#67000d")
STRONG = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d",
    "#31a354", "#756bb1", "#636363", "#a55194",
)

STYLE: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#e5e5e5",
    "grid.linewidth": 0.6,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "svg.fonttype": "none",
}


def styled[F: Callable[..., Any]](func: F) -> F:
    """Decorate a plotting function so that it runs inside the package's rc style."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with mpl.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def new_figure(
    nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] = FIGSIZE, **kwargs: Any
) -> tuple[Figure, Any]:
    """Return a new constrained-layout figure and its axes (not registered with pyplot)."""
    fig = Figure(figsize=figsize, dpi=100, layout="constrained")
    FigureCanvasAgg(fig)  # saved as PNG by its own canvas, whose renderer (and text metrics) a layout measured
    axes = fig.subplots(nrows, ncols, squeeze=True, **kwargs)
    return fig, axes


def save_figure(fig: Figure, folder: str | os.PathLike[str], name: str, svg: bool = True) -> str:
    """Write fig as name.png, and name.svg unless ``svg`` is False, into folder (atomically); return the PNG path."""
    from sim.outputs import write_with

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    png = write_with(lambda p: fig.savefig(p, format="png", dpi=DPI), out / f"{name}.png")
    if svg:
        write_with(lambda p: fig.savefig(p, format="svg"), out / f"{name}.svg")
    return png


# -- data helpers -----------------------------------------------------------------------
def n_seeds(result: RunResult) -> int:
    """Return the number of seeds in the result."""
    return int(result.timeseries["seed"].nunique())


def quantiles(df: pd.DataFrame, column: str, by: str | list[str] = "date") -> pd.DataFrame:
    """Return the median and 10th/90th percentiles of column over seeds, per ``by``."""
    g = df.groupby(by)[column]
    return pd.DataFrame({"median": g.median(), "lo": g.quantile(BAND[0]), "hi": g.quantile(BAND[1])})


def state_medians(result: RunResult, column: str) -> pd.DataFrame:
    """Return a date × state table of the median over seeds of a per-state column."""
    return result.states.groupby(["date", "state"])[column].median().unstack("state")


def roster(result: RunResult) -> dict[str, dict[str, Any]]:
    """Return the scenario roster by state code."""
    return {s["code"]: s for s in result.scenario.roster}


def eastern_flank(result: RunResult) -> list[str]:
    """Return the codes with roster proximity border or frontline (Russia and allies excluded)."""
    return [
        code
        for code, s in roster(result).items()
        if s.get("proximity") in EAST and s.get("bloc") not in ("russia", "russia_aligned")
    ]


def highlighted(result: RunResult) -> list[str]:
    """Return the eastern flank plus Ukraine, Georgia, Moldova, Finland and Sweden, roster order."""
    wanted = set(eastern_flank(result)) | set(FRONTLINE_EXTRA) | set(ALWAYS_SHOWN)
    return [code for code in roster(result) if code in wanted]


def state_colours(result: RunResult) -> dict[str, str]:
    """Return a fixed strong colour for each highlighted state (the same in every plot)."""
    return {code: STRONG[i % len(STRONG)] for i, code in enumerate(highlighted(result))}


def partners(result: RunResult) -> list[str]:
    """Return members and partners: every state but Russia, its allies and distant non-aligned."""
    out = []
    for code, s in roster(result).items():
        if s.get("bloc") in ("russia", "russia_aligned"):
            continue
        if s.get("bloc") == "non_aligned" and s.get("proximity") == "distant":
            continue
        out.append(code)
    return out


def _runs(mask: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Return (start, end) of the contiguous True runs of a date-indexed boolean series."""
    out = []
    dates = list(mask.index)
    values = mask.to_numpy()
    step = dates[1] - dates[0] if len(dates) > 1 else pd.Timedelta(days=30)
    start = None
    for i, v in enumerate(values):
        if v and start is None:
            start = dates[i]
        if start is not None and (not v or i == len(values) - 1):
            end = dates[i] if not v else dates[i] + step
            out.append((start, end))
            start = None
    return out


# -- axes helpers ------------------------------------------------------------------------
class YearTicks(mdates.YearLocator):
    """Ticks on 1 January of the years that are multiples of ``base``: ``YearLocator``'s, computed directly.

    ``YearLocator`` asks dateutil's rrule for the dates each time the axis is laid out or drawn, a tenth of a
    plot's time here; the years of a view are simple to count.
    """

    def __init__(self, base: int = 1) -> None:
        super().__init__(base, month=1, day=1)

    def tick_values(self, vmin: Any, vmax: Any) -> np.ndarray:
        step = self.base.step
        first = max(self.base.le(vmin.year) * step, 1)
        last = min(self.base.ge(vmax.year) * step, 9999)
        years = (np.arange(first, last + 1, step) - 1970).astype("datetime64[Y]")
        return self.raise_if_exceeds(mdates.date2num(years.astype("datetime64[D]")))


def date_axis(ax: Axes, start: Any, end: Any, label: bool = True) -> None:
    """Format ax's x-axis as years (major ticks every 2–10 years, minor every year)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    years = max((end - start).days / 365.25, 0.1)
    if years > 3:
        base = 1 if years <= 12 else 2 if years <= 30 else 5 if years <= 70 else 10
        ax.xaxis.set_major_locator(YearTicks(base))
        ax.xaxis.set_minor_locator(YearTicks(1))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    else:
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
        ax.xaxis.set_minor_locator(mdates.MonthLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.set_xlim(start, end)
    ax.grid(True, axis="x", which="major", color="#f0f0f0", linewidth=0.5)
    if label:
        ax.set_xlabel("Date (year)" if years > 3 else "Date (year-month)")


def median_band(
    ax: Axes,
    q: pd.DataFrame,
    colour: str,
    label: str,
    ensemble: bool,
    lw: float = 2.0,
    step: bool = False,
) -> None:
    """Draw the median line and (for ensembles) the 10th–90th percentile band."""
    kw: dict[str, Any] = {"drawstyle": "steps-post"} if step else {}
    ax.plot(q.index, q["median"], color=colour, lw=lw, label=label, **kw)
    if ensemble:
        ax.fill_between(
            q.index, q["lo"], q["hi"], color=colour, alpha=0.2, lw=0,
            step="post" if step else None, label="10th–90th percentile over seeds",
        )


def legend_outside(ax: Axes, **kwargs: Any) -> None:
    """Place ax's legend to the right of the plotting area."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kwargs)


def spread(values: Sequence[float], gap: float, lo: float, hi: float) -> list[float]:
    """Return positions near values, at least gap apart, kept within [lo, hi] where possible."""
    order = np.argsort(values)
    pos = np.clip(np.array(values, dtype=float)[order], lo, hi)
    for i in range(1, len(pos)):
        pos[i] = max(pos[i], pos[i - 1] + gap)
    if len(pos) and pos[-1] > hi:
        pos[-1] = hi
        for i in range(len(pos) - 2, -1, -1):
            pos[i] = min(pos[i], pos[i + 1] - gap)
    out = np.empty_like(pos)
    out[order] = pos
    return out.tolist()


def axes_size_in(ax: Axes) -> tuple[float, float]:
    """Return the width and height of ax in inches, after the figure's layout has run (at the saved dpi).

    Only the layout runs, at ``DPI``: the saved figure's text sizes, and its canvas keeps the text metrics for
    the save to reuse (a full draw at the figure's own dpi cost a third of the figure's time).
    """
    fig = ax.figure
    engine = fig.get_layout_engine()
    if engine is None:
        fig.draw_without_rendering()
    else:
        shown = fig.dpi
        fig.set_dpi(DPI)
        try:
            engine.execute(fig)
        finally:
            fig.set_dpi(shown)
    pos = ax.get_position()
    return pos.width * fig.get_figwidth(), pos.height * fig.get_figheight()


def label_line_ends(
    ax: Axes, last: dict[str, tuple[float, str]], x: Any, ylim: tuple[float, float], size: float = 7.5
) -> None:
    """Label lines right of the axes at their last values, spread apart, with thin leader lines."""
    if not last:
        return
    names = list(last)
    height_in = axes_size_in(ax)[1]
    gap = (ylim[1] - ylim[0]) * (size * 1.2 / 72) / height_in
    ys = spread([last[n][0] for n in names], gap, ylim[0], ylim[1])
    where = blended_transform_factory(ax.transAxes, ax.transData) + ScaledTranslation(
        16 / 72, 0, ax.figure.dpi_scale_trans
    )
    for name, y in zip(names, ys, strict=True):
        value, colour = last[name]
        ax.annotate(
            name, xy=(x, value), xycoords="data", xytext=(1.0, y), textcoords=where,
            va="center", ha="left", fontsize=size, color=colour, fontweight="bold",
            annotation_clip=False, bbox={"boxstyle": "square,pad=0.2", "fc": "none", "ec": "none"},
            arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.6, "shrinkA": 1, "shrinkB": 0},
        )


class CellLabels(PathCollection):
    """Short labels centred on points of an axes (the cells of a heatmap), drawn as one collection of outlines.

    A ``Text`` per cell costs about a millisecond to lay out and render (matplotlib shapes and rasterises each
    string anew): 1.3 s for the trust heatmap's 620 values.  Here each glyph's outline is made once, each
    distinct string is laid out once, and the collection fills them all in one call; on the PNG the labels
    look the same (the outlines are not hinted; at 150 dpi nothing shows).  ``cells`` are (x, y, text, colour)
    in data coordinates, the size in points (the labels keep it at any dpi); ``labels`` keeps the cells.
    """

    def __init__(self, ax: Axes, cells: Sequence[tuple[float, float, str, str]], fontsize: float,
                 zorder: float = 3) -> None:
        prop = FontProperties(size=fontsize)
        font = get_font(findfont(prop))
        font.set_size(TextToPath.FONT_SCALE, TextToPath.DPI)
        scale = fontsize / TextToPath.FONT_SCALE  # the outlines come at FONT_SCALE points
        glyphs: dict[str, tuple[np.ndarray, np.ndarray]] = {}

        def outline(text: str) -> tuple[np.ndarray, np.ndarray]:
            placed, new, _ = text_to_path.get_glyphs_with_font(font, text, glyph_map=glyphs,
                                                               return_new_glyphs_only=True)
            glyphs.update(new)
            parts = [(glyphs[key][0] * size + [x, y], glyphs[key][1]) for key, x, y, size in placed]
            if not parts:
                return np.empty((0, 2)), np.empty(0, dtype=np.uint8)
            return np.concatenate([v for v, _ in parts]) * scale, np.concatenate([c for _, c in parts])

        line = outline("lp")[0]  # centred on the line's height, as Text centres a line
        rise = -(line[:, 1].min() + line[:, 1].max()) / 2
        shapes: dict[str, Outline] = {}
        for _, _, text, _ in cells:
            if text not in shapes:
                verts, codes = outline(text)
                middle = (verts[:, 0].min() + verts[:, 0].max()) / 2 if len(verts) else 0.0
                shapes[text] = Outline(verts + [-middle, rise], codes)
        super().__init__([shapes[text] for _, _, text, _ in cells], offsets=[(x, y) for x, y, _, _ in cells],
                         offset_transform=ax.transData, facecolors=[c for _, _, _, c in cells],
                         edgecolors="none", linewidths=0, zorder=zorder)
        self.set_transform(Affine2D().scale(1 / 72) + ax.figure.dpi_scale_trans)  # points to pixels
        self.set_in_layout(False)
        self.labels = list(cells)


def _last_valid(s: pd.Series) -> float | None:
    s = s.dropna()
    return None if s.empty else float(s.iloc[-1])


# -- the plots -----------------------------------------------------------------------------
def _goldstein(result: RunResult, etype: str) -> float:
    types = getattr(result.scenario, "event_types", {}) or {}
    if etype in types:
        return float(types[etype].goldstein)
    ev = result.events
    hits = ev.loc[ev["type"] == etype, "goldstein"] if len(ev) else []
    return float(hits.iloc[0]) if len(hits) else 0.0


def event_score(etype: str, goldstein: float, n_targets: int) -> float:
    """Return how important an event is to label: its type's priority, then its severity."""
    if etype == "accession":  # big enlargement rounds first
        base = 6.0 + 4.0 * min(n_targets, 3) / 3
    else:
        base = TYPE_PRIORITY.get(etype, 0.0)
    return base + abs(goldstein) / 10


def own_event_ids(scenario: Any) -> set[str]:
    """Return the ids of the events a scenario's own file schedules (not inherited), empty if it extends nothing.

    Ids are read from the last file of the ``extends`` chain as the loader names them (``id``, else
    ``<file stem>-<index>``); a file that cannot be read gives no ids.
    """
    import yaml

    chain = list(getattr(scenario, "chain", None) or [])
    if len(chain) < 2 or not getattr(scenario, "path", None):
        return set()
    path = Path(scenario.path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return set()
    events = raw.get("events") if isinstance(raw, dict) else None
    if not isinstance(events, list):
        return set()
    return {str(e.get("id") or f"{path.stem}-{k}") for k, e in enumerate(events) if isinstance(e, dict)}


#: score added to a scenario's own events so that they take the label slots first
OWN_BONUS = 100.0
#: the text marker of labelled own events in ``_annotate_events``'s answer
OWN = "own"
#: label slots reserved for a scenario's own events, beyond the history's
OWN_SLOTS = 8


def key_events(result: RunResult) -> list[dict[str, Any]]:
    """Return the scenario's main events (|Goldstein| ≥ 7 or key types, and all its own), most important first.

    In a scenario that extends another, the events of its own file come first (``own``: True), whatever
    their type: they are what the user added.
    """
    start, end = result.timeseries["date"].min(), result.timeseries["date"].max()
    mine = own_event_ids(result.scenario)
    out: dict[pd.Timestamp, dict[str, Any]] = {}
    for e in result.scenario.events:
        when = pd.Timestamp(e.date)
        g = _goldstein(result, e.type)
        own = getattr(e, "id", None) in mine
        if not (start <= when <= end + pd.Timedelta(days=31)):
            continue
        if abs(g) < 7 and e.type not in KEY_EVENT_TYPES and not own:
            continue
        item = {
            "date": when,
            "label": e.label or e.type.replace("_", " "),
            "type": e.type,
            "goldstein": g,
            "score": event_score(e.type, g, len(e.targets)) + (OWN_BONUS if own else 0.0),
            "own": own,
        }
        if when not in out or out[when]["score"] < item["score"]:  # one label per day
            out[when] = item
    return sorted(out.values(), key=lambda d: (-d["score"], d["date"]))


def _annotate_events(
    ax: Axes, result: RunResult, q: pd.DataFrame, max_labels: int = 14, merge_days: int = 75
) -> set[str]:
    """Draw the main scheduled events as thin vertical lines with staggered rotated labels.

    Events are taken most important first.  One within ``merge_days`` of an already
    labelled event joins its label as a second line; otherwise it gets a label of its
    own, hanging from the top or standing on the bottom of the axes (whichever is
    further from the data there), right or left of its line, wherever it does not
    overlap another label.  Events that find no free place are left out.  A scenario's own
    events (``key_events``) come first, in up to ``OWN_SLOTS`` slots of their own (the history
    keeps its ``max_labels``), and are labelled in bold.  Returns the colours used
    ({CONFLICT, COOPERATION} or a subset), with ``OWN`` added when an own event is labelled.
    """
    events = key_events(result)
    used: set[str] = set()
    if not events:
        return used
    start, end = q.index.min(), q.index.max()
    span_days = max((end - start).days, 1)
    width_in, height_in = axes_size_in(ax)
    size = 6.5
    line_days = span_days * (size * 1.3 / 72) / width_in  # width of one rotated text line
    ylo, yhi = ax.get_ylim()
    per_unit_in = height_in / (yhi - ylo)
    pad = 0.03 * (yhi - ylo)

    def day(when: pd.Timestamp) -> float:
        return float((when - start).days)

    def free(x0: float, x1: float, region: str, skip: dict[str, Any] | None = None) -> bool:
        return all(
            g is skip or g["region"] != region or x1 <= g["x0"] or x0 >= g["x1"] for g in groups
        )

    def extent(d: float, side: str, n_lines: int) -> tuple[float, float]:
        w = n_lines * line_days
        return (d, d + w) if side == "right" else (d - w, d)

    groups: list[dict[str, Any]] = []
    # the scenario's own events have slots of their own (up to OWN_SLOTS) on top of the history's max_labels
    n_labels, own_labels = 0, 0
    for ev in events:
        if ev.get("own") and own_labels >= OWN_SLOTS:
            continue
        if not ev.get("own") and n_labels >= max_labels:
            break
        d = day(ev["date"])
        near = [g for g in groups if abs(d - g["d"]) <= merge_days]
        if near:
            g = near[0]
            if len(g["events"]) >= 2:
                continue
            x0, x1 = extent(g["d"], g["side"], 2)
            if free(x0, x1, g["region"], skip=g):
                g["events"].append(ev)
                g["x0"], g["x1"] = x0, x1
                own_labels += bool(ev.get("own"))
                n_labels += not ev.get("own")
            continue
        window = q.loc[ev["date"] - pd.Timedelta(days=180): ev["date"] + pd.Timedelta(days=180)]
        if window.empty:
            continue
        room = {
            "top": (yhi - pad) - (float(window["hi"].max()) + pad),
            "bottom": (float(window["lo"].min()) - pad) - (ylo + pad),
        }
        for region in sorted(room, key=lambda r: -room[r]):
            if room[region] * per_unit_in < 0.6:  # less than 0.6 inch: no space for a label
                continue
            side = next((sd for sd in ("right", "left") if free(*extent(d, sd, 1), region)), None)
            if side is not None:
                x0, x1 = extent(d, side, 1)
                groups.append({"d": d, "date": ev["date"], "region": region, "side": side,
                               "x0": x0, "x1": x1, "room": room[region], "events": [ev]})
                own_labels += bool(ev.get("own"))
                n_labels += not ev.get("own")
                break

    for g in groups:
        max_chars = max(int(g["room"] * per_unit_in * 72 / (size * 0.52)), 8)
        lines = []
        for ev in sorted(g["events"], key=lambda e: e["date"]):
            colour = CONFLICT if ev["goldstein"] < 0 else COOPERATION
            used.add(colour)
            if ev.get("own"):
                used.add(OWN)
            ax.axvline(ev["date"], color=colour, lw=1.1 if ev.get("own") else 0.7, alpha=0.55, zorder=1)
            text = ev["label"]
            if len(text) > max_chars:
                text = text[: max_chars - 1].rstrip() + "…"
            lines.append((text, colour, "bold" if ev.get("own") else "normal"))
        top = g["region"] == "top"
        right = g["side"] == "right"
        # the first line sits next to the vertical line, the second one further out
        for k, (text, colour, weight) in enumerate(lines if right else lines[::-1]):
            offset = (1.5 + k * size * 1.3) * (1 if right else -1)
            ax.annotate(
                text,
                xy=(g["date"], yhi - pad if top else ylo + pad),
                xytext=(offset, 0),
                textcoords="offset points",
                rotation=90,
                fontsize=size,
                color=colour,
                fontweight=weight,
                ha="left" if right else "right",
                va="top" if top else "bottom",
                zorder=3,
            )
    return used


@styled
def relations(result: RunResult, ax: Axes | None = None) -> Figure:
    """Plot the NATO–Russia relations index (median and band over seeds) with key events."""
    if ax is None:
        fig, ax = new_figure()
    else:
        fig = ax.figure
    ts = result.timeseries
    q = quantiles(ts, "relations_index")
    ens = n_seeds(result) > 1
    ax.set_ylim(-1.0, 1.0)
    level = ts.groupby("date")["escalation_level"].median()
    shaded = False
    for a, b in _runs(level >= 4):
        ax.axvspan(a, b, color="#f4a582", alpha=0.3, lw=0, zorder=0,
                   label=None if shaded else "war: median escalation level ≥ 4")
        shaded = True
    ax.axhline(0, color=GUIDE, lw=0.8, zorder=1)
    label = f"relations index (median over {n_seeds(result)} seeds)" if ens else "relations index"
    median_band(ax, q, MAIN, label, ens)
    date_axis(ax, q.index.min(), q.index.max())
    ax.set_ylabel(observables.label("relations_index"))
    ax.set_title(f"NATO–Russia relations — {result.scenario.name}")
    handles, labels = ax.get_legend_handles_labels()
    handles += [Line2D([], [], color=COOPERATION, lw=0.8), Line2D([], [], color=CONFLICT, lw=0.8)]
    labels += ["cooperative event (scheduled)", "conflictual event (scheduled)"]
    legend = ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3,
                       borderaxespad=0.0)
    own = bool(own_event_ids(result.scenario))
    if own:  # reserve the legend's room for the own-events entry before the labels are placed
        handles.append(Line2D([], [], color="#444444", lw=1.1))
        labels.append(f"bold label: {result.scenario.name}'s own event (not in {Path(result.scenario.chain[-2]).stem})")
        legend.remove()
        legend = ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3,
                           borderaxespad=0.0)
    used = _annotate_events(ax, result, q)
    kinds = {CONFLICT, COOPERATION} | ({OWN} if own else set())
    if used != kinds:  # drop the legend entries of kinds not drawn
        keep = [(h, lab) for h, lab in zip(handles, labels, strict=True)
                if not isinstance(h, Line2D) or h.get_lw() > 1.2
                or (h.get_color() in used if h.get_lw() < 1 else OWN in used)]
        legend.remove()
        ax.legend(*zip(*keep, strict=True), loc="upper center", bbox_to_anchor=(0.5, -0.1),
                  ncol=3, borderaxespad=0.0)
    return fig


#: states drawn (and named) in the threat plot: the most threatened, mean over the run
THREAT_NAMED = 8
#: distinct colours of the named lines of the threat plot (one each, never reused)
THREAT_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def members_at_end(result: RunResult) -> list[str]:
    """Return the states that are members at the run's last date in most seeds, roster order."""
    st = result.states
    end = st[st["date"] == st["date"].max()]
    share = end.groupby("state")["member"].mean()
    return [c for c in roster(result) if share.get(c, 0.0) >= 0.5]


def fixed_members_mean(result: RunResult, column: str, codes: Sequence[str]) -> pd.DataFrame:
    """Return, per date, the median over seeds (and 10–90 % band) of the mean of column over a fixed set of states."""
    st = result.states[result.states["state"].isin(list(codes))]
    per_seed = st.groupby(["seed", "date"])[column].mean().reset_index()
    return quantiles(per_seed, column)


def most_threatened(result: RunResult, n: int = THREAT_NAMED, wide: pd.DataFrame | None = None) -> list[str]:
    """Return the n members and partners with the highest threat from Russia (median over seeds, mean over the run).

    ``wide``: the date × state medians of ``threat_from_russia`` if already at hand (``state_medians``).
    """
    wide = state_medians(result, "threat_from_russia") if wide is None else wide
    codes = [c for c in partners(result) if c in wide.columns]
    return list(wide[codes].mean().sort_values(ascending=False, kind="stable").index[:n])


@styled
def threat(result: RunResult) -> Figure:
    """Plot threat from Russia: the most threatened states named, the others as a range, the members' mean.

    The members' mean is over a fixed set, the members at the run's end, so that it does not jump when
    the alliance enlarges (the timeseries' ``mean_threat_from_russia`` is over the members of the day).
    """
    fig, ax = new_figure()
    wide = state_medians(result, "threat_from_russia")
    codes = [c for c in partners(result) if c in wide.columns]
    named = most_threatened(result, wide=wide)
    rest = [c for c in codes if c not in named]
    names = {c: s.get("name", c) for c, s in roster(result).items()}
    if rest:
        others = wide[rest]
        ax.fill_between(wide.index, others.min(axis=1), others.max(axis=1), color="#d0d0d0", alpha=0.7, lw=0,
                        zorder=1, label=f"the other {len(rest)} members and partners: lowest to highest")
    last: dict[str, tuple[float, str]] = {}
    for k, code in enumerate(named):
        colour = THREAT_COLOURS[k % len(THREAT_COLOURS)]
        ax.plot(wide.index, wide[code], color=colour, lw=1.5, zorder=2,
                ls="-" if k < len(THREAT_COLOURS) else (0, (4, 2)), label=f"{code} {names.get(code, code)}")
        if (y := _last_valid(wide[code])) is not None:
            last[code] = (y, colour)
    fixed = members_at_end(result)
    mean = fixed_members_mean(result, "threat_from_russia", fixed)
    ax.plot(mean.index, mean["median"], color="black", lw=2.2, ls="--", zorder=3,
            label=f"mean of the {len(fixed)} members at the end\n(the same states throughout)")
    ax.set_ylim(0, 1)
    date_axis(ax, wide.index.min(), wide.index.max())
    ax.set_ylabel(observables.label("threat_from_russia"))
    ax.set_title(f"Threat from Russia: the {len(named)} most threatened states (highest mean over the run), "
                 "the others' range, the members' mean\n(median over seeds)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.1, 1.0), borderaxespad=0.0)
    label_line_ends(ax, last, wide.index.max(), (0, 1))
    return fig


@styled
def spending(result: RunResult) -> Figure:
    """Plot defence spending (% GDP) by member, the NATO median, the 2 % line and members at 2 %."""
    fig, (ax, ax2) = new_figure(2, 1, figsize=(11.0, 6.5), sharex=True,
                                gridspec_kw={"height_ratios": [3, 1.3]})
    st = result.states
    spend = state_medians(result, "defence_spending_pct_gdp")
    member = st.groupby(["date", "state"])["member"].mean().unstack("state") >= 0.5
    spend = spend.where(member)
    spend = spend.loc[:, member.any()]
    for code in spend.columns:
        ax.plot(spend.index, spend[code], color="#9ecae1", lw=0.7, alpha=0.9, zorder=1)
    mem = st[st["member"].astype(bool)]
    per_seed = mem.groupby(["seed", "date"])["defence_spending_pct_gdp"].median().reset_index()
    q = quantiles(per_seed, "defence_spending_pct_gdp")
    ens = n_seeds(result) > 1
    ax.plot(q.index, q["median"], color=MAIN, lw=2.4, zorder=3, label="median member")
    ax.axhline(2.0, color=CONFLICT, lw=1.2, ls="--", zorder=2, label="2 % guideline")
    top = float(np.nanmax(spend.to_numpy())) if spend.size else 3.0
    ax.set_ylim(0, max(3.0, min(top * 1.05, 8.0)))
    last = spend.iloc[-1].dropna().sort_values()
    ends = {c: (float(v), "#3182bd") for c, v in last.tail(3).items()}
    ax.set_ylabel(observables.label("defence_spending_pct_gdp"))
    ax.set_title("Defence spending of NATO members (median over seeds)")
    handles, labels = ax.get_legend_handles_labels()
    handles.insert(0, Line2D([], [], color="#9ecae1", lw=0.7))
    labels.insert(0, "each member (while a member)")
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.07, 1.0), borderaxespad=0.0)

    ts = result.timeseries
    n2 = quantiles(ts, "members_at_2pct")
    nm = quantiles(ts, "nato_members")
    ax2.plot(nm.index, nm["median"], color="#969696", lw=1.2, drawstyle="steps-post",
             label="all members")
    median_band(ax2, n2, CONFLICT, "members at or above 2 %", ens, lw=1.8, step=True)
    ax2.set_ylim(0, float(nm["hi"].max()) + 2)
    ax2.set_ylabel("Members")
    ax2.legend(loc="upper left", bbox_to_anchor=(1.07, 1.0), borderaxespad=0.0)
    date_axis(ax2, spend.index.min(), spend.index.max())
    ax.set_xlabel("")
    label_line_ends(ax, ends, spend.index.max(), ax.get_ylim(), size=7)
    return fig


@styled
def deterrence(result: RunResult) -> Figure:
    """Plot the deterrence credibility of the frontline states (median over seeds), 0..1."""
    fig, ax = new_figure()
    wide = state_medians(result, "deterrence_credibility")
    colours = state_colours(result)
    codes = [c for c in highlighted(result) if c in wide.columns and wide[c].notna().any()]
    st = result.states
    end = st[st["date"] == st["date"].max()]
    member_share = end.groupby("state")["member"].mean()
    last: dict[str, tuple[float, str]] = {}
    for code in codes:
        member = member_share.get(code, 0.0) >= 0.5
        ax.plot(wide.index, wide[code], color=colours[code], lw=1.5,
                ls="-" if member else (0, (4, 2)), zorder=2)
        if (y := _last_valid(wide[code])) is not None:
            last[code] = (y, colours[code])
    ax.set_ylim(0, 1.02)
    date_axis(ax, wide.index.min(), wide.index.max())
    ax.set_ylabel(observables.label("deterrence_credibility"))
    ax.set_title("Deterrence credibility of the frontline states (median over seeds)")
    handles = [Line2D([], [], color="#444444", lw=1.5),
               Line2D([], [], color="#444444", lw=1.5, ls=(0, (4, 2)))]
    ax.legend(handles, ["member at the end (most seeds)", "not a member at the end"],
              loc="upper left", bbox_to_anchor=(1.07, 1.0), borderaxespad=0.0)
    label_line_ends(ax, last, wide.index.max(), (0, 1.02))
    return fig


@styled
def escalation(result: RunResult) -> Figure:
    """Plot the escalation ladder: median level (step) and the share of seeds at each level."""
    fig, (ax, ax2) = new_figure(2, 1, figsize=(11.0, 6.5), sharex=True,
                                gridspec_kw={"height_ratios": [1.4, 1]})
    ts = result.timeseries
    q = quantiles(ts, "escalation_level")
    ens = n_seeds(result) > 1
    levels = range(len(ESCALATION_LEVELS))
    for lv in levels:
        ax.axhspan(lv - 0.5, lv + 0.5, color=LEVEL_COLOURS[lv], alpha=0.15, lw=0, zorder=0)
    median_band(ax, q, MAIN, "median level" if ens else "level", ens, lw=2.0, step=True)
    ax.set_yticks(list(levels))
    ax.set_yticklabels([f"{lv} {name}" for lv, name in enumerate(ESCALATION_LEVELS)])
    ax.set_ylim(-0.5, len(ESCALATION_LEVELS) - 0.5)
    ax.grid(False, axis="y")
    ax.set_ylabel(observables.label("escalation_level"))
    ax.set_title("Escalation ladder" + (" (median and 10th–90th percentile over seeds)" if ens else ""))
    legend_outside(ax)

    counts = ts.groupby(["date", "escalation_level"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(levels), fill_value=0)
    share = counts.div(counts.sum(axis=1), axis=0)
    # extend one step so the last period is drawn as wide as the others
    ax2.stackplot(share.index, share.T.to_numpy(), colors=LEVEL_COLOURS, step="post",
                  labels=[f"{lv} {n}" for lv, n in enumerate(ESCALATION_LEVELS)], lw=0)
    ax2.set_ylim(0, 1)
    ax2.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax2.set_ylabel("Share of seeds (%)")
    handles = [Patch(color=c) for c in LEVEL_COLOURS][::-1]
    ax2.legend(handles, [f"{lv} {n}" for lv, n in enumerate(ESCALATION_LEVELS)][::-1],
               loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
               title="level", title_fontsize=8)
    date_axis(ax2, share.index.min(), share.index.max())
    ax.set_xlabel("")
    return fig


def default_heatmap_dates(start: Any, end: Any) -> list[pd.Timestamp]:
    """Return the heatmap's dates for a run from start to end: the record's milestones inside it, then its end.

    A run that goes more than three years past the last milestone gets evenly spaced dates after it
    (about one every four years), so a run to 2035 shows its future.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    wanted = [d for d in (pd.Timestamp(m) for m in HEATMAP_DATES) if start <= d <= end]
    last = wanted[-1] if wanted else start
    years = (end - last).days / 365.25
    if years > 3:
        n = min(int(years // 4), HEATMAP_MAX - len(wanted) - 1)
        wanted += [last + (end - last) * (k / (n + 1)) for k in range(1, n + 1)]
    return [*wanted, end]


def heatmap_dates(result: RunResult, dates: Iterable[Any] | None = None) -> list[pd.Timestamp]:
    """Return the recorded dates nearest to (at or before) the wanted dates, clipped to the run.

    By default the wanted dates are ``default_heatmap_dates`` of the run's own first and last dates.
    """
    recorded = pd.DatetimeIndex(sorted(result.states["date"].unique()))
    if dates is None:
        wanted = default_heatmap_dates(recorded[0], recorded[-1])
    else:
        wanted = [pd.Timestamp(d) for d in dates]
    picked = []
    for d in wanted:
        d = min(max(d, recorded[0]), recorded[-1])
        pos = recorded.searchsorted(d, side="right") - 1
        picked.append(recorded[max(pos, 0)])
    picked = sorted(set(picked))
    if dates is None and len(picked) < 4:
        idx = np.linspace(0, len(recorded) - 1, min(6, len(recorded))).round().astype(int)
        picked = sorted(set(recorded[idx]))
    return picked


@styled
def trust_heatmap(result: RunResult, dates: Iterable[Any] | None = None) -> Figure:
    """Heatmaps of each state's trust in Russia and Russia's trust in each state at chosen dates."""
    cols = heatmap_dates(result, dates)
    ros = roster(result)
    codes = [c for c in result.states["state"].unique() if ros.get(c, {}).get("bloc") != "russia"]
    bloc_rank = {b: i for i, b in enumerate(BLOC_ORDER)}
    codes.sort(key=lambda c: (bloc_rank.get(ros.get(c, {}).get("bloc", ""), 99), c))
    blocs = [ros.get(c, {}).get("bloc", "?") for c in codes]
    sub = result.states[result.states["date"].isin(cols)]
    height = max(5.5, 0.17 * len(codes) + 1.6)
    fig, axes = new_figure(1, 2, figsize=(11.0, height), sharey=True)
    cmap = mpl.colormaps["RdBu"]
    image = None
    for ax, column, title in zip(
        axes,
        ("trust_in_russia", "russia_trust_in_state"),
        ("State's trust in Russia", "Russia's trust in the state"),
        strict=True,
    ):
        table = sub.groupby(["state", "date"])[column].median().unstack("date")
        table = table.reindex(index=codes, columns=cols)
        values = table.to_numpy(dtype=float)
        image = ax.imshow(values, cmap=cmap, vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
        ax.set_xticks(range(len(cols)))
        many = len(cols) > 7  # ten labels side by side would overlap
        ax.set_xticklabels([f"{d:%Y-%m}" for d in cols], rotation=45 if many else 0, ha="right" if many else "center",
                           rotation_mode="anchor")
        ax.set_yticks(range(len(codes)))
        ax.set_yticklabels(codes, fontsize=7)
        ax.tick_params(axis="both", length=0)
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(f"{title} (median over seeds)", fontsize=10)
        ax.set_xlabel("Date (year-month)")
        if len(codes) <= 60 and len(cols) <= 10:
            ax.add_collection(CellLabels(ax, [(j, i, f"{v:+.2f}", "white" if abs(v) > 0.55 else "#222222")
                                              for (i, j), v in np.ndenumerate(values) if np.isfinite(v)],
                                         fontsize=6), autolim=False)
        for k in range(1, len(blocs)):
            if blocs[k] != blocs[k - 1]:
                ax.axhline(k - 0.5, color="black", lw=1.0)
    # bloc names on the right of the second panel
    starts = [0] + [k for k in range(1, len(blocs)) if blocs[k] != blocs[k - 1]] + [len(blocs)]
    for a, b in itertools.pairwise(starts):
        tall = b - a >= 5
        axes[1].text(len(cols) - 0.4, (a + b - 1) / 2, blocs[a].replace("_", "-"),
                     rotation=90 if tall else 0, va="center", ha="left", fontsize=8,
                     style="italic", color=GUIDE, clip_on=False)
    axes[0].set_ylabel("State (grouped by bloc)")
    cbar = fig.colorbar(image, ax=list(axes), shrink=0.6, pad=0.04)
    cbar.set_label("Trust (−1 distrust … +1 trust)")
    run = pd.DatetimeIndex(result.states["date"].unique())
    fig.suptitle(f"Trust between Russia and each state at selected dates of the run ({run.min():%Y-%m} – "
                 f"{run.max():%Y-%m})", fontweight="bold", x=0.01, ha="left")
    return fig


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value: float, _pos: Any = None) -> str:
    """Label a log axis' tick: 10 with the exponent in superscript at powers of ten, nothing elsewhere.

    Plain text with Unicode superscripts, where matplotlib's default writes TeX-like math (``$10^{-6}$``),
    whose parser costs a tenth of the plot's time in a fresh process.
    """
    if not np.isfinite(value) or value <= 0:
        return ""
    exponent = round(float(np.log10(value)))
    if not np.isclose(value, 10.0**exponent, rtol=1e-9):
        return ""
    return "10" + str(exponent).translate(SUPERSCRIPT)


@styled
def russia_actions(result: RunResult) -> Figure:
    """Plot Russia's action probabilities: stacked shares and, log-scaled, the hostile ones."""
    fig, (ax, ax2) = new_figure(2, 1, figsize=(11.0, 6.5), sharex=True,
                                gridspec_kw={"height_ratios": [1.5, 1]})
    ts = result.timeseries
    actions = [a for a in ACTIONS if f"p_{a}" in ts.columns]
    med = ts.groupby("date")[[f"p_{a}" for a in actions]].median()
    shares = med.div(med.sum(axis=1), axis=0)
    names = [a.replace("_", " ") for a in actions]
    colours = [ACTION_COLOURS.get(a, "#999999") for a in actions]
    ax.stackplot(shares.index, shares.T.to_numpy(), colors=colours, labels=names, lw=0)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.set_ylabel("Probability (median, rescaled to 100 %)")
    ax.set_title("Russia's action probabilities" + (" (median over seeds)" if n_seeds(result) > 1
                                                     else ""))
    handles = [Patch(color=c) for c in colours][::-1]
    ax.legend(handles, names[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    hostile = [a for a in actions if a not in ("cooperate", "dialogue", "status_quo")]
    for a in hostile:
        ax2.plot(med.index, med[f"p_{a}"].clip(lower=1e-7), color=ACTION_COLOURS.get(a, "#999999"),
                 lw=1.4, label=a.replace("_", " "))
    ax2.set_yscale("log")
    ax2.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(power_of_ten))
    ax2.set_ylim(1e-6, 1)
    ax2.set_ylabel("Probability per step (log)")
    ax2.set_title("Hostile actions (log scale)", fontsize=9)
    legend_outside(ax2)
    date_axis(ax2, med.index.min(), med.index.max())
    ax.set_xlabel("")
    return fig


PLOTS: dict[str, Callable[[RunResult], Figure]] = {
    "relations": relations,
    "threat": threat,
    "spending": spending,
    "deterrence": deterrence,
    "escalation": escalation,
    "trust_heatmap": trust_heatmap,
    "russia_actions": russia_actions,
}


#: the result the plotting worker processes draw from (set in each worker by ``_hold``)
_WORKER_RESULT: dict[str, Any] = {}


def _hold(result: RunResult) -> None:
    _WORKER_RESULT["result"] = result


def _hold_in_worker(result: RunResult) -> None:
    """Start a plotting worker: hold the result; the objects inherited from the parent are frozen out of the
    garbage collector's passes (forked with the ensemble, millions of them, which each full pass would walk
    and so copy page by page)."""
    import gc

    gc.freeze()
    _hold(result)


def _draw(name: str, folder: str, svg: bool = True) -> str:
    """Draw and save one plot of the worker's result; return its PNG path."""
    fig = PLOTS[name](_WORKER_RESULT["result"])
    try:
        return save_figure(fig, folder, name, svg)
    finally:
        fig.clear()


def plot_names(requested: str | Iterable[str] | None) -> list[str]:
    """Return the plots asked for ("all", a comma-separated list or names), in the standard order; raise on unknown."""
    return inputs.plot_names(requested if requested is None or isinstance(requested, str) else list(requested))


#: the order the worker processes take the plots in: the longest to draw first (CPU seconds measured on the
#: historical 20-seed ensemble, 2026-12-02), so that the last one to start is short and both processes end together
LONGEST_FIRST = ("spending", "russia_actions", "escalation", "deterrence", "trust_heatmap", "threat", "relations")


def all_plots(result: RunResult, folder: str | os.PathLike[str], names: Iterable[str] | None = None,
              workers: int = 1, progress: Callable[[str, int, int], None] | None = None,
              svg: bool = True, meanwhile: Callable[[], Any] | None = None) -> list[str]:
    """Write the standard plots (``names``: some of them) as PNG (and SVG) into folder; return the PNG paths.

    With ``workers`` > 1 the plots are drawn in that many processes at once (matplotlib draws on one core),
    the longest first; ``meanwhile`` (say, writing the tables) runs in this process while they draw (before
    them with one worker), and if it fails the workers are stopped.  ``progress(name, done, total)`` is
    called as each plot is written (with workers, those written while ``meanwhile`` ran are reported after it).
    """
    names = plot_names(None if names is None else list(names))
    paths: dict[str, str] = {}
    if workers > 1 and len(names) > 1:
        from concurrent.futures import as_completed

        from sim.runner import start_workers, stop_workers

        order = sorted(names, key=lambda n: LONGEST_FIRST.index(n) if n in LONGEST_FIRST else -1)
        pool = start_workers(min(workers, len(names)), ["sim.plots"], _hold_in_worker, (result,))
        try:
            futures = {pool.submit(_draw, name, str(folder), svg): name for name in order}
            if meanwhile is not None:
                meanwhile()
            for future in as_completed(futures):
                paths[futures[future]] = future.result()
                if progress is not None:
                    progress(futures[future], len(paths), len(names))
        except BaseException:
            stop_workers(pool)
            raise
        pool.shutdown()
    else:
        if meanwhile is not None:
            meanwhile()
        _hold(result)
        try:
            for name in names:
                paths[name] = _draw(name, str(folder), svg)
                if progress is not None:
                    progress(name, len(paths), len(names))
        finally:
            _WORKER_RESULT.clear()
    return [paths[n] for n in names]


# -- scenario comparison -------------------------------------------------------------------
COMPARE_COLOURS = ("#1f4e79", "#c0392b", "#27ae60", "#8e44ad", "#e67e22", "#16a085", "#7f8c8d", "#d35400",
                   "#2c3e50", "#b7950b", "#6c3483", "#117a65")


def _compare_window(comparison: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the plotting window: a few years before the branch to the horizon."""
    start = max(comparison.branch - pd.DateOffset(years=4), min(r.timeseries.date.min() for r in comparison.results))
    return pd.Timestamp(start), pd.Timestamp(comparison.horizon)


def _compare_quantiles(comparison: Any, column: str) -> list[pd.DataFrame]:
    """Return each scenario's median and 10–90 % band of column over seeds, inside the plotting window."""
    start, end = _compare_window(comparison)
    out = []
    for result in comparison.results:
        ts = result.timeseries[(result.timeseries.date >= start) & (result.timeseries.date <= end)]
        out.append(quantiles(ts, column))
    return out


def coinciding(series: Sequence[pd.DataFrame], names: Sequence[str]) -> dict[str, str]:
    """Return, for each scenario whose median line equals an earlier one's everywhere, the earlier one's name."""
    out: dict[str, str] = {}
    for k in range(1, len(series)):
        for j in range(k):
            a, b = series[k]["median"], series[j]["median"]
            if a.index.equals(b.index) and np.allclose(a.to_numpy(float), b.to_numpy(float), atol=1e-9,
                                                       equal_nan=True):
                out[names[k]] = out.get(names[j], names[j])
                break
    return out


def _draw_scenarios(ax: Axes, qs: Sequence[pd.DataFrame], names: Sequence[str], bands: bool, lw: float,
                    step: bool = False) -> dict[str, str]:
    """Draw every scenario's median (and band); the first, the reference, dashed on top; return coincidences."""
    same = coinciding(qs, names)
    kw: dict[str, Any] = {"drawstyle": "steps-post"} if step else {}
    for k, (q, name) in enumerate(zip(qs, names, strict=True)):
        colour = COMPARE_COLOURS[k % len(COMPARE_COLOURS)]
        label = name if name not in same else f"{name} (identical to {same[name]})"
        if k == 0:  # the reference on top, dashed, so a scenario that equals it shows through
            ax.plot(q.index, q["median"], color=colour, lw=lw * 0.8, ls=(0, (4, 2)), zorder=5, label=label, **kw)
        else:
            ax.plot(q.index, q["median"], color=colour, lw=lw, zorder=3, label=label, **kw)
        twin = qs[names.index(same[name])] if name in same else None
        if twin is not None and np.allclose(q[["lo", "hi"]].to_numpy(float), twin[["lo", "hi"]].to_numpy(float),
                                            atol=1e-9, equal_nan=True):
            continue  # the same band as the scenario it equals: drawn once
        if bands:
            ax.fill_between(q.index, q["lo"], q["hi"], color=colour, alpha=0.15, lw=0, zorder=1,
                            step="post" if step else None)
    return same


@styled
def compare_relations(comparison: Any) -> Figure:
    """Overlay the relations index of every scenario (median and band), with the branching date marked."""
    fig, ax = new_figure()
    start, end = _compare_window(comparison)
    qs = _compare_quantiles(comparison, "relations_index")
    bands = n_seeds(comparison.results[0]) > 1
    _draw_scenarios(ax, qs, comparison.names, bands, lw=2.2)
    ax.axvline(comparison.branch, color="black", lw=1.0, ls="--")
    warned = bool(getattr(comparison, "warnings", None))
    ax.annotate(f"branch {comparison.branch:%Y-%m}" + ("\n(the scenarios differ before it:\nsee metrics.md)"
                                                        if warned else ""),
                (comparison.branch, 0.97), xycoords=("data", "axes fraction"),
                xytext=(4, 0), textcoords="offset points", va="top", fontsize=9,
                color=CONFLICT if warned else "black")
    ax.axhline(0.0, color="#888888", lw=0.8)
    ax.set_ylim(-1, 1)
    ax.set_ylabel(observables.label("relations_index"))
    seeds = n_seeds(comparison.results[0])
    ax.set_title(f"NATO–Russia relations by scenario (median, band 10th–90th percentile over {seeds} seeds)",
                 loc="left", fontweight="bold")
    date_axis(ax, start, end)
    legend_outside(ax, title="scenario (first: reference, dashed)")
    return fig


#: the compare panels: column, title, the quantity's natural range (None: open) and the least y-span shown
COMPARE_PANELS: tuple[tuple[str, str, float | None, float | None, float], ...] = (
    ("escalation_level", "Escalation level (0 peace … 5 NATO–Russia war)", 0.0, 5.0, 5.0),
    ("war_intensity_max", "Intensity of Russia's war (0..1)", 0.0, 1.0, 0.2),
    ("mean_threat_from_russia", "Members' threat from Russia (0..1)", 0.0, 1.0, 0.2),
    ("frontline_deterrence", "Eastern-flank deterrence credibility (0..1)", 0.0, 1.0, 0.2),
    ("mean_defence_spending", "Members' mean defence spending (% GDP)", 0.0, None, 1.0),
    ("alliance_cohesion", "Alliance cohesion (0..1)", 0.0, 1.0, 0.2),
    ("russia_economic_strain", "Russia's economic strain (0..1)", 0.0, 1.0, 0.2),
    ("russia_encirclement", "Russia's perceived encirclement (0..1)", 0.0, 1.0, 0.2),
    ("sanctions_level", "Western sanctions (0..1)", 0.0, 1.0, 0.2),
)


def panel_limits(qs: Sequence[pd.DataFrame], low: float | None, high: float | None,
                 min_span: float) -> tuple[float, float]:
    """Return y-limits holding every median and band, at least min_span wide, inside the natural range."""
    lo = min(float(np.nanmin(q[["median", "lo"]].to_numpy(float))) for q in qs)
    hi = max(float(np.nanmax(q[["median", "hi"]].to_numpy(float))) for q in qs)
    span = max(hi - lo, min_span)
    mid = (lo + hi) / 2
    a, b = mid - span / 2, mid + span / 2
    if low is not None and a < low:
        a, b = low, low + span
    if high is not None and b > high:
        a, b = max(high - span, low if low is not None else -np.inf), high
    pad = 0.04 * (b - a)
    return a - pad, b + pad


@styled
def compare_panels(comparison: Any) -> Figure:
    """Small multiples of the headline outputs, one line and band per scenario, y-ranges that do not magnify."""
    fig, axes = new_figure(3, 3, figsize=(15, 10), sharex=True)
    start, end = _compare_window(comparison)
    bands = n_seeds(comparison.results[0]) > 1
    for ax, (column, title, low, high, min_span) in zip(axes.flat, COMPARE_PANELS):
        qs = _compare_quantiles(comparison, column)
        same = _draw_scenarios(ax, qs, comparison.names, bands, lw=1.6, step=column == "escalation_level")
        ax.axvline(comparison.branch, color="black", lw=0.8, ls="--")
        ax.set_title(title, loc="left", fontsize=10)
        date_axis(ax, start, end, label=False)
        a, b = panel_limits(qs, low, high, min_span)
        ax.set_ylim(a, b)
        notes = [f"{k} = {v}" for k, v in same.items()]
        if low is not None and high is not None and (b - a) < 0.9 * (high - low):
            notes.append(f"y-axis zoomed: {a:.2f}–{b:.2f} of {low:g}–{high:g}")
        if notes:
            ax.text(0.99, 0.02, "\n".join(notes), transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
                    color=GUIDE, zorder=6, bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none",
                                                 "alpha": 0.8})
    handles, labels = axes.flat[0].get_legend_handles_labels()
    labels = [lab.split(" (identical")[0] for lab in labels]  # coincidences differ by panel: said in each
    what = "median, band 10th–90th percentile over seeds" if bands else "one seed"
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 6),
               title=f"scenario ({what}; the first, the reference, dashed on top)")
    warned = " — the scenarios differ before the branch: see metrics.md" if getattr(comparison, "warnings", None) else ""
    fig.suptitle(f"Headline outputs by scenario (branch {comparison.branch:%Y-%m}, dashed){warned}",
                 fontweight="bold", x=0.01, ha="left")
    return fig
