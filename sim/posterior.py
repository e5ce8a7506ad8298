"""Parameter uncertainty in ensembles: one draw from the calibration's posterior per seed.

``natosim calibrate`` writes, next to the calibration file ``X.yaml``, the final ABC-SMC population
as ``X_posterior.csv`` (one column per calibrated parameter, plus ``weight``) and names it in the
YAML (``posterior: X_posterior.csv``).  A scenario loaded with the posterior on (``posterior: true``
in the file, ``--posterior`` on the command line) carries a ``PosteriorSample``: the particles of
every parameter the calibration estimated and their normalised weights.  A parameter the record
could not identify (``applied: false``) keeps its registry value in a point run; with the posterior
it is drawn too, from particles that span nearly its whole prior: what the record does not tell us
is part of the uncertainty the bands must show (issue 12).

For seed ``s`` the particle is drawn from the seed alone — a uniform number from
``numpy.random.default_rng([s, STREAM])`` located in the weights' cumulative sum — so the draw is
the same whatever the number of workers, the chunk size or the scenario: scenarios compared over
the same seeds share each seed's particle (paired differences under parameter uncertainty).

Values resolve, later winning: the registry, the calibration's point values (posterior medians),
the seed's particle, the scenario's own ``parameters``, then ``--set``.  A parameter fixed by the
last two is not drawn (its column is left out of the recorded draws).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim import parameters, safe_yaml

#: the second word of every draw's seed sequence ("post"): keeps the draws apart from the model's own stream
STREAM = 0x706F7374
#: the posterior file of calibration X.yaml is X_posterior.csv
SUFFIX = "_posterior.csv"
#: the name of the weights column
WEIGHT = "weight"
#: the file a run writes its draws to
DRAWS_FILE = "posterior_draws.csv"


class PosteriorError(ValueError):
    """A posterior (or the calibration naming it) is missing or invalid; names the file, the field and the problem."""

    def __init__(self, file: str | Path, where: str, message: str):
        self.problem = (str(file), where, message)
        super().__init__(f"{file}: {where}: {message}")


def path_for(calibration_file: str | Path) -> Path:
    """Return where the posterior of a calibration file is written: ``X.yaml`` -> ``X_posterior.csv``."""
    p = Path(calibration_file)
    return p.with_name(p.stem + SUFFIX)


def named_file(calibration_file: str | Path, raw: dict[str, Any] | None = None) -> Path:
    """Return the posterior file a calibration file names (relative to its folder); raise PosteriorError if none."""
    calibration_file = Path(calibration_file)
    if raw is None:
        try:
            raw = safe_yaml.load(calibration_file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise PosteriorError(calibration_file, "(file)", f"cannot be read: {exc}") from None
    name = raw.get("posterior") if isinstance(raw, dict) else None
    if not name:
        raise PosteriorError(calibration_file, "posterior",
                             f"calibration {calibration_file} has no posterior file; re-run `natosim calibrate`")
    target = Path(str(name))
    return target if target.is_absolute() else calibration_file.parent / target


def load(path: str | Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Return a posterior file's particles (one column per parameter) and normalised weights, validated.

    ``path`` is the CSV, or a calibration YAML (then the file it names).  Raise PosteriorError naming the
    file when it is missing, empty, has no ``weight`` column, a column not in the registry, a value that
    is not a number or out of the registry's range, or weights that are negative, not finite or sum to 0.
    """
    path = Path(path)
    if path.suffix in (".yaml", ".yml"):
        path = named_file(path)
    if not path.is_file():
        raise PosteriorError(path, "(file)", "no such posterior file; re-run `natosim calibrate`")
    try:
        df = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise PosteriorError(path, "(file)", "is empty; expected a header (parameters, weight) and particles") from None
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise PosteriorError(path, "(file)", f"is not a readable CSV: {exc}") from None
    if WEIGHT not in df.columns:
        raise PosteriorError(path, "(header)", f"has no {WEIGHT!r} column; columns: {', '.join(map(str, df.columns))}")
    names = [str(c) for c in df.columns if c != WEIGHT]
    reg = parameters.registry()
    unknown = [c for c in names if c not in reg]
    if unknown:
        raise PosteriorError(path, "(header)", f"column(s) {', '.join(unknown)} not in the parameter registry "
                             "(see `natosim params`)")
    if not names:
        raise PosteriorError(path, "(header)", "has no parameter column")
    if df.empty:
        raise PosteriorError(path, "(rows)", "has no particles")
    for col in [*names, WEIGHT]:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.astype(float))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise PosteriorError(path, f"row {row + 2}, {col}", f"{df[col].iloc[row]!r} is not a finite number")
        df[col] = values.astype(float)
    for col in names:
        p = reg[col]
        out = ~df[col].between(p.low, p.high)
        if out.any():
            row = int(np.flatnonzero(out.to_numpy())[0])
            raise PosteriorError(path, f"row {row + 2}, {col}",
                                 f"{df[col].iloc[row]} is out of range; allowed {p.low} .. {p.high} ({p.unit})")
    w = df[WEIGHT].to_numpy(dtype=float)
    if (w < 0).any():
        row = int(np.flatnonzero(w < 0)[0])
        raise PosteriorError(path, f"row {row + 2}, {WEIGHT}", f"{w[row]} is negative; weights must be >= 0")
    if not w.sum() > 0:
        raise PosteriorError(path, WEIGHT, "weights sum to 0; at least one particle needs a positive weight")
    return df[names].reset_index(drop=True), w / w.sum()


