"""The concrete CLI step for each idle clean-up, per provider (AWS, GCP, Azure).

Values costopt cannot know (a zone it did not read, a router name) appear in angle brackets.
"""

from __future__ import annotations

from costopt.model import Resource


def _zone(r: Resource) -> str:
    return str(r.attributes.get("zone") or f"<zone in {r.region}>")


def _name(r: Resource) -> str:
    return r.name or r.id.rsplit("/", 1)[-1]


def stop_instance(r: Resource) -> str:
    if r.provider == "gcp":
        return f"gcloud compute instances stop {_name(r)} --zone {_zone(r)} --project {r.account}"
    if r.provider == "azure":
        return f"az vm deallocate --ids {r.id}"
    return f"aws ec2 stop-instances --region {r.region} --instance-ids {r.id}"


def delete_volume(r: Resource) -> str:
    """Snapshot first (cheap, restorable), then delete."""
    name = _name(r)
    if r.provider == "gcp":
        return (f"gcloud compute snapshots create {name}-before-delete --source-disk {name} "
                f"--source-disk-zone {_zone(r)} --project {r.account} && "
                f"gcloud compute disks delete {name} --zone {_zone(r)} --project {r.account}")
    if r.provider == "azure":
        return (f"az snapshot create --name {name}-before-delete --source {r.id} "
                f"--resource-group <resource-group> && az disk delete --ids {r.id} --yes")
    return (f"aws ec2 create-snapshot --region {r.region} --volume-id {r.id} "
            f"--description 'costopt: before deleting {r.id}' && "
            f"aws ec2 delete-volume --region {r.region} --volume-id {r.id}")


def release_address(r: Resource) -> str:
    if r.provider == "gcp":
        return f"gcloud compute addresses delete {_name(r)} --region {r.region} --project {r.account}"
    if r.provider == "azure":
        return f"az network public-ip delete --ids {r.id}"
    return f"aws ec2 release-address --region {r.region} --allocation-id {r.id}"


def delete_snapshot(r: Resource) -> str:
    if r.provider == "gcp":
        return f"gcloud compute snapshots delete {_name(r)} --project {r.account}"
    if r.provider == "azure":
        return f"az snapshot delete --ids {r.id}"
    return f"aws ec2 delete-snapshot --region {r.region} --snapshot-id {r.id}"
