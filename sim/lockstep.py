"""Lockstep ensembles: the runs of one scenario advanced together, phase by phase.

An ensemble of R runs (seeds, or the points of a sweep) keeps one model object
per run, with its own calendar, scheduled events, generators, event log and
records, but the numbers of every run's world live in one set of arrays with a
leading run axis (``WorldArrays``); each model sees its own run through a
``WorldView``, which reads and writes its row of those arrays.  A step is the
model's ``PHASES`` in order; each phase runs for every run before the next
begins.  A phase with a batched form (``sim.phases``) runs once over all runs;
the others run model by model on the views.  Either way each run does the same
arithmetic in the same order and draws from its own generators in its own
order, so a run's results do not depend on the ensemble it is part of.
"""

from __future__ import annotations

import contextlib
import gc
import math
import mmap
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from sim import events, observables
from sim.draws import Draws
from sim.events import Event, EventType
from sim.mechanisms.trust import rate
from sim.model import NatoRussiaModel
from sim.setup import ModelSetup
from sim.world import World

#: the fewest runs worth advancing in lockstep: a batched phase's fixed cost per step is about three times a
#: phase method's, so with fewer runs each goes faster alone (measured, historical: even at 4 runs)
LOCKSTEP_MIN_RUNS = 4

#: world attributes that the roster alone fixes: the same object in every run of an ensemble
SHARED: frozenset[str] = frozenset(
    {"codes", "names", "_index", "_rows", "r", "us", "growth_year0", "bloc", "proximity_class", "not_r",
     "west", "partners", "eligible", "eye", "diag", "west_nr", "partner_idx"}
)
#: world attributes a view keeps for its run alone (caches of the world's own methods)
PRIVATE: frozenset[str] = frozenset({"_members"})
#: float attributes that may be None (held as NaN in the arrays)
OPTIONAL: frozenset[str] = frozenset({"trust_seen"})


class WorldArrays:
    """Every run's world state as arrays with a leading run axis (``arrays[name][q]`` is run q's)."""

    def __init__(self, worlds: Sequence[World]):
        """Stack the worlds of R runs of one roster (their shapes must agree)."""
        if not worlds:
            raise ValueError("an ensemble needs at least one run")
        first = vars(worlds[0])
        self.runs = len(worlds)
        self.shared = {name: first[name] for name in SHARED if name in first}
        self.arrays: dict[str, np.ndarray] = {}
        self.scalars: set[str] = set()
        for name, value in first.items():
            if name in SHARED or name in PRIVATE:
                continue
            values = [vars(w)[name] for w in worlds]
            if isinstance(value, np.ndarray):
                self.arrays[name] = np.stack(values)
                continue
            self.scalars.add(name)
            if name in OPTIONAL:
                self.arrays[name] = np.array([math.nan if v is None else v for v in values], float)
            elif isinstance(value, str):
                self.arrays[name] = np.array(values, dtype=object)
            elif isinstance(value, bool | np.bool_):
                self.arrays[name] = np.array(values, dtype=bool)
            elif isinstance(value, int | np.integer):
                self.arrays[name] = np.array(values, dtype=np.int64)
            elif isinstance(value, float | np.floating):
                self.arrays[name] = np.array(values, dtype=float)
            else:
                raise TypeError(f"world attribute {name!r}: no run axis for a {type(value).__name__}")
        self._view_class = _view_class(tuple(sorted(self.arrays)), frozenset(self.scalars))
        # read as plain attributes (``W.trust``): the same objects as in ``arrays`` (assignment writes into them)
        clash = set(self.arrays) & {"arrays", "shared", "scalars", "runs", "_view_class"}
        if clash:
            raise TypeError(f"world attribute(s) {sorted(clash)} clash with the ensemble's own")
        vars(self).update(self.shared)
        vars(self).update(self.arrays)

    def view(self, q: int) -> WorldView:
        """Return run q's world: an object like ``World`` whose attributes are run q's rows."""
        return self._view_class(self, q)

    def __setattr__(self, name: str, value: Any) -> None:
        arrays = self.__dict__.get("arrays")
        if arrays is not None and name in arrays:
            arrays[name][...] = value  # in place: every view reads this array
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["arrays"][name]
        except KeyError:
            try:
                return self.__dict__["shared"][name]
            except KeyError:
                raise AttributeError(name) from None


