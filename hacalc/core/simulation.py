"""Monte Carlo downtime in a window for an alternating up/down unit whose times are not exponential.

Exponential up and down times have an exact answer (reliability-math.md §5.2); every other shape is
simulated here (§5.3): ``runs`` independent windows, each an alternating renewal process, the downtime
clipped to the window. All durations are hours. The simulation is vectorised by rounds: each round draws
one up time and one down time for every window still short of its end, so the Python loop runs as many
times as the busiest window has cycles, never once per event. Windows are simulated in batches of
``BATCH`` to bound memory.

A steady start (the default) is the stationary process: the window opens down with probability
E[D]/(E[U]+E[D]), and the first sojourn is the residual life of that state, whose density is S(t)/mean
(§5.3). It is drawn exactly as a uniform fraction of a length-biased draw: lognormal(m + s², s) for a
lognormal, λ·Gamma(1 + 1/k)^(1/k) for a Weibull, the value itself for a deterministic time, the values
resampled in proportion to their size for an empirical one; an exponential time is its own residual.

Every estimate carries its Monte Carlo standard error and the number of runs it rests on, so that a
breach seen 3 times in 100,000 runs is reported as too few to trust rather than as a number.
numpy is imported inside the functions, never at module level.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hacalc.core.errors import InputError

if TYPE_CHECKING:
    import numpy as np

KINDS = ("exponential", "lognormal", "weibull", "deterministic", "empirical")
FORMS = "exponential, deterministic, lognormal:cv=X, lognormal:sigma=X, weibull:shape=X, empirical:FILE"
STARTS = ("steady", "up")
BATCH = 1 << 18  # windows simulated at once: a few MB per state array
MIN_COUNT = 10  # runs needed on each side of an event before its estimate is called trustworthy
# Heavier tails than these put the mean in events so rare that no affordable number of runs sees them.
MAX_CV = 100.0
MAX_SIGMA = math.sqrt(math.log1p(MAX_CV**2))
MIN_SHAPE = 0.1
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class Distribution:
    """A positive duration in hours with the given mean; ``sigma`` (lognormal) and ``shape`` (Weibull) fix its form.

    An empirical distribution is its ``values`` as given, resampled with equal weight; its ``mean`` is their mean.
    """

    kind: str
    mean: float
    sigma: float = 0.0
    shape: float = 0.0
    values: tuple[float, ...] = ()

    @property
    def cv(self) -> float:
        """Coefficient of variation (standard deviation / mean), the one number that compares the shapes."""
        if self.kind == "exponential":
            return 1.0
        if self.kind == "deterministic":
            return 0.0
        if self.kind == "lognormal":
            return math.sqrt(math.expm1(self.sigma**2))
        if self.kind == "weibull":
            return math.sqrt(math.expm1(math.lgamma(1 + 2 / self.shape) - 2 * math.lgamma(1 + 1 / self.shape)))
        variance = math.fsum((value - self.mean) ** 2 for value in self.values) / len(self.values)
        return math.sqrt(variance) / self.mean

    def describe(self) -> str:
        """One line for the assumptions line of a report: "lognormal, mean 4h, cv 1.5"."""
        if self.kind == "lognormal":
            return f"lognormal, mean {self.mean:g}h, cv {self.cv:.3g} (sigma {self.sigma:.3g})"
        if self.kind == "weibull":
            return f"weibull, mean {self.mean:g}h, shape {self.shape:g}"
        if self.kind == "empirical":
            return f"empirical, {len(self.values)} values, mean {self.mean:.4g}h"
        return f"{self.kind}, mean {self.mean:g}h"

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent durations."""
        import numpy as np

        if self.kind == "exponential":
            return rng.exponential(self.mean, size)
        if self.kind == "lognormal":
            return rng.lognormal(self._log_location(), self.sigma, size)
        if self.kind == "weibull":
            return rng.weibull(self.shape, size) * self._weibull_scale()
        if self.kind == "deterministic":
            return np.full(size, self.mean)
        return np.asarray(self.values)[rng.integers(0, len(self.values), size)]

    def sample_residual(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Residual lives in a stationary process (density S(t)/mean): a uniform fraction of a length-biased draw."""
        import numpy as np

        if self.kind == "exponential":
            return rng.exponential(self.mean, size)
        if self.kind == "lognormal":
            biased = rng.lognormal(self._log_location() + self.sigma**2, self.sigma, size)
        elif self.kind == "weibull":
            biased = rng.gamma(1 + 1 / self.shape, 1.0, size) ** (1 / self.shape) * self._weibull_scale()
        elif self.kind == "deterministic":
            biased = np.full(size, self.mean)
        else:
            values = np.asarray(self.values)
            biased = rng.choice(values, size, p=values / values.sum())
        return biased * rng.random(size)

    def _log_location(self) -> float:
        return math.log(self.mean) - self.sigma**2 / 2  # §5.1: m = ln(MTTR) - s²/2

    def _weibull_scale(self) -> float:
        return math.exp(math.log(self.mean) - math.lgamma(1 + 1 / self.shape))  # §5.1: η = MTTF/Γ(1+1/β)


def parse_distribution(spec: str, mean: float | None, values: tuple[float, ...] | None = None) -> Distribution:
    """A distribution from ``kind[:key=value]`` with the given mean in hours.

    ``empirical`` (or ``empirical:FILE``; the caller reads the file) takes ``values`` and ignores ``mean``:
    the values are used as they are, so its mean is theirs.
    """
    kind, colon, parameters = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in KINDS:
        _refuse(spec, f"'{kind}' is not a distribution")
    if kind == "empirical":
        return _empirical(spec, values)
    if mean is None or not math.isfinite(mean) or mean <= 0:
        raise InputError(f"the mean of '{spec}' must be a positive number of hours, not {mean}", fix="give e.g. 4h")
    given = _parameters(spec, parameters if colon else None)
    accepted = {"lognormal": {"cv", "sigma"}, "weibull": {"shape"}}.get(kind, set())
    for key in given:
        if key not in accepted:
            _refuse(spec, f"{kind} takes no '{key}'" if accepted else f"{kind} takes no parameters")
    if kind == "lognormal":
        if len(given) != 1:
            _refuse(spec, "lognormal needs exactly one of cv or sigma")
        sigma = given.get("sigma") or math.sqrt(math.log1p(given.get("cv", 0.0) ** 2))
        if not 0 < sigma <= MAX_SIGMA * (1 + 1e-12):
            _refuse(spec, f"cv must be above 0 and at most {MAX_CV:g} (sigma at most {MAX_SIGMA:.4g})")
        return Distribution("lognormal", float(mean), sigma=sigma)
    if kind == "weibull":
        shape = given.get("shape")
        if shape is None:
            _refuse(spec, "weibull needs shape")
        if shape < MIN_SHAPE:
            _refuse(spec, f"shape must be at least {MIN_SHAPE:g}")
        return Distribution("weibull", float(mean), shape=shape)
    return Distribution(kind, float(mean))


def _parameters(spec: str, text: str | None) -> dict[str, float]:
    """``key=value`` pairs after the colon; ``None`` when there was no colon."""
    if text is None:
        return {}
    given: dict[str, float] = {}
    for item in text.split(","):
        key, equals, number = (part.strip() for part in item.partition("="))
        key = key.lower()
        if not equals or not key:
            _refuse(spec, f"'{item.strip()}' is not key=value")
        if key in given:
            _refuse(spec, f"{key} is given twice")
        if not _NUMBER.fullmatch(number):
            _refuse(spec, f"'{number}' is not a plain number (no units or text after it)")
        given[key] = float(number)
        if not math.isfinite(given[key]) or given[key] <= 0:
            _refuse(spec, f"{key} must be above 0")
    return given


def _empirical(spec: str, values: tuple[float, ...] | None) -> Distribution:
    if not values:
        _refuse(spec, "an empirical distribution needs at least one value")
    for position, value in enumerate(values, 1):
        if not math.isfinite(value) or value <= 0:
            raise InputError(
                f"value {position} of '{spec}' is {value}", fix="give positive durations in hours (zero is not one)"
            )
    numbers = tuple(float(value) for value in values)
    return Distribution("empirical", math.fsum(numbers) / len(numbers), values=numbers)


def _refuse(spec: str, problem: str) -> None:
    raise InputError(f"distribution '{spec}': {problem}", fix=f"use one of {FORMS}")


@dataclass(frozen=True)
class Simulation:
    """Per-run results: downtime hours in the window and outages that began in it (a window opening down counts one).

    ``cycles`` counts the up/down pairs drawn: the outages, plus one per window that ends up (its next failure
    falls after the end).
    ``seed`` is the one used, drawn from the OS when none was given, so any run can be repeated.
    """

    downtime: np.ndarray
    outages: np.ndarray
    cycles: int
    runs: int
    seed: int
    window: float
    start: str
    up: Distribution | None  # None for a simulated Markov chain (simulate_chain)
    down: Distribution | None


MAX_CYCLES = 5e8  # about half a minute of simulation: more is a mistake in the inputs, or a job for the exact path


def _too_long(cycles: float) -> InputError:
    return InputError(
        f"the simulation would draw about {cycles:.2g} failure-repair cycles (at most {MAX_CYCLES:.0e})",
        "--runs",
        "give fewer --runs, a shorter window, or MTTF and MTTR of the window's order",
    )


def expected_cycles(up: Distribution, down: Distribution, window: float, runs: int) -> float:
    """About how many cycles a simulation will draw (renewal rate × window, plus one per run): its cost."""
    return runs * (window / (up.mean + down.mean) + 1)


def simulate_window(
    up: Distribution, down: Distribution, window: float, runs: int, seed: int | None, start: str = "steady"
) -> Simulation:
    """``runs`` independent windows of ``window`` hours; the same seed gives the same arrays."""
    import numpy as np

    if not math.isfinite(window) or window <= 0:
        raise InputError(f"the window must be a positive number of hours, not {window}", fix="give e.g. 30d")
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise InputError(f"runs must be a whole number of at least 1, not {runs}", "--runs", "give e.g. 100000")
    if start not in STARTS:
        raise InputError(f"start '{start}' is not one of {', '.join(STARTS)}", "--start", "give steady or up")
    if expected_cycles(up, down, window, runs) > MAX_CYCLES:
        raise _too_long(expected_cycles(up, down, window, runs))
    rng, seed = _generator(seed)
    downtime = np.empty(runs)
    outages = np.empty(runs, dtype=np.int64)
    cycles = 0
    for first in range(0, runs, BATCH):
        last = min(first + BATCH, runs)
        cycles += _batch(up, down, window, rng, start, downtime[first:last], outages[first:last])
    return Simulation(downtime, outages, cycles, runs, seed, float(window), start, up, down)


def _first_round(
    up: Distribution, down: Distribution, rng: np.random.Generator, size: int, start: str
) -> tuple[np.ndarray, np.ndarray]:
    """The first up and down times; a window that opens down gets an up time of 0, so its outage starts at 0."""
    import numpy as np

    if start == "up":
        return up.sample(rng, size), down.sample(rng, size)
    opens_down = rng.random(size) < down.mean / (up.mean + down.mean)
    opens_up = ~opens_down
    ups = np.zeros(size)
    downs = np.empty(size)
    ups[opens_up] = up.sample_residual(rng, int(opens_up.sum()))
    downs[opens_down] = down.sample_residual(rng, int(opens_down.sum()))
    downs[opens_up] = down.sample(rng, int(opens_up.sum()))
    return ups, downs


def _batch(
    up: Distribution,
    down: Distribution,
    window: float,
    rng: np.random.Generator,
    start: str,
    downtime: np.ndarray,
    outages: np.ndarray,
) -> int:
    """Fill ``downtime`` and ``outages`` (views) round by round; the state arrays hold only unfinished windows."""
    import numpy as np

    size = len(downtime)
    ups, downs = _first_round(up, down, rng, size, start)
    ids = np.arange(size)
    now = np.zeros(size)
    down_so_far = np.zeros(size)
    count = np.zeros(size, dtype=np.int64)
    cycles = 0
    while True:
        cycles += len(ids)
        failed_at = now + ups
        room = np.maximum(window - failed_at, 0.0)  # 0 once the failure is at or past the end
        down_so_far += np.minimum(downs, room)  # ``downs`` itself when unclipped, so deterministic sums stay exact
        count += room > 0
        now = failed_at + downs
        going = now < window
        done = ~going
        downtime[ids[done]] = down_so_far[done]
        outages[ids[done]] = count[done]
        if not going.any():
            return cycles
        ids, now, down_so_far, count = ids[going], now[going], down_so_far[going], count[going]
        ups, downs = up.sample(rng, len(ids)), down.sample(rng, len(ids))


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate, its standard error, and ``count``: the runs the estimate rests on.

    For a probability ``count`` is the runs where the event happened; for a quantile the runs above it; for
    a mean the runs where the quantity is not zero. ``trustworthy`` is set by each estimator: a probability or
    quantile needs ``MIN_COUNT`` runs on each side (``count`` ≥ 10 and ``runs - count`` ≥ 10), below which the
    standard error itself is unreliable; a mean needs ``count`` ≥ 10.
    """

    value: float
    standard_error: float
    count: int
    runs: int
    trustworthy: bool


def _two_sided(count: int, runs: int) -> bool:
    return count >= MIN_COUNT and runs - count >= MIN_COUNT


def proportion(hits: int, runs: int) -> Estimate:
    """p̂ = hits/runs with the binomial standard error √(p̂(1−p̂)/runs)."""
    value = hits / runs
    return Estimate(value, math.sqrt(value * (1 - value) / runs), hits, runs, _two_sided(hits, runs))


def sample_mean(values: np.ndarray) -> Estimate:
    """Mean of per-run values (downtime, outages, a service credit) with its standard error s/√n."""
    import numpy as np

    runs = len(values)
    value = float(values.mean())
    spread = float(values.std(ddof=1)) if runs > 1 else math.inf
    nonzero = int(np.count_nonzero(values))
    return Estimate(value, spread / math.sqrt(runs), nonzero, runs, nonzero >= MIN_COUNT)


def probability_above(sim: Simulation, budget: float) -> Estimate:
    """P(downtime > budget): the chance of breaching an SLA whose downtime budget is ``budget`` hours."""
    import numpy as np

    if not math.isfinite(budget) or budget < 0 or budget > sim.window:
        raise InputError(
            f"the budget {budget:g} h is not between 0 and the window ({sim.window:g} h)", "--budget",
            "give a budget no longer than the window",
        )  # fmt: skip
    return proportion(int(np.count_nonzero(sim.downtime > budget)), sim.runs)


def probability_no_outage(sim: Simulation) -> Estimate:
    """P(no outage began in the window); a window that opens down has one."""
    import numpy as np

    return proportion(int(np.count_nonzero(sim.outages == 0)), sim.runs)


def expected_outages(sim: Simulation) -> Estimate:
    """Mean number of outages that began in the window."""
    return sample_mean(sim.outages)


def mean_and_sd(sim: Simulation) -> tuple[Estimate, float]:
    """Mean downtime (with its standard error) and the standard deviation of downtime between windows."""
    mean = sample_mean(sim.downtime)
    return mean, mean.standard_error * math.sqrt(sim.runs)


def quantile(sim: Simulation, level: float) -> Estimate:
    """The ``level`` quantile of downtime (smallest x with F̂(x) ≥ level) and an order-statistic standard error.

    The rank of the true quantile among n runs is Binomial(n, q): ranks nq ± √(nq(1−q)) bracket it, and half
    the width between those two order statistics is the standard error.
    """
    import numpy as np

    if not 0 < level < 1:
        raise InputError(f"quantile level {level} is not between 0 and 1", "--quantile", "give e.g. 0.99 or 99%")
    runs = sim.runs
    spread = math.sqrt(runs * level * (1 - level))
    rank = max(math.ceil(runs * level), 1)  # 1-based
    low = min(max(math.floor(runs * level - spread), 1), runs)
    high = min(max(math.ceil(runs * level + spread), 1), runs)
    ordered = np.partition(sim.downtime, sorted({low - 1, rank - 1, high - 1}))
    value = float(ordered[rank - 1])
    above = int(np.count_nonzero(sim.downtime > value))
    standard_error = (float(ordered[high - 1]) - float(ordered[low - 1])) / 2
    return Estimate(value, standard_error, above, runs, _two_sided(above, runs) and runs * min(level, 1 - level) >= MIN_COUNT)


def simulate_chain(chain: Any, initial: Sequence[float], window: float, runs: int, seed: int | None) -> Simulation:
    """``runs`` windows of a Markov chain (a spares system, a structure's product chain) by its jumps: every
    still-running window takes one step at a time, all at once, so the loop is per step, not per event.

    For chains whose exact solution would take too long (a failover of seconds in a year's window makes
    uniformization stiff): exponential holding times, the next state by its rate's share."""
    import numpy as np

    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise InputError(f"runs must be a whole number of at least 1, not {runs}", "--runs", "give e.g. 100000")
    rng, seed = _generator(seed)
    exits, targets, shares = _jump_tables(chain)
    up = np.array(chain.up, dtype=bool)
    state = rng.choice(len(chain), size=runs, p=np.asarray(initial, dtype=float) / sum(initial))
    clock = np.zeros(runs)
    downtime = np.zeros(runs)
    outages = (~up[state]).astype(np.int64)
    steps = 0
    active = np.arange(runs)
    while len(active):
        here = state[active]
        rate = exits[here]
        stay = np.where(rate > 0, rng.exponential(size=len(active)) / np.where(rate > 0, rate, 1), np.inf)
        ending = np.minimum(clock[active] + stay, window)
        downtime[active] += np.where(up[here], 0.0, ending - clock[active])
        clock[active] = ending
        moving = ending < window
        active, here = active[moving], here[moving]
        choice = (rng.random(len(active))[:, None] > shares[here]).sum(axis=1)
        following = targets[here, choice]
        outages[active] += up[here] & ~up[following]
        state[active] = following
        steps += len(active)
        if steps > MAX_CYCLES:
            raise _too_long(steps)
    return Simulation(downtime, outages, steps, runs, seed, float(window), "custom", None, None)


def _generator(seed: int | None) -> tuple[Any, int]:
    """numpy's generator for ``seed``, or for a fresh one from the OS (returned, so the run can be repeated)."""
    import numpy as np

    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**128:
        raise InputError(f"seed {seed} is not a whole number from 0 to 2^128 - 1", "--seed", "give e.g. --seed 1")
    return np.random.default_rng(seed), seed


def _jump_tables(chain: Any) -> tuple[Any, Any, Any]:
    """Exit rate per state, and its targets with the cumulative shares of its rate, padded to one width."""
    import numpy as np

    width = max((len(row) for row in chain.rates), default=0) or 1
    exits = np.zeros(len(chain))
    targets = np.zeros((len(chain), width), dtype=np.int64)
    shares = np.ones((len(chain), width))
    for state, row in enumerate(chain.rates):
        total = sum(row.values())
        exits[state] = total
        running = 0.0
        for column, (target, rate) in enumerate(row.items()):
            running += rate
            targets[state, column] = target
            shares[state, column] = running / total
        shares[state, max(len(row) - 1, 0) :] = 2.0  # past the last target: never chosen beyond it
    return exits, targets, shares


def simulate_structure(root: Any, window: float, runs: int, seed: int | None, start: str = "steady") -> Simulation:
    """``runs`` windows of a compose structure of independent ``unit(MTTF, MTTR)`` parts, too many for its
    product chain: each step, every running window's next part to fail or be repaired is drawn at once
    (exponential times), and the structure function says whether the system is down."""
    import numpy as np

    from hacalc.core.compose import leaves, working

    parts = leaves(root)
    columns = {id(part): position for position, part in enumerate(parts)}
    failure = np.array([3600 / float(part.mean_times[0]) for part in parts])
    repair = np.array([3600 / float(part.mean_times[1]) for part in parts])
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise InputError(f"runs must be a whole number of at least 1, not {runs}", "--runs", "give e.g. 100000")
    if start not in STARTS:
        raise InputError(f"start '{start}' is not one of {', '.join(STARTS)}", "--start", "give steady or up")
    rng, seed = _generator(seed)
    part_down = rng.random((runs, len(parts))) < failure / (failure + repair) if start == "steady" else np.zeros((runs, len(parts)), bool)
    system_down = ~working(root, part_down, columns)
    clock, downtime = np.zeros(runs), np.zeros(runs)
    outages = system_down.astype(np.int64)
    active, steps = np.arange(runs), 0
    while len(active):
        rates = np.where(part_down[active], repair, failure)
        total = rates.sum(axis=1)
        ending = np.minimum(clock[active] + rng.exponential(size=len(active)) / total, window)
        downtime[active] += np.where(system_down[active], ending - clock[active], 0.0)
        clock[active] = ending
        moving = ending < window
        active, rates, total = active[moving], rates[moving], total[moving]
        flipped = (np.cumsum(rates, axis=1) < (rng.random(len(active)) * total)[:, None]).sum(axis=1)
        part_down[active, np.minimum(flipped, len(parts) - 1)] ^= True
        now_down = ~working(root, part_down[active], columns)
        outages[active] += now_down & ~system_down[active]
        system_down[active] = now_down
        steps += len(active)
        if steps > MAX_CYCLES:
            raise _too_long(steps)
    return Simulation(downtime, outages, steps, runs, seed, float(window), start, None, None)
