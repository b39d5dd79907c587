"""EC2 inventory: instances (with specs from DescribeInstanceTypes), EBS volumes and snapshots,
Elastic IPs, NAT gateways and S3 gateway endpoints of one account and region.

Every item is built on its own (:func:`~costopt.providers.aws.coverage.each`): one item of an
unexpected shape becomes a ``partial`` coverage entry naming it, and the others are kept.
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions

from costopt.model import CoverageEntry, Resource
from costopt.providers.aws.common import aws_resource, chunks, pages, tag_dict
from costopt.providers.aws.coverage import each, guarded, scope_of
from costopt.providers.aws.platform import attributes_of
from costopt.providers.aws.session import Account

LIVE_STATES = ("pending", "running", "stopping", "stopped")


def instance_specs(ec2: Any, types: set[str], cov: list[CoverageEntry] | None = None,
                   scope: str = "ec2 instance types") -> dict[str, dict[str, Any]]:
    """Hardware facts per instance type: vcpu, memory_gib, gpu_count, gpu_model, gpu_memory_gib...

    A type description of unexpected shape is left out (its specs come from the catalog) and
    noted in ``cov`` when given."""
    specs: dict[str, dict[str, Any]] = {}
    for batch in chunks(sorted(types), 100):
        try:
            infos = list(pages(ec2, "describe_instance_types", "InstanceTypes", InstanceTypes=batch))
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "InvalidInstanceType":
                raise
            if len(batch) > 1:  # find the type this region does not describe; keep the others
                for one in batch:
                    specs.update(instance_specs(ec2, {one}, cov, scope))
            continue  # specs of an undescribed type come from the catalog
        described = each(scope, [] if cov is None else cov, infos, lambda info: (info["InstanceType"], spec_of(info)),
                         lambda info: info.get("InstanceType", "an instance type"))
        specs.update(described)
    return specs


def spec_of(info: dict[str, Any]) -> dict[str, Any]:
    vcpu = info.get("VCpuInfo", {}).get("DefaultVCpus")
    mem_mib = info.get("MemoryInfo", {}).get("SizeInMiB")
    archs = info.get("ProcessorInfo", {}).get("SupportedArchitectures") or []
    spec: dict[str, Any] = {
        "vcpu": vcpu,
        "memory_gib": round(mem_mib / 1024.0, 3) if mem_mib else None,
        "architecture": archs[0] if archs else None,
        "gpu_count": 0, "gpu_model": None, "gpu_memory_gib": None,
    }
    gpus = (info.get("GpuInfo") or {}).get("Gpus") or []
    if gpus:
        count = sum(int(g.get("Count", 0)) for g in gpus)
        spec["gpu_count"] = count
        spec["gpu_model"] = " ".join(x for x in (gpus[0].get("Manufacturer"), gpus[0].get("Name")) if x)
        per = gpus[0].get("MemoryInfo", {}).get("SizeInMiB")
        spec["gpu_memory_gib"] = round(per / 1024.0, 3) if per else None
    neurons = (info.get("NeuronInfo") or {}).get("NeuronDevices") or []
    if neurons:
        spec["accelerator_count"] = sum(int(n.get("Count", 0)) for n in neurons)
        spec["accelerator_model"] = neurons[0].get("Name")
    spec["network_performance"] = info.get("NetworkInfo", {}).get("NetworkPerformance")
    return spec


def _id(key: str) -> Any:
    return lambda item: item.get(key) or f"an item without {key}"


def instances(account: Account, region: str, cov: list[CoverageEntry]) -> list[Resource]:
    ec2 = account.client("ec2", region)
    scope = scope_of(account.account_id, region, "ec2 instances")
    raw = [inst for res in pages(ec2, "describe_instances", "Reservations",
                                 Filters=[{"Name": "instance-state-name", "Values": list(LIVE_STATES)}])
           for inst in (res.get("Instances") or ())]
    types = {i.get("InstanceType") for i in raw if isinstance(i, dict)} - {None, ""}
    specs_scope = scope_of(account.account_id, region, "ec2 instance types")
    # without DescribeInstanceTypes the instances are still listed; their specs come from the catalog
    specs = guarded(specs_scope, cov, lambda: instance_specs(ec2, types, cov, specs_scope),
                    actions=("ec2:DescribeInstanceTypes",), default={}) if types else {}

    def one(inst: dict[str, Any]) -> Resource:
        tags = tag_dict(inst.get("Tags"))
        spec = specs.get(inst["InstanceType"], {})
        launch = inst.get("LaunchTime")
        return aws_resource(
            account.account_id, region, tags, id=inst["InstanceId"],
            kind="gpu_vm" if spec.get("gpu_count") else "vm", type=inst["InstanceType"],
            pricing_model="spot" if inst.get("InstanceLifecycle") == "spot" else "on_demand",
            created=launch, specs=spec,
            attributes={
                "state": inst.get("State", {}).get("Name"),
                "asg": tags.get("aws:autoscaling:groupName"),
                "launch_time": launch.isoformat() if launch else None,
                "availability_zone": inst.get("Placement", {}).get("AvailabilityZone"),
                **attributes_of(inst),
                "lifecycle": inst.get("InstanceLifecycle", "normal"),
                "vpc_id": inst.get("VpcId"),
            })
    return each(scope, cov, raw, one, _id("InstanceId"))


def volumes(account: Account, region: str, cov: list[CoverageEntry]) -> list[Resource]:
    ec2 = account.client("ec2", region)

    def one(vol: dict[str, Any]) -> Resource:
        tags = tag_dict(vol.get("Tags"))
        attached = [a["InstanceId"] for a in vol.get("Attachments") or () if a.get("State") in ("attached", "attaching")]
        return aws_resource(
            account.account_id, region, tags, id=vol["VolumeId"], kind="volume", type=vol.get("VolumeType", ""),
            created=vol.get("CreateTime"),
            attributes={"attached": bool(attached), "attached_to": attached, "volume_type": vol.get("VolumeType"),
                        "size_gb": vol.get("Size"), "iops": vol.get("Iops"), "throughput": vol.get("Throughput"),
                        "state": vol.get("State"), "availability_zone": vol.get("AvailabilityZone")})
    return each(scope_of(account.account_id, region, "ebs volumes"), cov, pages(ec2, "describe_volumes", "Volumes"),
                one, _id("VolumeId"))


def snapshots(account: Account, region: str, cov: list[CoverageEntry]) -> list[Resource]:
    ec2 = account.client("ec2", region)

    def one(snap: dict[str, Any]) -> Resource:
        started = snap.get("StartTime")
        return aws_resource(
            account.account_id, region, tag_dict(snap.get("Tags")), id=snap["SnapshotId"], kind="snapshot",
            type=snap.get("StorageTier", "standard"), created=started,
            attributes={"size_gb": snap.get("VolumeSize"), "volume_id": snap.get("VolumeId"),
                        "created": started.isoformat() if started else None, "owner": "self",
                        "description": snap.get("Description", ""), "state": snap.get("State")})
    return each(scope_of(account.account_id, region, "ebs snapshots"), cov,
                pages(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"]), one, _id("SnapshotId"))


def addresses(account: Account, region: str, cov: list[CoverageEntry]) -> list[Resource]:
    ec2 = account.client("ec2", region)

    def one(addr: dict[str, Any]) -> Resource:
        tags = tag_dict(addr.get("Tags"))
        return aws_resource(
            account.account_id, region, tags,
            id=addr.get("AllocationId") or addr["PublicIp"], kind="address", type="elastic_ip",
            name=tags.get("Name", addr.get("PublicIp", "")),
            attributes={"associated": bool(addr.get("AssociationId")), "public_ip": addr.get("PublicIp"),
                        "instance_id": addr.get("InstanceId"), "domain": addr.get("Domain")})
    listed = ec2.describe_addresses().get("Addresses") or ()  # not paginated by the API
    return each(scope_of(account.account_id, region, "elastic ips"), cov, listed, one,
                lambda a: a.get("AllocationId") or a.get("PublicIp") or "an address without AllocationId")


def nat_gateways(account: Account, region: str, cov: list[CoverageEntry]) -> list[Resource]:
    ec2 = account.client("ec2", region)
    raw = [n for n in pages(ec2, "describe_nat_gateways", "NatGateways") if n.get("State") in ("pending", "available")]
    if not raw:
        return []
    s3_gateway_vpcs = {e.get("VpcId") for e in pages(ec2, "describe_vpc_endpoints", "VpcEndpoints")
                       if e.get("VpcEndpointType") == "Gateway" and (e.get("ServiceName") or "").endswith(".s3")}

    def one(nat: dict[str, Any]) -> Resource:
        return aws_resource(
            account.account_id, region, tag_dict(nat.get("Tags")), id=nat["NatGatewayId"], kind="nat_gateway",
            type=nat.get("ConnectivityType", "public"), created=nat.get("CreateTime"),
            attributes={"state": nat.get("State"), "vpc_id": nat.get("VpcId"), "subnet_id": nat.get("SubnetId"),
                        "vpc_has_s3_gateway_endpoint": nat.get("VpcId") in s3_gateway_vpcs})
    return each(scope_of(account.account_id, region, "nat gateways"), cov, raw, one, _id("NatGatewayId"))