class WorldView(World):
    """One run's world inside ``WorldArrays``: reads and writes go to that run's rows."""

    def __init__(self, arrays: WorldArrays, q: int):
        vars(self).update(arrays.shared)
        self._arrays = arrays.arrays
        self._q = q
        self._members = None

    def __repr__(self) -> str:
        return f"<WorldView run {self._q} of {len(next(iter(self._arrays.values())))}>"


def _array_property(name: str) -> property:
    def get(self):
        return self._arrays[name][self._q]

    def put(self, value):
        self._arrays[name][self._q] = value

    return property(get, put, doc=f"run's {name}")


def _scalar_property(name: str, optional: bool) -> property:
    if optional:
        def get(self):
            x = self._arrays[name][self._q].item()
            return None if math.isnan(x) else x

        def put(self, value):
            self._arrays[name][self._q] = math.nan if value is None else value
    else:
        def get(self):
            x = self._arrays[name][self._q]
            return x.item() if isinstance(x, np.generic) else x

        def put(self, value):
            self._arrays[name][self._q] = value

    return property(get, put, doc=f"run's {name}")


_VIEW_CLASSES: dict[tuple, type] = {}


def _view_class(names: tuple[str, ...], scalars: frozenset[str]) -> type:
    """Return the view class whose properties are these batched attributes (made once per set of names)."""
    key = (names, scalars)
    cls = _VIEW_CLASSES.get(key)
    if cls is None:
        props = {
            name: _scalar_property(name, name in OPTIONAL) if name in scalars else _array_property(name)
            for name in names
        }
        cls = type("WorldView", (WorldView,), props)
        _VIEW_CLASSES[key] = cls
    return cls


#: batched forms of the phases: phase name -> function(ensemble) (``batched_phase``; the forms: ``sim.phases``)
BATCHED: dict[str, Callable[[Lockstep], None]] = {}


def batched_phase(phase: str) -> Callable[[Callable[[Lockstep], None]], Callable[[Lockstep], None]]:
    """Register a function as the batched form of one of ``NatoRussiaModel.PHASES``."""
    if phase not in NatoRussiaModel.PHASES:
        raise ValueError(f"no phase {phase!r}; phases: {', '.join(NatoRussiaModel.PHASES)}")

    def register(fn: Callable[[Lockstep], None]) -> Callable[[Lockstep], None]:
        BATCHED[phase] = fn
        return fn

    return register


class RunParams:
    """Every run's parameter values as arrays over runs (``P.trust_relax_rate[q]`` is run q's)."""

    def __init__(self, models: Sequence[NatoRussiaModel]):
        """Read the values in force in each run's ``model.p``."""
        names = vars(models[0].p)
        self.__dict__.update({name: np.array([getattr(m.p, name) for m in models], dtype=float)
                              for name in names})
        self._rates: dict[tuple[str, int], np.ndarray] = {}
        self._packed: dict[tuple[str, ...], np.ndarray] = {}

    def packed(self, names: tuple[str, ...]) -> np.ndarray:
        """Return every run's values of these parameters as one (R, names) array (made once per set of values)."""
        found = self._packed.get(names)
        if found is None:
            found = self._packed[names] = np.stack([getattr(self, name) for name in names], axis=1)
            found.flags.writeable = False
        return found

    def rate(self, name: str, months: int) -> np.ndarray:
        """Return every run's ``trust.rate`` of the monthly rate ``name`` for a step of ``months`` months.

        Computed once per set of values (a set_parameter event makes a new ``RunParams``): 24 rates a step
        cost 0.1 ms of Python and small ufunc calls, 7 % of a run alone in lockstep (measured 2026-12-02).
        """
        found = self._rates.get((name, months))
        if found is None:
            found = self._rates[(name, months)] = rate(getattr(self, name), months)
            found.flags.writeable = False
        return found


