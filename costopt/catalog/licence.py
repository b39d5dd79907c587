"""Operating-system and licence dimensions of instance prices.

Why: a Windows, RHEL, SUSE or SQL Server instance pays its licence on top of the Linux price
(m5.large in us-east-1: Linux $0.096/h, Windows $0.188/h, Windows + SQL Server Standard $0.668/h).
Pricing it as Linux understates the bill, and pricing its resize as Linux misstates the saving.

Keys: a resource names its OS in ``attributes["os"]`` (``linux`` when absent): ``windows``,
``rhel``, ``suse``, ``rhel_ha``, ``ubuntu_pro``, ``windows_byol``, ``windows_sql_std`` /
``_ent`` / ``_web``, ``linux_sql_std`` / ``_ent`` / ``_web``. ``catalog.price(..., os=...)``
answers with a price added for that OS when one exists (a refresh), else:

- an OS with published licence fees (``costopt.catalog.defaults.OS_LICENCES``): the Linux price
  under the same model + each component's per-vCPU fee (tiered by vCPU count, with a minimum of
  vCPUs billed: SQL Server bills at least 4), labelled ``estimate:licence-fee:<os> x <Linux
  source>``, dated with the older of the Linux price and the fee. x86 types only for Windows / SQL
  Server, and not burstable t* types (their Windows fee is not per vCPU);
- an OS whose fee costopt does not know (``OS_FEE_UNKNOWN``: SUSE, RHEL HA, Ubuntu Pro, Windows
  BYOL): the Linux price labelled ``estimate:licence-unknown x <Linux source>`` -- a lower bound;
- anything else, or a type the fee model cannot price: None.

The per-vCPU fees are AWS's (EC2 User Guide): they are not applied to Azure or GCP. There a
non-Linux OS (``windows`` on an Azure VM without Azure Hybrid Benefit, a GCP premium image) is
the Linux price labelled ``estimate:licence-unknown`` -- a lower bound, never the plain Linux
price as if it were right (the adapters price Windows from the Retail Prices API's Windows meter
when it answers).

Every such price is ``estimate=True``, so a recommendation resting on it is "low" confidence
(:mod:`costopt.price_trust`). How to fix: let the adapter ask the Price List API
(``pricing:GetProducts``), or ``costopt catalog refresh``.
"""

from __future__ import annotations

import re
from typing import Any

from costopt.catalog.defaults import LICENCE_COMPONENTS, OS_FEE_UNKNOWN, OS_LICENCES
from costopt.catalog.model import InstanceSpec, Price

LINUX = "linux"
OS_KEYS = frozenset({LINUX, *OS_LICENCES, *OS_FEE_UNKNOWN})  # every OS key a price may be stored under
FEE_LABEL, UNKNOWN_LABEL = "estimate:licence-fee", "estimate:licence-unknown"
NO_FLAT_FEE = re.compile(r"^t\d")  # AWS burstable families: the Windows fee is not per vCPU
MICROSOFT = ("windows", "sql_std", "sql_ent", "sql_web")
LOWER_BOUND_ONLY = ("azure", "gcp")  # clouds whose licence fees the catalog does not model (see above)


def os_of(resource: Any) -> str:
    """The catalog OS key of a resource (``linux`` unless its adapter said otherwise)."""
    return str((getattr(resource, "attributes", None) or {}).get("os") or LINUX).lower()


def fee_known(provider: str, os: str) -> bool:
    """True when the catalog can estimate ``os``'s licence fee (False: a lower bound at best)."""
    return provider == "aws" and os in OS_LICENCES


def licence_fee(os: str, spec: InstanceSpec) -> tuple[float, str] | None:
    """(USD per hour the licences of ``os`` add to ``spec``, the oldest fee date), or None when not modelled."""
    components = OS_LICENCES.get(os)
    if components is None or spec.vcpu <= 0 or spec.family.startswith("ml."):
        return None  # SageMaker has no OS choice
    if any(c in MICROSOFT for c in components) and (spec.architecture != "x86_64" or NO_FLAT_FEE.match(spec.family)):
        return None  # Windows / SQL Server run on x86 only; burstable types have other fees
    total, dates = 0.0, []
    for name in components:
        tiers, minimum, _source, as_of = LICENCE_COMPONENTS[name]
        rate = next(r for top, r in tiers if top == 0 or spec.vcpu <= top)
        total += rate * max(spec.vcpu, minimum)
        dates.append(as_of)
    return total, min(dates)


def with_licence(linux: Price | None, spec: InstanceSpec | None, provider: str, os: str) -> Price | None:
    """``linux`` + the licence fee of ``os`` for ``spec``, labelled; a labelled lower bound; or None."""
    if linux is None or spec is None or linux.unit != "hour":
        return None
    if provider in LOWER_BOUND_ONLY and os in OS_KEYS and os != LINUX:
        return Price(linux.amount, "hour", linux.currency, f"{UNKNOWN_LABEL} x {linux.source}", linux.as_of,
                     estimate=True)
    if provider != "aws" or linux.currency != "USD":
        return None
    if os in OS_FEE_UNKNOWN and not spec.family.startswith("ml."):
        return Price(linux.amount, "hour", linux.currency, f"{UNKNOWN_LABEL} x {linux.source}", linux.as_of,
                     estimate=True)
    fee = licence_fee(os, spec)
    if fee is None:
        return None
    return Price(linux.amount + fee[0], "hour", linux.currency, f"{FEE_LABEL}:{os} x {linux.source}",
                 min(linux.as_of, fee[1]), estimate=True)


def is_lower_bound(source: str) -> bool:
    """True when a price source says the price leaves out a licence fee costopt does not know."""
    return UNKNOWN_LABEL in (source or "")
