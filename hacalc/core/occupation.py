"""The time any Markov chain spends down in a window, exactly: breach probabilities, quantiles and moments.

``hacalc risk`` asks "what is the chance that the downtime D in a window [0, W] exceeds the SLA budget?".
For a single unit there is a closed form (``hacalc.core.risk``); for every chain hacalc solves (spares,
active-active pairs, birth–death chains) this module gives the same answer by uniformization and the
occupation-time result (de Souza e Silva & Gail, "Calculating availability and performability measures of
repairable computer systems using randomization", J. ACM 36(1), 1989; Sericola, "Occupation times in
Markov processes", Stochastic Models 16, 2000):

- Uniformize at Λ = the largest exit rate: the chain jumps at the events of a Poisson process of rate Λ,
  moving by P = I + Q/Λ (self-loops allowed). Given N(W) = n events, the n + 1 sojourns are the spacings
  of n uniform points, Dirichlet(1, …, 1), independent of the visited states X_0..X_n.
- If K_n of those n + 1 states are down, D/W ~ Beta(K_n, n + 1 − K_n), and
  P(D/W > x | n, K_n = k) = P(Binomial(n, x) ≤ k − 1). Summing by parts,

      P(D > xW) = Σ_n Pois(n; ΛW) Σ_j C(n, j) x^j (1 − x)^(n−j) · P(K_n > j)
                = Σ_j Σ_m Pois(j; ΛWx) · Pois(m; ΛW(1 − x)) · P(K_{j+m} > j).

  Every term is positive: a breach probability of 1e-12 keeps its digits, it is never 1 minus a CDF.
  k = 0 (never down: D = 0) contributes nothing to any tail at x ≥ 0; k = n + 1 (down throughout: D = W)
  contributes to every x < 1.
- P(K_n = k, X_n = s) follows from one sparse product per n over the (state, k) table, so the whole
  pass costs about nnz · N²/2 multiply-adds for N Poisson terms (``work_estimate``); rows of k whose mass is
  below ``DROPPED_MASS`` / N are dropped, which makes it much less for chains that are mostly up.

One pass (``downtime_distribution``) keeps P(K_n > j) for the n that matter, so any number of budgets and
quantiles are then cheap. Times are in hours when the chain's rates are per hour (as all hacalc chains
are): the window, budgets, quantiles and moments share the unit of 1/rate. Pure computation: numpy and
scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hacalc.core import markov
from hacalc.core.errors import InputError

STARTS = ("steady", "up")
# Poisson terms beyond ΛW ± (12·√(ΛW + 1) + 50) weigh below 1e-30 in all (reliability-math.md §5.2).
POISSON_REACH = 12.0
POISSON_MARGIN = 50.0
# Total probability the pass may drop from the most-down rows of the (k, state) table (one row is created a
# step, and a row is dropped only while it weighs below DROPPED_MASS / N): answers are exact to this absolute
# amount plus rounding, so a tail of 1e-12 loses nothing but rounding to it.
DROPPED_MASS = 1e-30
# ≈ nnz·N²/2 multiply-adds (``work_estimate``). numpy/scipy do ~1e9 a second on the 2-core machine before
# trimming helps, so the exact method answers in about a second at most; above it, simulate.
MAX_WORK = 1e9
# Floats of P(K_n > j) kept for the Poisson-relevant n (128 MB); only chains that are down most of a long
# window come near it.
MAX_STORED = 16_000_000
QUANTILE_TOLERANCE = 1e-9  # of the window: quantiles are found to W·1e-9 (31 ms in a year)
_CANDIDATES = 15  # points tried per quantile per round: the bracket shrinks 16-fold a round
_DENSE_STATES = 64  # below this, a dense P beats scipy.sparse's per-call overhead
# Rows are created one a step and each is dropped at most once below DROPPED_MASS / N, so checking every
# few steps drops no more in all; it saves a reduction a step where nothing is read.
_TRIM_EVERY = 8


@dataclass(frozen=True, eq=False)
class Downtime:
    """The distribution of the downtime D in one window, with its moments; ``tail`` and ``quantiles`` query it.

    ``expected_failures`` counts up → down transitions inside the window; a window that starts down is
    one more outage with probability ``starts_down`` (``expected_outages`` adds the two).
    """

    window: float
    never_down: float  # P(D = 0): no time at all in a down state
    mean: float
    variance: float
    expected_failures: float
    starts_down: float
    _rate: float = field(repr=False)  # Λ·W, the mean number of uniformization events in the window
    _first: int = field(repr=False)  # the first n kept in _table
    _table: Any = field(repr=False)  # _table[n - _first, j] = P(K_n > j)

    @property
    def sd(self) -> float:
        return math.sqrt(self.variance)

    @property
    def expected_outages(self) -> float:
        """Outages that begin in the window, a window that starts down counting as one."""
        return self.expected_failures + self.starts_down

    def tail(self, points: Sequence[float]) -> Any:
        """P(D > d) for each ``d`` in ``points`` (hours), as a numpy array: 1 below 0, 0 at W and beyond."""
        import numpy as np

        values = np.asarray(points, dtype=float)
        if values.ndim != 1 or not np.all(np.isfinite(values)):
            raise InputError("downtime points must be a list of finite numbers", fix="give budgets in hours")
        return np.array([self._tail_at(float(point)) for point in values])

    def _tail_at(self, point: float) -> float:
        if point < 0:
            return 1.0
        if point >= self.window:
            return 0.0
        return min(_split_sum(self._table, self._first, self._rate, point / self.window), 1.0)

    def quantiles(self, levels: Sequence[float], tolerance: float | None = None) -> list[float]:
        """The least d with P(D ≤ d) ≥ level, for each level in (0, 1), to ``tolerance`` hours.

        Levels at or below P(D = 0) give 0; levels that only the atom at D = W reaches give W. Each round
        evaluates ``_CANDIDATES`` points inside every open bracket in one batch; the first bracket's top
        comes from Cantelli's inequality, P(D > mean + a) ≤ σ²/(σ² + a²).
        """
        levels = [float(level) for level in levels]  # Fractions from the CLI compare slowly with numpy floats
        tolerance = self.window * QUANTILE_TOLERANCE if tolerance is None else tolerance
        if not tolerance > 0:
            raise InputError("the quantile tolerance must be positive")
        brackets: dict[int, tuple[float, float]] = {}
        answers: list[float] = [0.0] * len(levels)
        for position, level in enumerate(levels):
            if not 0 < level < 1:
                raise InputError(f"quantile {level} is not between 0 and 1", "--quantile", "give e.g. 0.95 or 99.9%")
            if level <= self.never_down:
                continue
            spread = self.sd * math.sqrt(level / (1 - level))
            high = min(self.window, self.mean + spread) if math.isfinite(spread) else self.window
            brackets[position] = (0.0, high if self._tail_at(high) <= 1 - level else self.window)
        while brackets:
            candidates = {
                position: [low + (high - low) * step / (_CANDIDATES + 1) for step in range(1, _CANDIDATES + 1)]
                for position, (low, high) in brackets.items()
            }
            flat = [point for points in candidates.values() for point in points]
            values = iter(self.tail(flat))
            for position, points in candidates.items():
                low, high = brackets[position]
                wanted = 1 - levels[position]
                for point in points:
                    if next(values) > wanted:
                        low = point
                    elif point < high:
                        high = point
                if high - low <= tolerance:
                    answers[position] = high
                    del brackets[position]
                else:
                    brackets[position] = (low, high)
        return answers


def downtime_distribution(
    chain: markov.Chain, initial: Sequence[float] | str, window: float, *, max_work: float = MAX_WORK
) -> Downtime:
    """One uniformization pass over ``chain`` for a window of ``window`` hours, starting from ``initial``.

    ``initial`` is a probability per state (in the chain's order) or "steady" / "up" (``initial_distribution``).
    Raises ``InputError`` when the pass would exceed ``max_work`` (see ``work_estimate``): simulate instead.
    """
    _check_window(window)
    start = initial_distribution(chain, initial) if isinstance(initial, str) else _checked_initial(chain, initial)
    work = work_estimate(chain, window)
    if work > max_work:
        raise InputError(
            f"the exact downtime distribution needs about {work:.2g} operations, over the {max_work:.2g} allowed",
            "window",
            "use a shorter window or simulate",
        )
    return _solve(chain, start, window)


def initial_distribution(chain: markov.Chain, start: str) -> tuple[float, ...]:
    """"steady": the chain's long-run probabilities; "up": all mass on state 0, the all-up state of hacalc's chains."""
    if start == "up":
        if not chain.up[0]:
            raise InputError(f"state {chain.labels[0]!r} is down, so the chain cannot start up in it", "--start", "use --start steady")
        return (1.0,) + (0.0,) * (len(chain) - 1)
    if start == "steady":
        try:
            return markov.steady_state(chain).probabilities
        except ValueError as error:
            raise InputError(f"the chain has no steady state ({error})", "--start", "use --start up") from None
    raise InputError(f"unknown start {start!r}", "--start", "give steady or up")


def work_estimate(chain: markov.Chain, window: float) -> float:
    """Multiply-adds of one pass before trimming: (transitions + states) · N²/2 for N Poisson terms.

    The untrimmed count is an upper bound; chains that are mostly up finish far below it. Compare with
    ``MAX_WORK`` to choose exact or simulated.
    """
    _check_window(window)
    rate, _ = _exit_rates(chain)
    steps = _last_step(rate * window) + 1
    nonzero = sum(len(row) for row in chain.rates) + len(chain)
    return nonzero * steps * steps / 2


def occupation_tail(chain: markov.Chain, initial: Sequence[float] | str, window: float, points: Sequence[float]) -> Any:
    """P(D > d) for each d in ``points`` (hours): numpy array, from one pass."""
    return downtime_distribution(chain, initial, window).tail(points)


def probability_never_down(chain: markov.Chain, initial: Sequence[float] | str, window: float) -> float:
    """P(D = 0): no time in any down state during the window (starts up and never fails)."""
    return downtime_distribution(chain, initial, window).never_down


def expected_downtime(chain: markov.Chain, initial: Sequence[float] | str, window: float) -> float:
    """E[D] in hours; W·U for a steady start."""
    return downtime_distribution(chain, initial, window).mean


def downtime_variance(chain: markov.Chain, initial: Sequence[float] | str, window: float) -> float:
    """Var D in hours², summed from positive parts (never E[D²] − E[D]²)."""
    return downtime_distribution(chain, initial, window).variance


def expected_failures(chain: markov.Chain, initial: Sequence[float] | str, window: float) -> float:
    """Expected up → down transitions in the window; NOT counting a window that starts down (see ``Downtime``)."""
    return downtime_distribution(chain, initial, window).expected_failures


def downtime_quantiles(
    chain: markov.Chain, initial: Sequence[float] | str, window: float, levels: Sequence[float]
) -> list[float]:
    """The least d (hours) with P(D ≤ d) ≥ level, for each level, to ``QUANTILE_TOLERANCE`` of the window."""
    return downtime_distribution(chain, initial, window).quantiles(levels)


def _check_window(window: float) -> None:
    if not (isinstance(window, (int, float)) and math.isfinite(window) and window > 0):
        raise InputError(f"the window must be a positive number of hours, got {window!r}", "--window", "give e.g. 30d or 1y")


def _checked_initial(chain: markov.Chain, initial: Sequence[float]) -> tuple[float, ...]:
    """A probability per state, normalised; sums off by more than 1e-9 are an error, not rounding."""
    values = tuple(float(p) for p in initial)
    if len(values) != len(chain):
        raise InputError(f"the start gives {len(values)} probabilities for a chain of {len(chain)} states")
    if not all(math.isfinite(p) and p >= 0 for p in values):
        raise InputError("start probabilities must be finite and non-negative")
    total = math.fsum(values)
    if abs(total - 1) > 1e-9:
        raise InputError(f"start probabilities sum to {total!r}, not 1")
    return tuple(p / total for p in values)


def _exit_rates(chain: markov.Chain) -> tuple[float, list[float]]:
    """Λ (the largest exit rate) and every state's exit rate; a chain that never moves gets Λ = 0."""
    exits = [math.fsum(row.values()) for row in chain.rates]
    return max(exits), exits


def _last_step(mean: float) -> int:
    return int(math.ceil(mean + POISSON_REACH * math.sqrt(mean + 1) + POISSON_MARGIN))


def _first_step(mean: float) -> int:
    return max(0, int(math.floor(mean - POISSON_REACH * math.sqrt(mean + 1) - POISSON_MARGIN)))


def _jump_matrix(chain: markov.Chain, order: Sequence[int], rate: float, exits: Sequence[float]) -> Any:
    """Pᵀ for P = I + Q/Λ with states renumbered by ``order``; dense for small chains, CSR otherwise.

    The diagonal is (Λ − exit)/Λ: a difference of positive rates, accurate to a rounding of 1 absolute.
    """
    from scipy import sparse

    position = {state: index for index, state in enumerate(order)}
    rows, columns, values = [], [], []
    for state in order:
        target_of = position[state]
        if rate > 0:
            stay = (rate - exits[state]) / rate
            for target, value in chain.rates[state].items():
                rows.append(position[target])
                columns.append(target_of)
                values.append(value / rate)
        else:
            stay = 1.0
        if stay > 0:
            rows.append(target_of)
            columns.append(target_of)
            values.append(stay)
    size = len(order)
    transposed = sparse.csr_matrix((values, (rows, columns)), shape=(size, size))
    return transposed.toarray() if size <= _DENSE_STATES else transposed


def _solve(chain: markov.Chain, initial: Sequence[float], window: float) -> Downtime:
    """The pass: P(K_n = k, X_n = s) for n = 0..N, up states first, k the down states among X_0..X_n."""
    import numpy as np
    from scipy import stats

    ups = [state for state in range(len(chain)) if chain.up[state]]
    downs = [state for state in range(len(chain)) if not chain.up[state]]
    order, split = ups + downs, len(ups)
    rate, exits = _exit_rates(chain)
    mean_events = rate * window
    first, last = _first_step(mean_events), _last_step(mean_events)
    transposed = _jump_matrix(chain, order, rate, exits)
    steps = np.arange(last + 1)
    weights = _poisson(steps, mean_events)
    weights /= math.fsum(weights)  # scipy's log-pmf is off by ~1e-11 at ΛW ≈ 1e4, mostly in common; the sum is 1
    beyond = stats.poisson.sf(steps, mean_events) if mean_events > 0 else np.zeros(last + 1)  # P(N(W) > n)
    drop = DROPPED_MASS / (last + 1)

    start = np.array([initial[state] for state in order])
    joint = np.zeros((len(order), 16))  # joint[s, k] = P(X_n = s, K_n = k), two buffers used in turn
    spare = np.zeros_like(joint)
    joint[:split, 0] = start[:split]
    joint[split:, 1] = start[split:]  # X_0 itself counts: a down start has k = 1
    width = 2 if downs else 1
    occupancy = np.zeros(len(order))  # ∫₀ᵂ P(X_t = s) dt · Λ, by Σ_n P(X_n = s)·P(N(W) > n)
    kept = np.zeros((last - first + 1, 8))  # kept[n - first, j] = P(K_n > j)
    kept_width = 0
    never, spread = 0.0, 0.0
    fractions = np.zeros(last - first + 1)  # E[K_n]/(n + 1): the mean down fraction given n events

    for n in range(last + 1):
        current = joint[:, :width]
        occupancy += beyond[n] * current.sum(axis=1)
        if n >= first or n % _TRIM_EVERY == 0:
            by_k = current.sum(axis=0)
            heavy = np.flatnonzero(by_k >= drop)
            if heavy.size and heavy[-1] + 1 < width:  # drop the most-down rows once they are negligible
                width = int(heavy[-1]) + 1
                current, by_k = current[:, :width], by_k[:width]
        if n >= first:
            row = n - first
            above = np.cumsum(by_k[::-1])[::-1][1:]  # P(K_n > j) for j < width - 1, a sum of positives
            if above.size > kept.shape[1]:
                if kept.shape[0] * above.size > MAX_STORED:
                    raise InputError(
                        "this chain spends so much of the window down that the exact method would need too much memory",
                        "window",
                        "use a shorter window or simulate",
                    )
                grown = np.zeros((kept.shape[0], min(max(2 * kept.shape[1], above.size), MAX_STORED // kept.shape[0])))
                grown[:, : kept.shape[1]] = kept
                kept = grown
            kept[row, : above.size] = above
            kept_width = max(kept_width, above.size)
            never += weights[n] * by_k[0]
            k = np.arange(width)
            share = k / (n + 1)
            fractions[row] = float(by_k @ share)
            # Var(D/W | n) = E[Var(Beta)] + Var(K/(n + 1)): both sums of positive terms
            within = share * (1 - share) / (n + 2) + (share - fractions[row]) ** 2
            spread += weights[n] * float(by_k @ within)
        if n == last:
            break
        if width + 1 > joint.shape[1]:
            joint = np.concatenate([joint, np.zeros_like(joint)], axis=1)
            spare = np.zeros_like(joint)
        width = _step(transposed, current, spare, split, width, bool(downs))
        joint, spare = spare, joint

    relevant = weights[first:]
    mean_fraction = float(relevant @ fractions)
    variance = spread + float(relevant @ (fractions - mean_fraction) ** 2)
    time_in = occupancy / rate if rate > 0 else start * window
    to_down = np.array([math.fsum(r for target, r in chain.rates[state].items() if not chain.up[target]) for state in ups])
    return Downtime(
        window=window,
        never_down=min(float(never), 1.0),  # a sum of positive terms may round a hair above 1
        mean=window * mean_fraction,
        variance=float(window * window * variance),
        expected_failures=float(time_in[:split] @ to_down) if ups else 0.0,
        starts_down=math.fsum(start[split:]),
        _rate=mean_events,
        _first=first,
        _table=kept[:, : max(kept_width, 1)].copy(),
    )


def _step(transposed: Any, current: Any, target: Any, split: int, width: int, has_downs: bool) -> int:
    """One jump of P into ``target``: up states keep k, down states move to k + 1. Returns the new width."""
    import numpy as np

    if not has_downs:
        target[:, :width] = transposed @ current
        return width
    if isinstance(transposed, np.ndarray):
        np.matmul(transposed[:split], current, out=target[:split, :width])
        np.matmul(transposed[split:], current, out=target[split:, 1 : width + 1])
    else:
        moved = transposed @ current
        target[:split, :width] = moved[:split]
        target[split:, 1 : width + 1] = moved[split:]
    target[:split, width] = 0.0
    target[split:, 0] = 0.0
    return width + 1


def _split_sum(table: Any, first: int, mean_events: float, fraction: float) -> float:
    """Σ_j Pois(j; ΛWx) Σ_m Pois(m; ΛW(1 − x)) P(K_{j+m} > j) over the kept n = j + m, for 0 ≤ x < 1.

    The inner sums run down the table's anti-diagonals: a sliding window over one Poisson vector gives them
    without copying, so a point costs (kept rows) × (j within reach of Pois(ΛWx)) multiply-adds.
    """
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    rows, columns = table.shape
    inside, outside = mean_events * fraction, mean_events * (1 - fraction)
    reach = min(columns, _last_step(inside) + 1)
    low = max(0, _first_step(outside) - first)  # rows (n) whose m = n - j can matter for some j < reach
    high = min(rows, _last_step(outside) + reach - first + 1)
    if low >= high:
        return 0.0
    inside_weights = _poisson(np.arange(reach), inside)
    counts = np.arange(first + low - (reach - 1), first + high)  # m from the smallest n - j to the largest n
    outside_weights = _poisson(counts, outside)
    shifted = sliding_window_view(outside_weights, reach)[:, ::-1]  # shifted[i, j] = Pois(n_i - j)
    inner = np.einsum("ij,ij->j", shifted, table[low:high, :reach])
    return float(inside_weights @ inner)


def _poisson(counts: Any, mean: float) -> Any:
    """Pois(count; mean), 0 for negative counts; a mean of 0 puts all mass on 0."""
    from scipy import stats

    if mean <= 0:
        return (counts == 0).astype(float)
    return stats.poisson.pmf(counts, mean)
