"""Azure inventory: VMs (size, Spot priority, power state, tags), managed disks, public IPs,
storage accounts (access tier + lifecycle management policy). Every list is paged by the SDK.

Kinds: VMs -> ``vm`` / ``gpu_vm`` (GPU sizes NC/ND/NV), disks -> ``volume`` (disk_state
Unattached = not attached; Ultra and Premium SSD v2 priced with their provisioned
``diskIOPSReadWrite`` and ``diskMBpsReadWrite``), public IPs -> ``address`` (no ip_configuration = unassociated),
storage accounts -> ``storage_account``. Resource ids are ARM ids in lower case (the form
Cost Management reports), so billing rows and inventory join on ``ResourceId``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from azure.core.exceptions import ResourceNotFoundError

from costopt.model import HOURS_PER_MONTH, WORKLOAD_KINDS, Resource
from costopt.providers.azure.licence import vm_os
from costopt.providers.azure.prices import PROVISIONED_DISKS

PROVIDER = "azure"
# size pattern -> (GPU model, GiB per GPU); GPU counts come from resource SKUs or the catalog
GPU_MODELS = (
    (r"^Standard_NC\d+s_v3$", "V100", 16), (r"^Standard_NC\d+as_T4_v3$", "T4", 16),
    (r"^Standard_NC\d+ads_A100_v4$", "A100", 80), (r"^Standard_ND\d+asr_v4$", "A100", 40),
    (r"^Standard_ND\d+amsr_A100_v4$", "A100", 80), (r"^Standard_NV\d+ads_A10_v5$", "A10", 24),
    (r"^Standard_NC\d+ads_H100_v5$", "H100", 94), (r"^Standard_ND\d+isr_H100_v5$", "H100", 80),
    (r"^Standard_NC\d+s_v2$", "P100", 16), (r"^Standard_NC\d+_Promo$|^Standard_NC\d+r?$", "K80", 12),
)


def text(value: Any) -> str:
    """An SDK enum's wire value (``DiskState.UNATTACHED`` -> "Unattached"), or the string itself."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def when(value: Any) -> datetime | None:
    """A timestamp field as a datetime; the SDK models keep an unparseable one as raw text: None then."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def is_gpu_size(size: str) -> bool:
    return bool(re.match(r"^Standard_N[CDV]", size or ""))


def gpu_model(size: str) -> tuple[str | None, float | None]:
    for pattern, model, mem in GPU_MODELS:
        if re.match(pattern, size or ""):
            return model, mem
    return None, None


def resource_group(arm_id: str) -> str:
    m = re.search(r"/resourceGroups/([^/]+)/", arm_id or "", re.IGNORECASE)
    return m.group(1) if m else ""


def _workload(tags: dict[str, str]) -> str | None:
    value = tags.get("costopt:workload")
    return value if value in WORKLOAD_KINDS else None


def size_specs(compute, catalog, location: str, cache: dict[str, dict[str, dict]]) -> dict[str, dict]:
    """VM size -> specs for one location (resource SKUs, read once per location)."""
    if location not in cache:
        specs: dict[str, dict] = {}
        for sku in compute.resource_skus.list(filter=f"location eq '{location}'"):
            if text(sku.resource_type) != "virtualMachines":
                continue
            caps = {c.name: c.value for c in (sku.capabilities or [])}
            specs[text(sku.name)] = {"vcpu": _num(caps.get("vCPUs")), "memory_gib": _num(caps.get("MemoryGB")),
                               "gpu_count": int(_num(caps.get("GPUs")) or 0), "source": "compute.resourceSkus"}
        cache[location] = specs
    return cache[location]


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else number


def vm_specs(size: str, catalog, location_specs: dict[str, dict]) -> dict[str, Any]:
    spec = catalog.instance(PROVIDER, size) if catalog is not None else None
    if spec is not None:
        return {"vcpu": spec.vcpu, "memory_gib": spec.memory_gib, "gpu_count": spec.gpu_count,
                "gpu_model": spec.gpu_model, "gpu_memory_gib": spec.gpu_memory_gib,
                "architecture": spec.architecture, "source": "catalog"}
    base = dict(location_specs.get(size, {}))
    model, mem = gpu_model(size)
    base.setdefault("gpu_count", 0)
    base.update(gpu_model=model if base.get("gpu_count") else None,
                gpu_memory_gib=mem if base.get("gpu_count") else None,
                architecture="arm64" if re.search(r"p[a-z]*s?_v\d", size.split("_", 1)[-1]) else "x86_64")
    return base


def power_state(vm) -> str:
    view = getattr(vm, "instance_view", None)
    for status in getattr(view, "statuses", None) or []:
        if (status.code or "").startswith("PowerState/"):
            return status.code.split("/", 1)[1]
    return "unknown"


def vm_resource(vm, subscription: str, specs: dict[str, Any], prices, currency: str) -> Resource:
    size = text(vm.hardware_profile.vm_size) if vm.hardware_profile else ""
    priority = text(getattr(vm, "priority", None)) or "Regular"
    spot = priority.lower().endswith(("spot", "low"))
    state = power_state(vm)
    system = vm_os(vm)
    extra: dict[str, Any] = system.attributes()
    hourly = prices.vm_hourly(vm.location, size, spot, system.windows_meter) if prices is not None else None
    if hourly is None and system.windows_meter and prices is not None:
        hourly = prices.vm_hourly(vm.location, size, spot)  # no Windows meter answered: Linux, a lower bound
        if hourly is not None:
            extra["price_is_lower_bound"] = "no Windows meter in the Retail Prices API: priced as Linux, without the licence"
    elif hourly is not None and system.note:
        extra["price_is_lower_bound"] = system.note
    if hourly is not None and state == "deallocated":
        hourly = 0.0
    tags = {str(k): str(v) for k, v in (vm.tags or {}).items()}
    gpu = int(specs.get("gpu_count") or 0) or (1 if is_gpu_size(size) and not specs else 0)
    return Resource(
        provider=PROVIDER, account=subscription, region=vm.location, id=vm.id.lower(),
        kind="gpu_vm" if gpu else "vm", type=size, name=vm.name, pricing_model="spot" if spot else "on_demand",
        hourly_cost=hourly, currency=currency, tags=tags, workload=_workload(tags),
        created=when(getattr(vm, "time_created", None)),
        specs={"vcpu": specs.get("vcpu"), "memory_gib": specs.get("memory_gib"), "gpu_count": gpu,
               "gpu_model": specs.get("gpu_model"), "gpu_memory_gib": specs.get("gpu_memory_gib"),
               "architecture": specs.get("architecture")},
        attributes={"state": state, "priority": priority,
                    "resource_group": resource_group(vm.id), "specs_source": specs.get("source"), **extra},
    )


def disk_resource(disk, subscription: str, prices, currency: str) -> Resource:
    sku = text(disk.sku.name) if disk.sku else ""
    size = float(disk.disk_size_gb or 0)
    state = text(disk.disk_state)
    iops = float(getattr(disk, "disk_iops_read_write", None) or 0)
    mbps = float(getattr(disk, "disk_m_bps_read_write", None) or 0)
    hourly = None
    if prices is not None and sku.lower() in PROVISIONED_DISKS:
        hourly = prices.provisioned_disk_hourly(disk.location, sku, size, iops, mbps)
    elif prices is not None:
        monthly = prices.disk_monthly(disk.location, sku, size, text(getattr(disk, "tier", None)) or None)
        hourly = None if monthly is None else monthly / HOURS_PER_MONTH
    tags = {str(k): str(v) for k, v in (disk.tags or {}).items()}
    return Resource(
        provider=PROVIDER, account=subscription, region=disk.location, id=disk.id.lower(), kind="volume",
        type=sku, name=disk.name, hourly_cost=hourly, currency=currency,
        tags=tags, workload=_workload(tags), created=when(getattr(disk, "time_created", None)),
        attributes={"attached": state.lower() not in ("unattached",), "state": state, "size_gb": size,
                    "provisioned_iops": iops or None, "provisioned_mbps": mbps or None,
                    "managed_by": (disk.managed_by or "").lower() or None, "tier": text(getattr(disk, "tier", None)) or None,
                    "resource_group": resource_group(disk.id)},
    )


def public_ip_resource(ip, subscription: str, prices, currency: str) -> Resource:
    associated = ip.ip_configuration is not None or getattr(ip, "nat_gateway", None) is not None
    sku = text(ip.sku.name) if ip.sku else "Basic"
    hourly = prices.public_ip_hourly(ip.location, sku) if prices is not None else None
    return Resource(
        provider=PROVIDER, account=subscription, region=ip.location, id=ip.id.lower(), kind="address",
        type=sku, name=ip.name, hourly_cost=hourly, currency=currency,
        tags={str(k): str(v) for k, v in (ip.tags or {}).items()},
        attributes={"attached": associated, "associated": associated, "ip": ip.ip_address,
                    "allocation": text(ip.public_ip_allocation_method), "resource_group": resource_group(ip.id)},
    )


def storage_resource(account, subscription: str, rules: list[dict] | None, currency: str) -> Resource:
    """A storage account; ``rules`` None = its lifecycle policy could not be read (unknown, not absent)."""
    tags = {str(k): str(v) for k, v in (account.tags or {}).items()}
    tier = text(account.access_tier) or None
    return Resource(
        provider=PROVIDER, account=subscription, region=account.location, id=account.id.lower(),
        kind="storage_account", type=text(account.sku.name) if account.sku else "", name=account.name,
        hourly_cost=None, currency=currency, tags=tags, workload=_workload(tags),
        created=when(getattr(account, "creation_time", None)),
        attributes={"access_tier": tier, "storage_class": tier, "kind": text(account.kind),
                    "lifecycle_rules": rules, "has_lifecycle": None if rules is None else bool(rules),
                    "resource_group": resource_group(account.id)},
    )


def lifecycle_rules(storage, account) -> list[dict]:
    """The account's management-policy rules ([] when it has none: a 404 from the API)."""
    try:
        policy = storage.management_policies.get(resource_group(account.id), account.name, "default")
    except ResourceNotFoundError:
        return []
    rules = getattr(getattr(policy, "policy", None), "rules", None) or []
    return [r.as_dict() if hasattr(r, "as_dict") else dict(r) for r in rules]
