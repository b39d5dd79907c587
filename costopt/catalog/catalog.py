"""The Catalog: lookups of instance specs and prices by provider, region and type.

Keys are case-insensitive (Azure sizes are spelt ``Standard_D4s_v5`` in one API and
``standard_d4s_v5`` in another). SageMaker types (``ml.g4dn.xlarge``) are their own priced
types with the hardware of the EC2 type they run on.

GCP attaches GPUs to N1 machines; such a VM is named ``<machine>+<accelerator>:<count>``,
e.g. ``n1-standard-8+nvidia-tesla-t4:1``: its spec is the machine's plus the GPUs, its price
the machine's plus count x the accelerator's, in the same pricing model. Either part
missing -> None.

Where no real price exists, :meth:`Catalog.price` returns a labelled estimate when one can be
derived (``Price.estimate`` is True; see :mod:`costopt.catalog.estimates`). The bundled prices
of a provider are read on first use of that provider (``add_lazy_prices``), so a run that only
asks about AWS never reads the Azure table; entries added before that (the refresh cache) win.
OS: bundled prices are Linux; ``price(..., os="windows")`` finds a price added for that OS, else
a labelled licence-fee estimate where the fees are published (Windows, SQL Server, RHEL), else a
labelled lower bound for an OS whose fee is unknown (SUSE, ...) (:mod:`costopt.catalog.licence`).
Derived answers (composites, estimates, licence fees, misses) are memoised per key and forgotten
whenever a spec or price is added or a provider's table is read.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

import pandas as pd

from costopt.catalog.defaults import AWS_M5_LARGE, AWS_NEIGHBOUR
from costopt.catalog.estimates import estimate
from costopt.catalog.licence import LINUX, with_licence
from costopt.catalog.model import EGRESS_KINDS, PRICE_MODELS, InstanceSpec, Price, StorageTier
from costopt.model import PriceSource

# GCP N1 shapes offered with attached GPUs in instances() (any other combination can be looked up).
GCP_GPU_HOSTS = ("n1-standard-4", "n1-standard-8", "n1-standard-16", "n1-standard-32")
GCP_GPU_COUNTS = (1, 2, 4)

OFFER_COLUMNS = ["provider", "type", "family", "size", "generation", "vcpu", "memory_gib", "gpu_count",
                 "gpu_model", "gpu_memory_gib", "architecture", "relative_speed", "gpu_tflops", "price"]


# Lazily read rows: (region, type, os, model, amount, (unit, currency, source, as_of)).
PriceRows = Iterator[tuple[str, str, str, str, float, tuple[str, str, str, str]]]
# A lazily read price is kept as (amount, meta) until first asked for: building 65k Price
# objects for a table of which a run reads a few hundred would dominate the read.
_Raw = tuple[float, tuple[str, str, str, str]]


def _key(text: str) -> str:
    return (text or "").strip().lower()


def _type_key(type_: str, os: str) -> str:
    os_k = _key(os) or "linux"
    return _key(type_) if os_k == "linux" else f"{_key(type_)}|{os_k}"


class Catalog:
    """Specs and prices. Build with :meth:`add_*` (bundled loader, cache) then read."""

    def __init__(self) -> None:
        self._specs: dict[tuple[str, str], InstanceSpec] = {}
        self._prices: dict[tuple[str, str, str, str], Price | _Raw] = {}
        self._interruptions: dict[tuple[str, str, str], float] = {}
        self._interruption_sources: dict[tuple[str, str], str] = {}  # (provider, type) -> source of its rates
        self._storage: dict[tuple[str, str], dict[str, StorageTier]] = {}
        self._egress: dict[tuple[str, str, str], Price] = {}
        self._offers: dict[tuple[str, str, str], pd.DataFrame] = {}
        # Derived answers (composites, estimates, licence fees, misses) by price key: recomputed after any add.
        self._derived: dict[tuple[str, str, str, str], Price | None] = {}
        self._pending: dict[str, tuple[Callable[[], PriceRows], tuple[PriceSource, ...]]] = {}
        self._rates_by_type: dict[tuple[str, str], float] = {}
        self._names: dict[tuple[str, str], str] = {}  # (provider, type key) -> type as the price table spells it
        self._lock = threading.Lock()
        self.source_details: dict[str, str] = {}  # source id -> what it means

    # --- building -------------------------------------------------------------------------

    def add_instance(self, spec: InstanceSpec) -> None:
        self._specs[(_key(spec.provider), _key(spec.type))] = spec
        self._offers.clear()
        self._derived.clear()

    def add_price(self, provider: str, region: str, type: str, model: str, price: Price, os: str = "linux") -> None:
        if model not in PRICE_MODELS:
            raise ValueError(f"price model {model!r} is not one of {', '.join(PRICE_MODELS)}")
        self._prices[(_key(provider), _key(region), _type_key(type, os), model)] = price
        self._offers.clear()
        self._derived.clear()

    def add_lazy_prices(self, provider: str, rows: Callable[[], PriceRows], sources: tuple[PriceSource, ...]) -> None:
        """Prices of ``provider`` read on first use; ``sources`` describes them until then.

        They fill gaps only: a price already added for the same key (e.g. from the refresh
        cache) is kept.
        """
        self._pending[_key(provider)] = (rows, sources)

    def _load(self, provider_k: str) -> None:
        """Read a provider's pending prices. Lookups run in threads (the AWS adapter's price
        pool): the new entries go into fresh dicts swapped in whole, and the provider leaves
        ``_pending`` only once they are visible, so no reader sees a half-read table."""
        if provider_k not in self._pending:
            return
        with self._lock:
            pending = self._pending.get(provider_k)
            if pending is None:
                return
            new: dict[tuple[str, str, str, str], Price | _Raw] = {}
            names: dict[tuple[str, str], str] = {}
            for region, type_, os, model, amount, meta in pending[0]():
                type_k = type_.strip().lower() if os == "linux" else _type_key(type_, os)
                new[(provider_k, region.lower(), type_k, model)] = (amount, meta)
                names[(provider_k, type_k)] = type_.strip()
            self._prices = {**new, **self._prices}  # entries added before (the refresh cache) win
            self._names = {**self._names, **names}
            self._offers.clear()
            self._derived.clear()
            del self._pending[provider_k]

    def add_interruption_rate(self, provider: str, region: str, type: str, rate_per_hour: float,
                              source: str = "") -> None:
        key = (_key(provider), _key(type))
        self._interruptions[(key[0], _key(region), key[1])] = float(rate_per_hour)
        self._rates_by_type[key] = max(self._rates_by_type.get(key, 0.0), float(rate_per_hour))
        if source:
            self._interruption_sources[key] = source

    def add_storage_tier(self, tier: StorageTier) -> None:
        self._storage.setdefault((_key(tier.provider), _key(tier.region)), {})[_key(tier.name)] = tier

    def add_egress(self, provider: str, region: str, kind: str, price: Price) -> None:
        if kind not in EGRESS_KINDS:
            raise ValueError(f"egress kind {kind!r} is not one of {', '.join(EGRESS_KINDS)}")
        self._egress[(_key(provider), _key(region), kind)] = price

    # --- specs ----------------------------------------------------------------------------

    def instance(self, provider: str, type: str) -> InstanceSpec | None:
        """Hardware of ``type`` (None when unknown)."""
        provider_k, type_k = _key(provider), _key(type)
        spec = self._specs.get((provider_k, type_k))
        if spec is not None:
            return spec
        if provider_k == "gcp" and "+" in type_k:
            return self._gcp_composite(type_k)
        return None

    def _gcp_composite(self, type_k: str) -> InstanceSpec | None:
        parsed = _split_composite(type_k)
        if parsed is None:
            return None
        machine, accelerator, count = parsed
        host = self._specs.get(("gcp", machine))
        gpu = self._specs.get(("gcp", accelerator))
        if host is None or gpu is None or host.gpu_count:
            return None
        return replace(host, type=f"{host.type}+{gpu.type}:{count}", gpu_count=count, gpu_model=gpu.gpu_model,
                       gpu_memory_gib=gpu.gpu_memory_gib, gpu_tflops=gpu.gpu_tflops)

    def instances(self, provider: str, region: str | None = None) -> list[InstanceSpec]:
        """Instance types of ``provider`` (priced on demand in ``region`` when given)."""
        provider_k = _key(provider)
        specs = [s for (p, _), s in self._specs.items() if p == provider_k and s.vcpu > 0]
        if provider_k == "gcp":
            specs += [c for c in (self.instance("gcp", f"{h}+{a.type}:{n}") for h in GCP_GPU_HOSTS
                                  for a in self.accelerators("gcp") for n in GCP_GPU_COUNTS) if c is not None]
        if region is not None:
            specs = [s for s in specs if self.price(provider, region, s.type) is not None]
        return sorted(specs, key=lambda s: (s.family, s.vcpu, s.memory_gib, s.type))

    def accelerators(self, provider: str) -> list[InstanceSpec]:
        """GPUs sold as add-ons (GCP N1 accelerators): specs with no vCPU, priced per GPU-hour."""
        provider_k = _key(provider)
        return [s for (p, _), s in self._specs.items() if p == provider_k and s.vcpu == 0 and s.gpu_count]

    # --- prices ---------------------------------------------------------------------------

    def price(self, provider: str, region: str, type: str, model: str = "on_demand", os: str = "linux") -> Price | None:
        """Effective hourly price of ``type`` in ``region`` under ``model`` (None when unknown).

        ``model`` is on_demand, spot (a dated snapshot of a recent price), commit_1y or
        commit_3y (the all-upfront rate amortised per hour). A real price wins; else a GCP
        composite's parts; else a labelled estimate (``Price.estimate``); else None.
        """
        if model not in PRICE_MODELS:
            raise ValueError(f"price model {model!r} is not one of {', '.join(PRICE_MODELS)}")
        # _key / _type_key inlined: this is the catalog's hot path (100k lookups per audit).
        provider_k, region_k = (provider or "").strip().lower(), (region or "").strip().lower()
        type_k = (type or "").strip().lower() if os == "linux" else _type_key(type, os)
        if self._pending:
            self._load(provider_k)
        key = (provider_k, region_k, type_k, model)
        found = self._prices.get(key)
        if found is not None:
            return self._materialise(key, found) if isinstance(found, tuple) else found
        if key in self._derived:
            return self._derived[key]
        if provider_k == "gcp" and "+" in type_k:
            found = self._composite_price(provider_k, region_k, type_k, model)
        if found is None and "|" not in type_k:
            found = estimate(self._lookup, provider_k, region_k, type_k, model)
        elif found is None:
            found = with_licence(self.price(provider_k, region_k, type, model), self.instance(provider_k, type),
                                 provider_k, _key(os))
        self._derived[key] = found
        return found

    def _materialise(self, key: tuple[str, str, str, str], raw: _Raw) -> Price:
        price = Price(raw[0], *raw[1])
        self._prices[key] = price  # same key: the dict does not change size under concurrent readers
        return price

    def _lookup(self, provider_k: str, region_k: str, type_k: str, model: str) -> Price | None:
        return self.price(provider_k, region_k, type_k, model)

    def _composite_price(self, provider_k: str, region_k: str, type_k: str, model: str) -> Price | None:
        parsed = _split_composite(type_k)
        if parsed is None:
            return None
        machine, accelerator, count = parsed
        host = self.price(provider_k, region_k, machine, model)
        gpu = self.price(provider_k, region_k, accelerator, model)
        if host is None or gpu is None or host.currency != gpu.currency:
            return None
        as_of = min(host.as_of, gpu.as_of)
        source = host.source if host.source == gpu.source else f"{host.source} + {gpu.source}"
        return Price(host.amount + count * gpu.amount, "hour", host.currency, source, as_of,
                     estimate=host.estimate or gpu.estimate)

    def interruption_rate(self, provider: str, region: str, type: str) -> float | None:
        """Typical spot interruptions per instance-hour (None when unknown).

        The bundled rates are per type from region-independent bands (Spot Advisor, GCP and
        Azure eviction guidance), so a region without its own rate uses the type's highest
        known rate, only in regions that price the type.
        """
        provider_k, region_k, type_k = _key(provider), _key(region), _key(type)
        rate = self._interruptions.get((provider_k, region_k, type_k))
        if rate is None and (provider_k, type_k) in self._rates_by_type and self.price(provider_k, region_k, type_k):
            rate = self._rates_by_type[(provider_k, type_k)]
        if rate is None and provider_k == "gcp" and "+" in type_k:
            parsed = _split_composite(type_k)
            if parsed:
                rates = [self._interruptions.get((provider_k, region_k, part)) for part in parsed[:2]]
                known = [r for r in rates if r is not None]
                rate = max(known) if known else None
        return rate

    def interruption_source(self, provider: str, type: str) -> str:
        """Where ``type``'s interruption rates came from ("" when unknown); ``estimate:...`` for a labelled estimate."""
        return self._interruption_sources.get((_key(provider), _key(type)), "")

    def offers(self, provider: str, region: str, model: str = "on_demand", os: str = LINUX) -> pd.DataFrame:
        """All instance types priced in ``region`` under ``model`` for ``os``, as a DataFrame.

        Columns: see OFFER_COLUMNS (``price`` = hourly amount); sorted by price. Rules use it
        to match thousands of resources against candidates with array operations; a resize
        keeps the licence, so a Windows instance is matched against Windows prices.
        """
        os_k = _key(os) or LINUX
        key = (_key(provider), _key(region), model if os_k == LINUX else f"{model}|{os_k}")
        cached = self._offers.get(key)
        if cached is not None:
            return cached
        rows = []
        for spec in self.instances(provider):
            price = self.price(provider, region, spec.type, model, os=os)
            if price is None:
                continue
            rows.append((spec.provider, spec.type, spec.family, spec.size, spec.generation, spec.vcpu, spec.memory_gib,
                         spec.gpu_count, spec.gpu_model, spec.gpu_memory_gib, spec.architecture, spec.relative_speed,
                         spec.gpu_tflops, price.amount))
        frame = pd.DataFrame(rows, columns=OFFER_COLUMNS).sort_values(["price", "type"], ignore_index=True)
        self._offers[key] = frame
        return frame

    # --- storage and egress ---------------------------------------------------------------

    def storage_tiers(self, provider: str, region: str) -> list[StorageTier]:
        """Object-storage tiers of ``provider`` in ``region``, hottest (dearest per GB) first."""
        tiers = self._storage.get((_key(provider), _key(region)), {})
        return sorted(tiers.values(), key=lambda t: -t.gb_month)

    def storage_tier(self, provider: str, region: str, name: str) -> StorageTier | None:
        return self._storage.get((_key(provider), _key(region)), {}).get(_key(name))

    def egress(self, provider: str, region: str, kind: str) -> Price | None:
        """Per-GB price of ``kind`` traffic (internet, inter_region, nat_processing) from ``region``."""
        if kind not in EGRESS_KINDS:
            raise ValueError(f"egress kind {kind!r} is not one of {', '.join(EGRESS_KINDS)}")
        return self._egress.get((_key(provider), _key(region), kind))

    # --- provenance -----------------------------------------------------------------------

    def price_sources(self) -> tuple[PriceSource, ...]:
        """Each (provider, source, as_of) the catalog's prices came from, with a count.

        Bundled prices not read yet are described by their manifest (without reading them).
        """
        counts = Counter((p, x.source, x.as_of) for p, x in self._loaded_prices())
        out = {(p, source, as_of): "; ".join(x for x in (self.source_details.get(source, ""), f"{n} prices") if x)
               for (p, source, as_of), n in counts.items()}
        for _, described in self._pending.values():
            out.update({(s.provider, s.source, s.as_of): s.detail for s in described})
        return tuple(PriceSource(p, source, as_of, detail) for (p, source, as_of), detail in sorted(out.items()))

    def _loaded_prices(self) -> Iterable[tuple[str, Price | StorageTier]]:
        for (provider, *_), price in list(self._prices.items()):
            yield provider, Price(price[0], *price[1]) if isinstance(price, tuple) else price
        for (provider, *_), price in self._egress.items():
            yield provider, price
        for (provider, _), tiers in self._storage.items():
            for tier in tiers.values():
                yield provider, tier

    def regions(self, provider: str) -> list[str]:
        """Regions with a real price, plus (AWS) the regions priced by labelled estimates."""
        provider_k = _key(provider)
        self._load(provider_k)
        found = {r for (p, r, _, _) in self._prices if p == provider_k}
        if provider_k == "aws":
            found.update(AWS_M5_LARGE, AWS_NEIGHBOUR)
        return sorted(found)

    def types(self, provider: str, *, priced_only: bool = False) -> list[str]:
        """Every type with a real price (any region) or, unless ``priced_only``, a spec."""
        provider_k = _key(provider)
        self._load(provider_k)
        names = {t: self._names.get((p, t), t) for (p, _, t, _) in self._prices
                 if p == provider_k and "|" not in t and ":" not in t}
        if not priced_only:
            names.update({t: s.type for (p, t), s in self._specs.items() if p == provider_k})
        return sorted(names.values())

    def __len__(self) -> int:
        for provider in list(self._pending):
            self._load(provider)
        return len(self._prices)


def _split_composite(type_k: str) -> tuple[str, str, int] | None:
    machine, _, accel = type_k.partition("+")
    name, _, count = accel.partition(":")
    try:
        n = int(count or "1")
    except ValueError:
        return None
    return (machine, name, n) if machine and name and n > 0 else None
