"""What an RDS DB instance costs an hour: its class for its engine, edition, licence and
deployment, plus its storage.

Why: a database is priced by more than its class. The Price List (AmazonRDS) has one price per
(instance type, engine, edition, licence model, deployment option): Multi-AZ is its own
product (about twice Single-AZ), SQL Server and Oracle editions with the licence included cost
several times the open-source engines. Storage is billed per GB-month by storage type and
deployment. A stopped instance bills its storage only (AWS restarts it after 7 days).
How: the DescribeDBInstances facts (Engine, LicenseModel, MultiAZ, StorageType,
AllocatedStorage, DBInstanceStatus) are mapped onto the Price List's attribute values below.
Aurora bills storage per cluster, not per instance: an Aurora instance is priced for its
class only, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from costopt.model import HOURS_PER_MONTH

# DescribeDBInstances Engine -> (Price List databaseEngine, databaseEdition or None)
ENGINES = {
    "postgres": ("PostgreSQL", None), "mysql": ("MySQL", None), "mariadb": ("MariaDB", None),
    "aurora-postgresql": ("Aurora PostgreSQL", None), "aurora-mysql": ("Aurora MySQL", None),
    "oracle-ee": ("Oracle", "Enterprise"), "oracle-se2": ("Oracle", "Standard Two"),
    "sqlserver-ee": ("SQL Server", "Enterprise"), "sqlserver-se": ("SQL Server", "Standard"),
    "sqlserver-ex": ("SQL Server", "Express"), "sqlserver-web": ("SQL Server", "Web"),
}
LICENCES = {"license-included": "License included", "bring-your-own-license": "Bring your own license",
            "general-public-license": "No license required", "postgresql-license": "No license required"}
# StorageType -> usage-type suffix of its GB-month product (Single-AZ; Multi-AZ adds "Multi-AZ-")
STORAGE_USAGE = {"gp2": "GP2-Storage", "gp3": "GP3-Storage", "io1": "PIOPS-Storage", "io2": "IO2-Storage",
                 "standard": "StorageUsage"}
STOPPED = frozenset({"stopped", "stopping"})


@dataclass(frozen=True)
class DbHour:
    """An instance's hourly cost: compute + storage (None = unknown), with what was left out."""

    compute: float | None
    storage: float | None
    note: str = ""

    @property
    def total(self) -> float | None:
        if self.compute is None or self.storage is None:
            return None
        return self.compute + self.storage


def db_hour(book: Any, region: str, a: dict[str, Any], db_class: str) -> DbHour:
    """The hourly cost of one DB instance (``a``: its attributes) from ``book``."""
    engine, edition = ENGINES.get(str(a.get("engine") or ""), (None, None))
    multi_az = bool(a.get("multi_az"))
    deployment = "Multi-AZ" if multi_az else "Single-AZ"
    storage_type = str(a.get("storage_type") or "")
    if engine and engine.startswith("Aurora"):
        storage, note = 0.0, "Aurora storage is billed per cluster and not included"
    else:
        suffix = STORAGE_USAGE.get(storage_type)
        per_gb = None if suffix is None else book.rds_storage_gb_month(
            region, f"RDS:{'Multi-AZ-' if multi_az else ''}{suffix}", deployment)
        storage = None if per_gb is None else float(a.get("storage_gb") or 0) * per_gb / HOURS_PER_MONTH
        note = "" if per_gb is not None else f"no storage price for {storage_type or 'unknown'} ({deployment})"
    if str(a.get("status") or "") in STOPPED:
        return DbHour(0.0, storage, "stopped: storage only" + (f"; {note}" if note else ""))
    if engine is None:
        return DbHour(None, storage, f"engine {a.get('engine')!r} not mapped to a price")
    licence = LICENCES.get(str(a.get("license_model") or ""), "No license required")
    compute = book.rds_instance_hour(region, db_class, engine, edition, deployment, licence)
    return DbHour(compute, storage, note)


def alternatives(book: Any, region: str, a: dict[str, Any], db_class: str) -> dict[str, float]:
    """What the same instance would cost an hour as Single-AZ, and its storage as gp3, where the
    Price List knows it (the rds.* rules price their changes from these; no catalog fallback)."""
    out: dict[str, float] = {}
    if str(a.get("status") or "") in STOPPED:
        return out
    if a.get("multi_az"):
        single = db_hour(book, region, {**a, "multi_az": False}, db_class)
        if single.total is not None:
            out["single_az_hourly"] = single.total
    if a.get("storage_type") == "gp2":
        gp3 = db_hour(book, region, {**a, "storage_type": "gp3"}, db_class)
        if gp3.storage is not None:
            out["gp3_storage_hourly"] = gp3.storage
    return out
