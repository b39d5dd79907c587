"""GCP inventory: Compute Engine instances, disks, static addresses, and Cloud Storage buckets.

The lists are read by :mod:`costopt.providers.gcp.lists` (aggregated over all zones/regions,
page by page); this module maps their items. Instances map
to ``vm`` / ``gpu_vm`` (GPUs from guestAccelerators or the machine type's bundled accelerators),
with Spot / preemptible scheduling as pricing model ``spot``; disks to ``volume`` (no users =
unattached); addresses to ``address`` (status RESERVED = not in use); buckets to ``bucket``
with storage class and lifecycle rules. GCP label keys cannot hold ':', so a label
``costopt-workload`` is also exposed as the tag ``costopt:workload`` (likewise any ``costopt-*``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from costopt.model import WORKLOAD_KINDS, Resource
from costopt.providers.gcp.clients import RETRY
from costopt.providers.gcp.licence import licence_urls, note_for, os_of_licences

PROVIDER = "gcp"
# Instance status -> what Compute Engine bills for the instance itself (its disks and addresses
# are separate resources, billed in every state). SUSPENDED: the preserved memory and device
# state (compute.instances.suspend: "no compute costs (cores or RAM), and incur only storage
# charges for the saved VM memory"); STOPPING/SUSPENDING still run.
BILLED_AS_RUNNING = frozenset({"RUNNING", "STOPPING", "SUSPENDING", "PROVISIONING", "STAGING", "REPAIRING"})
SUSPENDED = frozenset({"SUSPENDED"})
STOPPED = frozenset({"TERMINATED", "STOPPED"})
GPU_MEMORY_GIB = {"nvidia-tesla-a100": 40, "nvidia-a100-80gb": 80, "nvidia-l4": 24, "nvidia-tesla-t4": 16,
                  "nvidia-tesla-v100": 16, "nvidia-tesla-p100": 16, "nvidia-h100-80gb": 80, "nvidia-tesla-p4": 8}


def last(url: str) -> str:
    return (url or "").rstrip("/").rsplit("/", 1)[-1]


def region_of_zone(zone: str) -> str:
    return zone.rsplit("-", 1)[0] if zone.count("-") >= 2 else zone


def gcp_tags(labels: Any) -> dict[str, str]:
    """A resource's labels as tags, by name: a protobuf map has no order of its own (it changes
    with the process's hash seed), and audits of the same estate must be the same bytes."""
    tags = {str(k): str(v) for k, v in sorted(dict(labels or {}).items())}
    for key, value in list(tags.items()):
        if key.startswith(("costopt-", "costopt_")):
            tags.setdefault(f"costopt:{key[8:]}", value)
    return tags


def instance_id(project: str, zone: str, numeric_id: Any) -> str:
    return f"//compute.googleapis.com/projects/{project}/zones/{zone}/instances/{numeric_id}"


def machine_specs(clients, catalog, project: str, zone: str, machine_type: str) -> dict[str, Any]:
    """vCPU, memory and bundled GPUs of a machine type: the catalog first, else machineTypes.get."""
    spec = catalog.instance(PROVIDER, machine_type) if catalog is not None else None
    if spec is not None:
        accels: list[tuple[str, int]] = []
        if spec.gpu_count:  # the accelerator type (for its SKU price) comes from the machine type
            try:
                mt = clients.compute("machine_types").get(project=project, zone=zone, machine_type=machine_type,
                                                          retry=RETRY, timeout=clients.call_timeout)
                accels = [(a.guest_accelerator_type, int(a.guest_accelerator_count)) for a in mt.accelerators]
            except Exception:  # keep the catalog's specs; the SKU price then needs guestAccelerators
                accels = []
        return {"vcpu": spec.vcpu, "memory_gib": spec.memory_gib, "gpu_count": spec.gpu_count,
                "gpu_model": spec.gpu_model, "gpu_memory_gib": spec.gpu_memory_gib,
                "architecture": spec.architecture, "accelerators": accels, "source": "catalog"}
    mt = clients.compute("machine_types").get(project=project, zone=zone, machine_type=machine_type, retry=RETRY,
                                                timeout=clients.call_timeout)
    accels = [(a.guest_accelerator_type, int(a.guest_accelerator_count)) for a in mt.accelerators]
    return {"vcpu": int(mt.guest_cpus), "memory_gib": mt.memory_mb / 1024.0,
            "gpu_count": sum(c for _t, c in accels), "gpu_model": accels[0][0] if accels else None,
            "gpu_memory_gib": GPU_MEMORY_GIB.get(accels[0][0]) if accels else None,
            "architecture": "arm64" if machine_type.startswith(("t2a", "c4a")) else "x86_64",
            "accelerators": accels, "source": "compute.machineTypes"}