class Lockstep:
    """R runs of one setup, stepped together (one seed, and optionally parameter values, per run)."""

    def __init__(self, setup: ModelSetup, seeds: Iterable[int],
                 params: Sequence[dict[str, float]] | None = None, batched: bool | Iterable[str] = True,
                 states: bool = True):
        """Build one model per seed (with ``params[q]`` overriding run q's parameters) and stack their worlds.

        ``batched=False`` runs every phase model by model (the reference the batched forms are tested
        against); a collection of phase names batches only those.  ``states=False`` keeps no per-state
        record: the model-level outputs are computed from the state rows of every ``DERIVE_BLOCK`` steps, over
        all runs at once (``model.outputs()`` reads them, completing them first if asked mid-run;
        ``model.state_records`` is None), which needs the batched record phase.
        """
        seeds = list(seeds)
        params = list(params) if params is not None else [{}] * len(seeds)
        if len(params) != len(seeds):
            raise ValueError(f"{len(seeds)} seeds but {len(params)} parameter sets")
        self.seeds = seeds
        # one model built in full per set of parameter values; the others of the set start from its world
        templates: dict[Any, NatoRussiaModel] = {}
        self.models = []
        for seed, values in zip(seeds, params, strict=True):
            key = _params_key(values)
            template = templates.get(key)
            if template is None:
                model = templates[key] = NatoRussiaModel(setup, rng=seed, mesa_collect=False, **values)
            else:
                model = NatoRussiaModel(template.setup, rng=seed, mesa_collect=False, template=template)
            self.models.append(model)
        self.world = WorldArrays([m.world for m in self.models])
        first = self.models[0]
        # the records start empty (zeros, as in a model): allocated, not copied; step first, then run, so that a
        # step's rows of every run are one block (written run-first, 385 x 125 scattered blocks took 16x longer)
        steps = first.state_records.shape[0]
        wanted = set(NatoRussiaModel.PHASES) if batched is True else set() if batched is False else set(batched)
        if not states and "_phase_record" not in wanted:
            raise ValueError("states=False needs the batched record phase")
        self.states = states
        self.steps = steps
        #: every run's state rows, (steps, runs, state outputs, states); without states, the last
        #: ``DERIVE_BLOCK`` steps' only (step k in row k % DERIVE_BLOCK), until their model outputs are derived
        self.state_records = _zeros((steps if states else min(steps, DERIVE_BLOCK), len(seeds),
                                     *first.state_records.shape[1:]))
        #: steps recorded, and steps whose model-level outputs are derived (``derive_model_records``)
        self.recorded = self.derived = 0
        self.scalar_records = _zeros((steps, len(seeds), *first.scalar_records.shape[1:]))
        #: without states, every run's model-level outputs, (steps, runs, outputs) in ``observables.MODEL`` order
        self.model_records = None if states else _zeros((steps, len(seeds), len(observables.MODEL)))
        for q, m in enumerate(self.models):
            m.world = self.world.view(q)
            m.state_records = self.state_records[:, q] if states else None
            m.scalar_records = self.scalar_records[:, q]
            if not states:
                m.model_records = self.model_records[:, q]
                m.records_due = self.derive_model_records
        self._draws: dict[str, Draws] = {}
        self._views = [m.world for m in self.models]
        #: the models with directives or standing holds this step (found after the step's events)
        self._directed: list[NatoRussiaModel] = []
        self._params = [m.p for m in self.models]
        self.phases = [(phase, BATCHED.get(phase) if phase in wanted else None) for phase in NatoRussiaModel.PHASES]
        self.months = setup.months_per_step
        #: the runs' parameter values, as arrays over runs (rebuilt after a step's events change them)
        self.p = RunParams(self.models)
        #: steps whose scheduled events set a parameter (``p`` is read again after their events)
        self._reparam = {k for k, evs in self.models[0].scheduled.items()
                         if any(ev.type == "set_parameter" for ev in evs)}

    @property
    def runs(self) -> int:
        """Number of runs."""
        return len(self.models)

    @property
    def running(self) -> bool:
        """Whether the runs have steps left (they share one calendar)."""
        return self.models[0].running

    def step(self) -> None:
        """Advance every run by one step, one phase at a time."""
        models = self.models
        for m in models:
            m.steps += 1
        k = models[0].steps - 1
        for phase, batched in self.phases:
            if batched is not None:
                batched(self)
            else:
                for m in models:
                    getattr(m, phase)()
            if phase == "_phase_events":
                if k in self._reparam:
                    self.p = RunParams(models)
                # holds start and end only with this phase's events; directives are set between steps
                self._directed = [m for m in models if m.directives or m.standing]

    @property
    def k(self) -> int:
        """Index of the step being played (the runs share one calendar)."""
        return self.models[0].steps - 1

    def decide(self, specs: Sequence[Sequence[tuple]], source: str) -> None:
        """Emit every run's decided events, as ``model.decided`` does run by run (identical events at once).

        ``specs[q]`` lists run q's events in the order they are decided, each ``(etype, actor, targets,
        label[, params])``; ``source`` names the decision.  A run's events are applied in its order, so each
        sees the effects of the ones before it; runs with directives, holds or vetoes go through their model.
        """
        self._emit([[(s[0], s[1], tuple(s[2]), s[3], source, "emergent", s[4] if len(s) > 4 else None)
                     for s in run] for run in specs], decided=True)

    def decide_some(self, runs: Sequence[tuple[int, Sequence[tuple]]], source: str) -> None:
        """``decide`` for the runs that decided anything, given as ``(run, its events)`` pairs."""
        if not runs:
            return
        specs: list[Sequence[tuple]] = [()] * self.runs
        for q, decided in runs:
            specs[q] = decided
        self.decide(specs, source)

    def draws(self, stream: str) -> Draws:
        """Return the draws from every run's stream of that name, in one compiled call (``sim.draws``)."""
        found = self._draws.get(stream)
        if found is None:  # a model keeps its generators for its life: read their addresses once
            found = self._draws[stream] = Draws([getattr(m.streams, stream) for m in self.models])
        return found

    def emit(self, items: Sequence[Sequence[tuple]]) -> None:
        """Emit every run's events, as ``model.emit`` does run by run: ``items[q]`` lists run q's events,
        each ``(etype, actor, targets, label, source, origin, params)``."""
        self._emit([[(i[0], i[1], tuple(i[2]), *i[3:]) for i in run] for run in items], decided=False)

    def apply_scheduled(self, events: Sequence[Event]) -> None:
        """Apply scheduled events to every run, in order, as ``model.apply_event`` does run by run."""
        for ev in events:
            self._apply_groups(ev, range(self.runs), self.models[0].event_types[ev.type])

    def _emit(self, items: list[list[tuple]], decided: bool) -> None:
        models = self.models
        left = [q for q, run in enumerate(items) if run]  # the runs with an i-th event, in run order
        i = 0
        while left:
            groups: dict[tuple, list[int]] = {}
            for q in left:
                item = items[q][i]
                m = models[q]
                if m.directives or m.standing or m.vetoed:  # the model's own way: directives may suppress it
                    etype, actor, targets, label, source, origin, params = item
                    if decided:
                        m.decided(etype, actor, list(targets), label, source, params)
                    else:
                        m.emit(etype, actor, list(targets), label, source, origin, params)
                    continue
                key = item[:6] + (_params_key(item[6]),)
                groups.setdefault(key, []).append(q)
            parts: list[tuple] = []
            for key, runs in groups.items():
                etype, actor, targets, label, source, origin, _ = key
                q0 = runs[0]
                params = items[q0][i][6]
                event = Event(models[q0].date, etype, actor, targets, label, source, dict(params or {}),
                              origin=origin)
                self._parts(event, runs, models[q0].event_types[etype], parts)
            if parts:  # a run has one event in a round: the round's events in one call
                events.apply_parts(self.world, self.p, self._views, self._params, parts, self.k)
            i += 1
            left = [q for q in left if len(items[q]) > i]

    def _apply_groups(self, event: Event, runs: Sequence[int], etype: EventType) -> None:
        """Apply one event in ``runs``: together where the codes it names are the same rows, and log it."""
        parts: list[tuple] = []
        self._parts(event, runs, etype, parts)
        if parts:
            events.apply_parts(self.world, self.p, self._views, self._params, parts, self.k)

    def _parts(self, event: Event, runs: Sequence[int], etype: EventType, parts: list[tuple]) -> None:
        """Log one event in ``runs`` and add its parts (runs where the codes it names are the same rows) to ``parts``.

        A ``hold_policy`` starts a hold in each run's model: it is applied there and then, run by run.
        """
        models = self.models
        entry = (event.date, event.actor, ",".join(event.targets), event.type, etype.goldstein, event.origin,
                 event.label, event.source, event.id)
        if event.type == "hold_policy":
            for q in runs:
                models[q].apply_event(event)
            return
        codes = (event.actor, *event.targets)
        if "NATO" in codes:  # the members: the same rows in the runs whose membership is the same
            by_members: dict[bytes, list[int]] = {}
            member = self.world.arrays["member"]
            for q in runs:
                by_members.setdefault(member[q].tobytes(), []).append(q)
            split = list(by_members.values())
        else:
            split = [list(runs)]
        for part in split:
            view = models[part[0]].world
            parts.append((event, etype, np.array(part), events.resolve_codes(view, (event.actor,)),
                          events.resolve_codes(view, event.targets)))
        for q in runs:
            models[q].event_log.append(entry)

    def derive_model_records(self) -> None:
        """Without states: compute the model-level outputs of the steps recorded since the last call, at once.

        The derived outputs reduce along the states' axis only, so a block of steps gives each step the bits
        it gets alone (tested); one numpy call per output per block, not per step, is what this saves.
        """
        if self.states or self.derived == self.recorded:
            return
        start, end = self.derived, self.recorded
        a = start % len(self.state_records)
        m = self.models[0]
        rows = observables.Rows(self.state_records[a:a + end - start], self.scalar_records[start:end], m.east,
                                m.world.west & m.world.not_r, self.world.r)
        np.stack(list(observables.model_values(rows).values()), axis=-1, out=self.model_records[start:end])
        self.derived = end

    def direct(self, phase: str) -> None:
        """Apply, in each run that has any, the outside decisions in force for a phase (as ``model._direct``)."""
        for m in self._directed:
            m._direct(phase)

    def run(self) -> Lockstep:
        """Run every step to the scenario's end; return self."""
        while self.running:
            self.step()
        return self


