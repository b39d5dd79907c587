"""G/G/c response times: Erlang C with an Allen-Cunneen correction for variability.

A serving fleet is ``c`` identical workers fed at rate ``lam``; a request's service time has
mean ``S`` and coefficient of variation ``cs`` (0 = constant, as GPU inference nearly is; 1 =
exponential), arrivals have coefficient of variation ``ca`` (1 = Poisson). With offered load
``a = lam S`` and utilisation ``rho = a / c``:

* the probability an arrival waits is Erlang C ``C(c, a)`` (:mod:`latency`);
* the mean wait of a request that waits is Allen-Cunneen's ``w = (ca^2 + cs^2) / 2 / (c/S -
  lam)``, so the mean wait is ``C w`` (exact for M/M/c; Pollaczek-Khinchine for M/G/1);
* its shape: a gamma with mean ``w`` whose tail decays at the queue's asymptotic rate
  ``eta``, the positive root of ``E[e^(eta S / c)] E[e^(-eta A)] = 1`` (the c servers seen
  as one c times as fast; exact for M/M/c and M/D/c), i.e. gamma shape ``max(1, eta w)``.
  For M/M/c that is the exponential, for near-constant service a lighter, more bunched wait;
* the response time ``T = W + S`` with ``S`` independent of ``W``:
  ``P(T > t) = P(S > t) + C E[P(W' > t - S); S <= t]``. ``S`` is constant (cs = 0),
  exponential, or lognormal with the given mean and cv; the expectation runs over a fixed
  grid of the service time's quantiles (closed form for M/M/c), and quantiles of ``T`` are
  found by regula falsi (Illinois, :func:`roots.solve`) on the closed form, by bisection on the grid.

``rho >= 1`` is an unbounded queue: every quantile is infinite. The tests check these
predictions against an independent discrete-event simulation of M/M/c, M/D/c and
M/lognormal/c queues (c = 1..16, rho = 0.1..0.9: p95 and p99 within 10 %).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np

from costopt.tradeoff.latency import erlang_c
from costopt.tradeoff.load import quantile_linear
from costopt.tradeoff.roots import bisect, bracket, solve

SHAPES = ("deterministic", "exponential", "lognormal")
GRID_POINTS = 1024
TABLE_POINTS = 4096


@dataclass(frozen=True, slots=True)
class ServiceTime:
    """Mean (any time unit), coefficient of variation and shape of a request's service time."""

    mean: float
    cv: float = 1.0
    shape: str = "lognormal"

    def __post_init__(self) -> None:
        if not (self.mean > 0 and math.isfinite(self.mean)):
            raise ValueError(f"service time must be a finite number > 0, got {self.mean}")
        if not (self.cv >= 0 and math.isfinite(self.cv)):
            raise ValueError(f"service cv must be a finite number >= 0, got {self.cv}")
        if self.shape not in SHAPES:
            raise ValueError(f"service shape must be one of {', '.join(SHAPES)}, got {self.shape!r}")
        if self.cv == 0:
            object.__setattr__(self, "shape", "deterministic")
        elif self.shape == "deterministic":
            raise ValueError("a deterministic service time has cv 0")
        elif self.shape == "exponential" and self.cv != 1.0:
            raise ValueError("an exponential service time has cv 1")

    def scaled(self, factor: float) -> ServiceTime:
        """The same distribution, every request ``factor`` times as long."""
        return ServiceTime(self.mean * factor, self.cv, self.shape)

    def survival(self, t: float) -> float:
        """P(S > t)."""
        return self.survival_function()(t)

    def survival_function(self) -> Callable[[float], float]:
        """P(S > t) as a function of t, the distribution's constants worked out once (a
        quantile search calls it ~40 times)."""
        mean = self.mean
        if self.shape == "deterministic":
            return lambda t: 1.0 if t < mean else 0.0
        if self.shape == "exponential":
            return lambda t: 1.0 if t < 0 else math.exp(-t / mean)
        sigma = math.sqrt(math.log1p(self.cv * self.cv))
        mu = math.log(mean) - sigma * sigma / 2.0
        spread = sigma * math.sqrt(2.0)
        return lambda t: 1.0 if t <= 0 else 0.5 * math.erfc((math.log(t) - mu) / spread)

    def grid(self) -> np.ndarray:
        """GRID_POINTS equally likely service times (the quantiles at (k + 1/2) / n)."""
        return _unit_grid(self.shape, self.cv) * self.mean


@lru_cache(maxsize=256)
def _unit_grid(shape: str, cv: float) -> np.ndarray:
    u = (np.arange(GRID_POINTS) + 0.5) / GRID_POINTS
    if shape == "deterministic":
        return np.ones(GRID_POINTS)
    if shape == "exponential":
        return -np.log1p(-u)
    sigma = math.sqrt(math.log1p(cv * cv))
    z = np.array([NormalDist().inv_cdf(p) for p in u])
    return np.exp(-sigma * sigma / 2.0 + sigma * z)


