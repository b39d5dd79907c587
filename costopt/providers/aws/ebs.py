"""What an EBS volume costs a month, with every dimension AWS bills.

Why: storage GB-months are only part of a provisioned-performance volume's bill. An io1 volume
of 100 GiB with 5,000 IOPS is $12.50 of storage and $325 of IOPS a month in us-east-1.
How: GB-month x size, plus
- io1: every provisioned IOPS (``EBS:VolumeP-IOPS.piops``);
- io2: provisioned IOPS in tiers: up to 32,000, 32,001-64,000, above 64,000
  (``EBS:VolumeP-IOPS.io2``, ``.io2.tier2``, ``.io2.tier3``);
- gp3: IOPS above the 3,000 included (``EBS:VolumeP-IOPS.gp3``) and throughput above the
  125 MiB/s included (``EBS:VolumeP-Throughput.gp3``).
A dimension whose price no source knows is listed in ``unpriced`` and left out: the total is
then a lower bound, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GP3_FREE_IOPS = 3000
GP3_FREE_THROUGHPUT_MIBPS = 125
IO2_TIERS = ((32000, "EBS:VolumeP-IOPS.io2"), (64000, "EBS:VolumeP-IOPS.io2.tier2"),
             (None, "EBS:VolumeP-IOPS.io2.tier3"))


@dataclass(frozen=True)
class VolumeMonth:
    """A volume's monthly cost by dimension; ``unpriced`` names the dimensions left out."""

    storage: float | None
    iops: float = 0.0
    throughput: float = 0.0
    unpriced: tuple[str, ...] = ()

    @property
    def total(self) -> float | None:
        return None if self.storage is None else self.storage + self.iops + self.throughput


def _tiers(iops: int) -> list[tuple[int, str]]:
    """(IOPS in the tier, its usage type) for io2's tiered IOPS price."""
    out, low = [], 0
    for high, usage in IO2_TIERS:
        top = iops if high is None else min(iops, high)
        if top > low:
            out.append((top - low, usage))
        if high is None or iops <= high:
            break
        low = high
    return out


def volume_month(book: Any, region: str, volume_type: str, size_gb: float, iops: int | None,
                 throughput: int | None) -> VolumeMonth:
    """The monthly cost of one volume from ``book`` (a :class:`~costopt.providers.aws.prices.PriceBook`)."""
    per_gb = book.volume_gb_month(region, volume_type)
    storage = None if per_gb is None else size_gb * per_gb
    parts: list[tuple[str, int, str]] = []  # (dimension, quantity, usage type)
    if volume_type == "io1" and iops:
        parts.append(("iops", iops, "EBS:VolumeP-IOPS.piops"))
    elif volume_type == "io2" and iops:
        parts += [("iops", n, usage) for n, usage in _tiers(iops)]
    elif volume_type == "gp3":
        if iops and iops > GP3_FREE_IOPS:
            parts.append(("iops", iops - GP3_FREE_IOPS, "EBS:VolumeP-IOPS.gp3"))
        if throughput and throughput > GP3_FREE_THROUGHPUT_MIBPS:
            parts.append(("throughput", throughput - GP3_FREE_THROUGHPUT_MIBPS, "EBS:VolumeP-Throughput.gp3"))
    cost = {"iops": 0.0, "throughput": 0.0}
    unpriced: list[str] = []
    for dimension, quantity, usage in parts:
        price = book.ebs_throughput_month(region) if dimension == "throughput" else book.ebs_iops_month(region, usage)
        if price is None:
            unpriced.append(f"{quantity} {'MiB/s' if dimension == 'throughput' else 'IOPS'} ({usage})")
        else:
            cost[dimension] += quantity * price
    return VolumeMonth(storage, cost["iops"], cost["throughput"], tuple(unpriced))