def write(particles: pd.DataFrame, weights: np.ndarray, path: str | Path) -> Path:
    """Write particles (one column per parameter) and their weights as a posterior file; return its path."""
    from sim.outputs import write_table

    path = Path(path)
    table = particles.reset_index(drop=True).assign(**{WEIGHT: np.asarray(weights, dtype=float)})
    write_table(table, path.with_suffix(""), formats=("csv",))
    return path


def sha256(path: str | Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def particle_index(seed: int, weights: np.ndarray) -> int:
    """Return the particle drawn for ``seed``: a function of the seed and the weights alone."""
    u = np.random.default_rng([int(seed), STREAM]).random()
    cdf = np.cumsum(weights)
    return int(min(np.searchsorted(cdf, u * cdf[-1], side="right"), len(cdf) - 1))


@dataclass(eq=False)
class PosteriorSample:
    """The posterior a scenario draws from: its file, hash and the particles of every estimated parameter."""

    file: str
    sha256: str
    calibration: str
    particles: pd.DataFrame = field(repr=False)
    weights: np.ndarray = field(repr=False)
    #: estimated parameters the record could not identify: registry values in point runs, drawn here
    not_applied: tuple[str, ...] = ()

    @property
    def parameters(self) -> list[str]:
        """Return the names of the drawn parameters."""
        return list(self.particles.columns)

    def draw(self, seed: int, fixed: Iterable[str] = ()) -> tuple[int, dict[str, float]]:
        """Return the seed's particle index and its values, leaving out the ``fixed`` parameters."""
        k = particle_index(seed, self.weights)
        skip = set(fixed)
        row = self.particles.iloc[k]
        return k, {name: float(row[name]) for name in self.particles.columns if name not in skip}

    def draws(self, seeds: Iterable[int], fixed: Iterable[str] = ()) -> pd.DataFrame:
        """Return one row per seed: ``seed``, ``particle`` (row of the posterior file, from 0) and the drawn values."""
        fixed = set(fixed)
        columns = ["seed", "particle", *[c for c in self.particles.columns if c not in fixed]]
        rows = []
        for s in seeds:
            k, values = self.draw(s, fixed)
            rows.append({"seed": int(s), "particle": k, **values})
        return pd.DataFrame(rows, columns=columns)

    def describe(self) -> dict[str, Any]:
        """Return what identifies the posterior (for manifests and ``natosim show``)."""
        return {"file": self.file, "sha256": self.sha256, "calibration": self.calibration,
                "particles": len(self.particles), "parameters": self.parameters,
                "not_applied": list(self.not_applied), "stream": STREAM}


def for_calibration(calibration_file: str | Path, applied: Iterable[str], raw: dict[str, Any] | None = None
                    ) -> PosteriorSample:
    """Return the posterior of a calibration file (every estimated parameter); raise PosteriorError."""
    calibration_file = Path(calibration_file)
    file = named_file(calibration_file, raw)
    particles, weights = load(file)
    applied = list(applied)
    missing = [name for name in applied if name not in particles.columns]
    if missing:
        raise PosteriorError(file, "(header)", f"has no column for {', '.join(missing)}, which calibration "
                             f"{calibration_file} applies; re-run `natosim calibrate`")
    return PosteriorSample(file=str(file), sha256=sha256(file), calibration=str(calibration_file),
                           particles=particles, weights=weights,
                           not_applied=tuple(c for c in particles.columns if c not in applied))


__all__ = ["DRAWS_FILE", "STREAM", "PosteriorError", "PosteriorSample", "for_calibration", "load", "named_file",
           "particle_index", "path_for", "sha256", "write"]