@dataclass(frozen=True, slots=True)
class WaitShape:
    """The wait of a request that waits: a gamma with this mean and shape (1 = exponential)."""

    mean: float
    shape: float = 1.0

    def survival_table(self) -> tuple[np.ndarray, np.ndarray]:
        """P(W' > x) on a grid of x (for interpolation); exact for shape 1."""
        return _gamma_survival_table(self.shape, self.mean)


@lru_cache(maxsize=4096)
def _gamma_survival_table(shape: float, mean: float) -> tuple[np.ndarray, np.ndarray]:
    scale = mean / shape
    top = scale * (shape + 12.0 * math.sqrt(shape) + 40.0)  # P(W' > top) < 1e-15
    x = np.linspace(0.0, top, TABLE_POINTS)
    if shape == 1.0:
        return x, np.exp(-x / mean)
    with np.errstate(divide="ignore"):
        log_pdf = (shape - 1.0) * np.log(x / scale) - x / scale - math.lgamma(shape) - math.log(scale)
    pdf = np.exp(log_pdf)
    cdf = np.concatenate(([0.0], np.cumsum((pdf[1:] + pdf[:-1]) * 0.5 * np.diff(x))))
    return x, np.clip(1.0 - cdf / cdf[-1], 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class GGc:
    """A G/G/c queue: arrival rate (per service-time unit), service time, servers, arrival cv."""

    lam: float
    service: ServiceTime
    servers: int
    arrival_cv: float = 1.0

    def __post_init__(self) -> None:
        if self.lam < 0 or not math.isfinite(self.lam):
            raise ValueError(f"arrival rate must be a finite number >= 0, got {self.lam}")
        if int(self.servers) != self.servers or self.servers < 1:
            raise ValueError(f"servers must be a whole number >= 1, got {self.servers}")
        if not (self.arrival_cv >= 0 and math.isfinite(self.arrival_cv)):
            raise ValueError(f"arrival cv must be a finite number >= 0, got {self.arrival_cv}")

    @property
    def load(self) -> float:
        """Offered load in Erlangs (lam x mean service time)."""
        return self.lam * self.service.mean

    @property
    def rho(self) -> float:
        """Utilisation per server."""
        return self.load / self.servers

    @property
    def stable(self) -> bool:
        return self.rho < 1.0 and self.servers / self.service.mean - self.lam > 0.0

    @property
    def p_wait(self) -> float:
        return erlang_c(int(self.servers), self.load) if self.lam > 0 else 0.0

    @property
    def variability(self) -> float:
        """Allen-Cunneen's factor (ca^2 + cs^2) / 2 (1 for M/M/c)."""
        return (self.arrival_cv ** 2 + self.service.cv ** 2) / 2.0

    @property
    def mean_wait(self) -> float:
        if not self.stable:
            return math.inf
        return self.p_wait * self.conditional_wait().mean

    @property
    def mean_response(self) -> float:
        return self.mean_wait + self.service.mean

    def conditional_wait(self) -> WaitShape:
        """The wait of a request that has to wait: mean from Allen-Cunneen, tail decay from the
        queue's asymptotic decay rate (a gamma with that mean and rate; shape at least 1)."""
        mean = self.variability / (self.servers / self.service.mean - self.lam)
        if mean <= 0 or self.lam <= 0:
            return WaitShape(max(mean, 0.0), 1.0)
        eta = decay_rate(self.lam, self.service.mean, self.service.cv, int(self.servers), self.arrival_cv)
        shape = eta * mean
        return WaitShape(mean, 1.0 if shape < 1.0 + 1e-6 else shape)  # M/M/c gives 1 up to rounding

    def response_survival(self, t: float) -> float:
        """P(T > t) for the response time T = wait + service."""
        if not self.stable:
            return 1.0
        return _survival(t, self.service, self.p_wait, self.conditional_wait())

    def response_quantile(self, q: float) -> float:
        """The q-quantile of the response time (inf when rho >= 1)."""
        if not 0.0 < q < 1.0:
            raise ValueError(f"quantile must be in (0, 1), got {q}")
        if not self.stable:
            return math.inf
        pw, wait = self.p_wait, self.conditional_wait()
        tail = 1.0 - q
        grid = self.service.grid()  # sorted; computed once for every step of the search
        lo = quantile_linear(grid, q) * (1.0 - 1e-9)  # T >= S
        hi = lo + self.service.mean + (wait.mean * (wait.shape + 12.0 * math.sqrt(wait.shape) + 40.0)
                                       if pw > 0 and wait.mean > 0 else 0.0)
        service = self.service
        survival = _response_survival(service, pw, wait, grid)

        def above(t: float) -> bool:
            return survival(t) > tail

        lo, hi = bracket(above, lo, hi, service.mean * 1e12)
        if math.isinf(hi):
            return hi
        if service.shape == "exponential" and (pw <= 0.0 or wait.mean <= 0.0 or wait.shape == 1.0):
            # a closed form, smooth and decreasing: regula falsi. The grid's expectation jumps
            # by pw / GRID_POINTS at each grid point (several crossings of the tail), so it
            # keeps the bisection, which finds the same crossing as it always did
            return solve(lambda t: survival(t) - tail, lo, hi, 1e-9)
        return bisect(above, lo, hi, 1e-9)


def _survival(t: float, service: ServiceTime, pw: float, wait: WaitShape, grid: np.ndarray | None = None) -> float:
    """P(S > t) + pw P(W' + S > t, S <= t), the expectation over the service-time grid
    (``grid``: ``service.grid()`` when the caller already has it)."""
    return _response_survival(service, pw, wait, grid)(t)


def _response_survival(service: ServiceTime, pw: float, wait: WaitShape,
                       grid: np.ndarray | None = None) -> Callable[[float], float]:
    """:func:`_survival` as a function of t, its constants worked out once per search."""
    service_sf = service.survival_function()
    if pw <= 0.0 or wait.mean <= 0.0:
        return lambda t: 1.0 if t <= 0 else service_sf(t)
    if service.shape == "exponential" and wait.shape == 1.0:  # M/M/c-like: closed form
        mean = service.mean
        mu, theta = 1.0 / mean, 1.0 / wait.mean
        delta = theta - mu

        def closed(t: float) -> float:
            if t <= 0:
                return 1.0
            tail = math.exp(-t / mean)
            if delta < 0 and -delta * t > 700.0:  # e^(|delta| t) would overflow: two-exponential form
                return min(1.0, tail + pw * mu / -delta * (math.exp(-theta * t) - tail))
            g = t if abs(delta) * t < 1e-12 else -math.expm1(-delta * t) / delta  # (1 - e^(-delta t)) / delta
            return min(1.0, tail * (1.0 + pw * mu * g))

        return closed
    s = service.grid() if grid is None else grid
    x, sf = wait.survival_table()

    def on_grid(t: float) -> float:
        if t <= 0:
            return 1.0
        tail = service_sf(t)
        done = s[:int(np.searchsorted(s, t, side="right"))]  # the grid is sorted: the points <= t
        if done.size == 0:
            return tail
        return min(1.0, tail + pw * float(np.interp(t - done, x, sf, right=0.0).sum()) / s.size)

    return on_grid


@lru_cache(maxsize=65536)
def decay_rate(lam: float, mean: float, cv: float, servers: int, arrival_cv: float = 1.0) -> float:
    """The rate eta at which P(W > t) decays in heavy traffic: the positive root of
    ``E[e^(eta S / c)] E[e^(-eta A)] = 1`` (the c servers seen as one server c times as fast;
    exact for M/M/c, where it is c/S - lam, and for M/D/c). Gamma shapes stand in for the
    service and inter-arrival times (a lognormal has no moment generating function)."""

    # f(eta) = log E[e^(eta S / c)] + log E[e^(-eta A)]: a gamma service time with this mean and
    # cv (constant when cv = 0) and a gamma inter-arrival time (mean 1/lam), written out in one
    # function since the search calls it several times per queue
    k_s = 1.0 / (cv * cv) if cv != 0 else 0.0
    k_a = 1.0 / (arrival_cv * arrival_cv) if arrival_cv != 0 else 0.0
    lam_k = lam * k_a

    def gap(eta: float) -> float:  # -f(eta): > 0 while the root is above eta
        s = eta / servers
        if cv == 0:
            service = s * mean
        else:
            x = 1.0 - s * mean / k_s
            service = math.inf if x <= 0 else -k_s * math.log(x)
        arrival = -eta / lam if arrival_cv == 0 else -k_a * math.log1p(eta / lam_k)
        return -(service + arrival)

    hi = servers / mean
    while gap(hi) > 0:
        hi *= 2.0
    return solve(gap, 0.0, hi, 1e-12)


@lru_cache(maxsize=65536)
def response_quantile(lam: float, mean: float, cv: float, shape: str, servers: int, q: float = 0.95,
                      arrival_cv: float = 1.0) -> float:
    """The q-quantile of G/G/c response time (inf when unstable); memoised."""
    return GGc(lam, ServiceTime(mean, cv, shape), servers, arrival_cv).response_quantile(q)


@lru_cache(maxsize=65536)
def mean_response(lam: float, mean: float, cv: float, shape: str, servers: int, arrival_cv: float = 1.0) -> float:
    """Mean G/G/c response time (inf when unstable); memoised."""
    return GGc(lam, ServiceTime(mean, cv, shape), servers, arrival_cv).mean_response