def _created(text: str | None) -> datetime | None:
    """An RFC 3339 timestamp; one that cannot be parsed is unknown (None), not a reason to drop the item."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except (ValueError, AttributeError):
        return None


def _workload(tags: dict[str, str]) -> str | None:
    value = tags.get("costopt:workload")
    return value if value in WORKLOAD_KINDS else None


def instance_resource(inst, project: str, specs: dict[str, Any], prices, currency: str) -> Resource:
    zone = last(inst.zone)
    region = region_of_zone(zone)
    machine_type = last(inst.machine_type)
    accels = [(last(a.accelerator_type), int(a.accelerator_count)) for a in inst.guest_accelerators]
    accels = accels or list(specs.get("accelerators") or [])
    gpu_count = sum(c for _t, c in accels) or int(specs.get("gpu_count") or 0)
    accelerator_type = accels[0][0] if accels else None
    gpu_model = specs.get("gpu_model")  # the catalog's name (A100) when it knows the type
    if specs.get("source") != "catalog":
        gpu_model = accelerator_type or gpu_model
    spot = inst.scheduling.provisioning_model == "SPOT" or bool(inst.scheduling.preemptible)
    hourly = None
    if prices is not None and inst.status in BILLED_AS_RUNNING:
        hourly = prices.instance_hourly(machine_type, region, specs.get("vcpu"), specs.get("memory_gib"), accels,
                                        spot)
    elif prices is not None and inst.status in SUSPENDED:
        hourly = prices.suspended_hourly(region, specs.get("memory_gib"))
    elif prices is not None and inst.status in STOPPED:
        hourly = 0.0  # no vCPU, memory or GPU charges; its disks and addresses are priced on their own
    tags = gcp_tags(inst.labels)
    licences = licence_urls(inst)
    os = os_of_licences(licences)
    extra: dict[str, Any] = {"os": os, "licenses": [last(u) for u in licences] or None}
    if hourly and note_for(os):
        extra["price_is_lower_bound"] = note_for(os)
    return Resource(
        provider=PROVIDER, account=project, region=region, id=instance_id(project, zone, inst.id),
        kind="gpu_vm" if gpu_count else "vm", type=machine_type, name=inst.name,
        pricing_model="spot" if spot else "on_demand",
        hourly_cost=hourly,
        currency=currency, tags=tags, workload=_workload(tags), created=_created(inst.creation_timestamp),
        specs={"vcpu": specs.get("vcpu"), "memory_gib": specs.get("memory_gib"), "gpu_count": gpu_count,
               "gpu_model": gpu_model,
               "gpu_memory_gib": specs.get("gpu_memory_gib") or GPU_MEMORY_GIB.get(accelerator_type or ""),
               "architecture": specs.get("architecture")},
        attributes={"state": inst.status.lower(), "zone": zone,
                    "billed_while_suspended": (f"{specs.get('memory_gib')} GiB of memory and device state"
                                               if inst.status in SUSPENDED else None),
                    "suspended_since": (_created(inst.last_suspended_timestamp) if inst.status in SUSPENDED
                                        else None),
                    "provisioning_model": inst.scheduling.provisioning_model or "STANDARD",
                    "preemptible": bool(inst.scheduling.preemptible), "specs_source": specs.get("source"),
                    "accelerator_type": accelerator_type,
                    "self_link": inst.self_link, **extra},
    )


def disk_resource(disk, project: str, prices, currency: str) -> Resource:
    zone = last(disk.zone)
    region = region_of_zone(zone) if zone else last(disk.region)
    disk_type = last(disk.type_)
    size = float(disk.size_gb or 0)
    iops, throughput = float(disk.provisioned_iops or 0), float(disk.provisioned_throughput or 0)
    hourly = prices.disk_hourly(disk_type, region, size, iops, throughput,
                                regional=not zone) if prices is not None else None
    tags = gcp_tags(disk.labels)
    scope = f"zones/{zone}" if zone else f"regions/{region}"
    return Resource(
        provider=PROVIDER, account=project, region=region,
        id=f"//compute.googleapis.com/projects/{project}/{scope}/disks/{disk.id}", kind="volume", type=disk_type,
        name=disk.name, hourly_cost=hourly, currency=currency,
        tags=tags, workload=_workload(tags), created=_created(disk.creation_timestamp),
        attributes={"attached": bool(disk.users), "users": [last(u) for u in disk.users], "size_gb": size,
                    "provisioned_iops": iops or None, "provisioned_throughput_mibps": throughput or None,
                    "replica_zones": [last(z) for z in disk.replica_zones],
                    "state": disk.status.lower(), "zone": zone, "last_detach": disk.last_detach_timestamp or None},
    )


def address_resource(addr, project: str, prices, currency: str) -> Resource:
    region = last(addr.region) or "global"
    in_use = addr.status == "IN_USE"
    hourly = prices.static_ip_hourly(region) if prices is not None and not in_use else None
    scope = f"regions/{region}" if region != "global" else "global"
    return Resource(
        provider=PROVIDER, account=project, region=region,
        id=f"//compute.googleapis.com/projects/{project}/{scope}/addresses/{addr.id}", kind="address",
        type=addr.address_type or "EXTERNAL", name=addr.name, hourly_cost=hourly, currency=currency,
        tags=gcp_tags(addr.labels), created=_created(addr.creation_timestamp),
        attributes={"attached": in_use, "associated": in_use, "status": addr.status, "ip": addr.address,
                    "users": [last(u) for u in addr.users]},
    )


def bucket_id(name: str) -> str:
    return f"//storage.googleapis.com/projects/_/buckets/{name}"


def bucket_resource(bucket, project: str, currency: str) -> Resource:
    rules = [dict(r) for r in bucket.lifecycle_rules]
    tags = gcp_tags(bucket.labels)
    return Resource(
        provider=PROVIDER, account=project, region=(bucket.location or "").lower(), id=bucket_id(bucket.name),
        kind="bucket", type=bucket.storage_class or "STANDARD", name=bucket.name, hourly_cost=None,
        currency=currency, tags=tags, workload=_workload(tags),
        created=_created(bucket._properties.get("timeCreated")),
        attributes={"storage_class": bucket.storage_class, "location": bucket.location,
                    "location_type": bucket.location_type, "lifecycle_rules": rules,
                    "has_lifecycle": bool(rules), "versioning": bool(bucket.versioning_enabled),
                    "autoclass": bool((bucket._properties.get("autoclass") or {}).get("enabled"))},
    )