#: record buffers of finished ensembles, kept for the next chunk of the same shape in this process: a fresh
#: buffer of a chunk's size (330 MB for 128 historical runs) is mapped page by page as the steps first write it,
#: which measured about 1.3 s a chunk here, against 0.1 s for the same writes into memory already mapped
_SPARE: list[np.ndarray] = []
_SPARE_MAX = 2


#: without states, the steps of state rows kept before their model-level outputs are derived together (at 128
#: runs 12 MB; a historical ensemble of 10 runs, 2026-12-02: deriving step by step took 5.4 ms of a run's 63)
DERIVE_BLOCK = 16

#: buffers from this size on are mapped without transparent huge pages (``fresh_zeros``)
SMALL_PAGES_FROM = 4 << 20


def fresh_zeros(shape: tuple[int, ...]) -> np.ndarray:
    """Return a new zeroed float array of ``shape``; a large one in memory mapped without transparent huge pages.

    numpy asks for huge pages for arrays of 4 MB or more; where the kernel must first compact memory to find
    them (``defrag=madvise``, as here) the first writes wait for it.  Measured 2026-12-02, the first write of a
    chunk's 277 MB of state records: 2.6 s with huge pages the first time, 0.04 s when they were at hand, 0.14 s
    (0.12-0.16, every time) in small pages.  The steady cost is taken.
    """
    nbytes = math.prod(shape) * np.dtype(float).itemsize
    if nbytes < SMALL_PAGES_FROM or not hasattr(mmap, "MADV_NOHUGEPAGE"):
        return np.zeros(shape)
    try:
        memory = mmap.mmap(-1, nbytes)  # anonymous: zero-filled pages, mapped as first written
    except OSError as exc:  # as np.zeros says it
        raise MemoryError(f"cannot map {nbytes / 2**20:.0f} MiB for a lockstep record of shape {shape}: "
                          f"{exc.strerror}") from None
    memory.madvise(mmap.MADV_NOHUGEPAGE)
    return np.frombuffer(memory, dtype=float).reshape(shape)


