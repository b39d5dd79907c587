"""M/M/c (Erlang C) queueing model: probability of waiting, mean wait, response-time quantiles.

A serving fleet is modelled as ``c`` identical workers (instances x workers per instance)
fed by Poisson arrivals at rate ``lam`` with exponential service times of mean ``service``
(any time unit; ``lam`` is per that unit). With offered load ``a = lam * service`` and
utilisation ``rho = a / c``:

* Erlang C, the probability an arrival waits, is computed from the Erlang B recursion
  ``B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))`` and ``C = c B / (c - a (1 - B))``. The
  recursion never forms ``a**c / c!``, so it is stable for thousands of servers.
* The wait ``W`` is 0 with probability ``1 - C`` and otherwise Exp(theta), theta = c mu - lam.
* The response time ``T = W + S`` (S ~ Exp(mu)) has the survival function
  ``P(T > t) = e^(-mu t) [1 + C mu g(t)]`` with ``g(t) = (1 - e^(-(theta - mu) t)) / (theta - mu)``
  (``g = t`` when theta == mu), written with ``expm1`` so it has no cancellation near
  theta == mu. Quantiles are found by regula falsi (Illinois) on that survival function.

``rho >= 1`` means the queue grows without bound: every quantile is infinite (a breach).
The tests compare these formulas with a discrete-event simulation (tests/tradeoff/mmc_sim.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

from costopt.tradeoff.roots import bracket, solve


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/c/c with ``servers`` and offered ``load`` (Erlangs)."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must be non-negative")
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Probability an arrival has to wait in M/M/c; 1.0 when ``load >= servers``."""
    if servers < 1:
        raise ValueError("need at least one server")
    if load <= 0:
        return 0.0
    if load >= servers:
        return 1.0
    b = erlang_b(servers, load)
    return min(1.0, servers * b / (servers - load * (1.0 - b)))


@dataclass(frozen=True)
class MMc:
    """An M/M/c queue: arrival rate, mean service time and number of servers."""

    lam: float
    service: float
    servers: int

    def __post_init__(self) -> None:
        if self.lam < 0 or not math.isfinite(self.lam):
            raise ValueError(f"arrival rate must be a finite number >= 0, got {self.lam}")
        if self.service <= 0 or not math.isfinite(self.service):
            raise ValueError(f"service time must be a finite number > 0, got {self.service}")
        if int(self.servers) != self.servers or self.servers < 1:
            raise ValueError(f"servers must be a whole number >= 1, got {self.servers}")

    @property
    def load(self) -> float:
        """Offered load in Erlangs (lam x service)."""
        return self.lam * self.service

    @property
    def rho(self) -> float:
        """Utilisation per server."""
        return self.load / self.servers

    @property
    def stable(self) -> bool:
        # both tests: at rho within rounding of 1, c/S - lambda can come out as exactly 0
        return self.rho < 1.0 and self.servers / self.service - self.lam > 0.0

    @cached_property
    def p_wait(self) -> float:
        return erlang_c(int(self.servers), self.load)

    @property
    def mean_wait(self) -> float:
        if not self.stable:
            return math.inf
        theta = self.servers / self.service - self.lam
        return self.p_wait / theta

    @property
    def mean_response(self) -> float:
        return self.mean_wait + self.service

    def wait_survival(self, t: float) -> float:
        """P(W > t)."""
        if not self.stable:
            return 1.0
        if t < 0:
            return 1.0
        theta = self.servers / self.service - self.lam
        return self.p_wait * math.exp(-theta * t)

    def wait_quantile(self, q: float) -> float:
        """The q-quantile of the waiting time (0 when P(wait) <= 1 - q)."""
        _check_q(q)
        if not self.stable:
            return math.inf
        c = self.p_wait
        if c <= 1.0 - q:
            return 0.0
        theta = self.servers / self.service - self.lam
        return math.log(c / (1.0 - q)) / theta

    def response_survival(self, t: float) -> float:
        """P(T > t) for the response time T = wait + service."""
        if not self.stable:
            return 1.0
        if t <= 0:
            return 1.0
        mu = 1.0 / self.service
        theta = self.servers * mu - self.lam
        delta = theta - mu
        if delta < 0 and -delta * t > 700.0:
            return min(1.0, math.exp(-mu * t) + self.p_wait * mu / -delta * (math.exp(-theta * t) - math.exp(-mu * t)))
        g = t if delta == 0 else -math.expm1(-delta * t) / delta
        return min(1.0, math.exp(-mu * t) * (1.0 + self.p_wait * mu * g))

    def response_quantile(self, q: float) -> float:
        """The q-quantile of the response time (e.g. q=0.95 for p95); inf when rho >= 1."""
        _check_q(q)
        if not self.stable:
            return math.inf
        target = 1.0 - q
        mu = 1.0 / self.service
        delta = self.servers * mu - self.lam - mu
        c = self.p_wait

        theta = mu + delta

        def survival(t: float) -> float:
            if delta < 0 and -delta * t > 700.0:  # e^(|delta| t) would overflow: two-exponential form
                return math.exp(-mu * t) + c * mu / -delta * (math.exp(-theta * t) - math.exp(-mu * t))
            g = t if delta == 0 else -math.expm1(-delta * t) / delta
            return math.exp(-mu * t) * (1.0 + c * mu * g)

        # bracket: the service alone reaches the tail at S ln(1/target); waiting only adds
        lo = self.service * -math.log(target) * (1.0 - 1e-12)
        hi = max(lo, self.wait_quantile(q)) + self.service * -math.log(target)
        def above(t: float) -> bool:
            return survival(t) > target

        # past service x 1e12: utilisation within rounding of 1, unbounded in practice
        lo, hi = bracket(above, lo, hi, self.service * 1e12)
        return hi if math.isinf(hi) else solve(lambda t: survival(t) - target, lo, hi, 1e-10)


def _check_q(q: float) -> None:
    if not 0.0 < q < 1.0:
        raise ValueError(f"quantile must be in (0, 1), got {q}")


@lru_cache(maxsize=65536)
def response_quantile(lam: float, service: float, servers: int, q: float = 0.95) -> float:
    """The q-quantile of M/M/c response time (inf when unstable); memoised, since an audit
    asks for the same setup once per candidate of a resource."""
    return MMc(lam, service, servers).response_quantile(q)
