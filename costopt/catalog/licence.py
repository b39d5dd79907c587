"""Operating-system and licence dimensions of instance prices.

Why: a Windows, RHEL, SUSE or SQL Server instance pays its licence on top of the Linux price
(m5.large in us-east-1: Linux $0.096/h, Windows $0.188/h). Pricing it as Linux understates the
bill, and pricing its resize as Linux overstates the saving of leaving Windows.

Keys: a resource names its OS in ``attributes["os"]`` (``linux`` when absent): ``windows``,
``rhel``, ``suse``, ``rhel_ha``, ``ubuntu_pro``, ``windows_byol``, ``windows_sql_std`` /
``_ent`` / ``_web``, ``linux_sql_std`` / ``_ent`` / ``_web``. ``catalog.price(..., os=...)``
answers with a price added for that OS when one exists, else with a labelled estimate where a
published per-vCPU-hour licence fee is known (``costopt.catalog.defaults.LICENCE_FEE_PER_VCPU_HOUR``):
the Linux price under the same model + fee x vCPU, source ``estimate:licence-fee x <Linux source>``
(x86 types only; not for burstable t* types, whose fee is not per vCPU).
Any other OS has no catalog price (None): the Price List API is then the only source.
How to fix an estimate: ``costopt catalog refresh``, or let the adapter ask the Price List API.
"""

from __future__ import annotations

import re
from typing import Any

from costopt.catalog.defaults import LICENCE_FEE_PER_VCPU_HOUR
from costopt.catalog.model import InstanceSpec, Price

LINUX = "linux"
NO_FLAT_FEE = re.compile(r"^t\d")  # AWS burstable families: the Windows fee is not per vCPU


def os_of(resource: Any) -> str:
    """The catalog OS key of a resource (``linux`` unless its adapter said otherwise)."""
    return str((getattr(resource, "attributes", None) or {}).get("os") or LINUX).lower()


def with_licence(linux: Price | None, spec: InstanceSpec | None, provider: str, os: str) -> Price | None:
    """``linux`` + the published licence fee of ``os`` for ``spec``'s vCPUs, labelled; None when unknown."""
    fee = LICENCE_FEE_PER_VCPU_HOUR.get((provider, os))
    if linux is None or spec is None or fee is None or linux.unit != "hour" or linux.currency != "USD" or spec.vcpu <= 0:
        return None
    if spec.architecture != "x86_64" or spec.family.startswith("ml.") or NO_FLAT_FEE.match(spec.family):
        return None  # Windows runs on x86 only, SageMaker has no OS choice, burstable types have other fees
    return Price(linux.amount + fee * spec.vcpu, "hour", linux.currency, f"estimate:licence-fee x {linux.source}",
                 linux.as_of, estimate=True)