@contextlib.contextmanager
def small_pages() -> Iterator[None]:
    """Within the block (and in worker processes forked in it), numpy asks for no transparent huge pages.

    The same wait as in ``fresh_zeros``, for the tables an ensemble's parent builds from its chunks: a
    1,000-run historical ensemble (``run_many``, two workers, 2026-12-02) spent 2.3-2.5 s of the parent's
    kernel time with numpy's huge pages and 1.3-1.5 s without, 18.5-19.9 s wall against 17.0-17.6 s.
    numpy's setting is put back after the block.
    """
    setter = getattr(getattr(np, "_core", None), "multiarray", None)
    setter = getattr(setter, "_set_madvise_hugepage", None)
    if setter is None:  # a numpy without the switch
        yield
        return
    before = setter(False)
    try:
        yield
    finally:
        setter(before)


#: objects the interpreter had frozen when this module was imported (Python 3.12 starts with a few hundred)
_FROZEN_AT_IMPORT = gc.get_freeze_count()


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Within the block, the garbage collector leaves alone the objects that existed when it began.

    A process that has imported pandas, numba and the model holds some 150,000 tracked objects, and every
    full collection during the runs scans them all again (the workers freeze theirs for good:
    ``sweep.execute.freeze_heap``).  Measured 2026-12-02, bench_sweep's 200-run sweep with one worker, run in
    the calling process, fresh processes: 1.44-1.49 s CPU without, 1.37-1.38 s with.  They are unfrozen after
    the block, so whatever of them became garbage meanwhile is collected then.  A heap frozen already (a
    worker's, or the caller's) is left as it is.
    """
    if gc.get_freeze_count() > _FROZEN_AT_IMPORT:
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _zeros(shape: tuple[int, ...]) -> np.ndarray:
    """Return a zeroed float array of ``shape``: a spare buffer nothing refers to any more, or a new one."""
    for attempt in range(2):
        for buf in _SPARE:
            # referred to by the list, the loop and the call's argument only: no model or record holds a view of it
            if buf.shape == shape and sys.getrefcount(buf) <= 3:
                buf.fill(0.0)
                return buf
        if attempt == 0 and any(buf.shape == shape for buf in _SPARE):
            gc.collect()  # finished models hold their views in reference cycles (Mesa's model and agents)
        else:
            break
    buf = fresh_zeros(shape)
    _SPARE.append(buf)
    while len(_SPARE) > _SPARE_MAX:
        _SPARE.pop(0)
    return buf


def _params_key(params: dict[str, Any] | None) -> Any:
    """Return a hashable key of an event's parameters (lists among them, e.g. hosts, included)."""
    if not params:
        return ()
    try:
        key = tuple(sorted(params.items()))
        hash(key)
        return key
    except TypeError:
        return repr(sorted(params.items()))


def chunks(n: int, size: int) -> list[range]:
    """Split n runs into consecutive chunks of at most ``size``."""
    return [range(a, min(a + size, n)) for a in range(0, n, max(1, size))]


def run_lockstep(setup: ModelSetup, seeds: Sequence[int], params: Sequence[dict[str, float]] | None = None,
                 chunk: int = 128) -> list[NatoRussiaModel]:
    """Run the seeds in lockstep chunks of ``chunk`` runs; return one finished model per seed, in order."""
    out: list[NatoRussiaModel] = []
    for part in chunks(len(seeds), chunk):
        ensemble = Lockstep(setup, [seeds[i] for i in part], None if params is None else [params[i] for i in part])
        out.extend(ensemble.run().models)
    return out


def describe() -> dict[str, Any]:
    """Return which phases run batched (for benchmarks and docs)."""
    return {phase: phase in BATCHED for phase in NatoRussiaModel.PHASES}


import sim.phases  # noqa: F401 - registers the batched phases (they import this module's ``batched_phase``)
