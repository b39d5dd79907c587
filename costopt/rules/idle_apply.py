"""The concrete CLI step for each idle clean-up, per provider (AWS, GCP, Azure).

One template per clean-up and provider (:data:`COMMANDS`), filled from the resource; values
costopt cannot know (a zone it did not read, a resource group) appear in angle brackets. A
provider without its own template gets the AWS one.
"""

from __future__ import annotations

from costopt.model import Resource

COMMANDS: dict[str, dict[str, str]] = {
    "stop_instance": {
        "aws": "aws ec2 stop-instances --region {region} --instance-ids {id}",
        "gcp": "gcloud compute instances stop {name} --zone {zone} --project {account}",
        "azure": "az vm deallocate --ids {id}",
    },
    # snapshot first (cheap, restorable), then delete
    "delete_volume": {
        "aws": ("aws ec2 create-snapshot --region {region} --volume-id {id} --description 'costopt: before deleting {id}' "
                "&& aws ec2 delete-volume --region {region} --volume-id {id}"),
        "gcp": ("gcloud compute snapshots create {name}-before-delete --source-disk {name} --source-disk-zone {zone} "
                "--project {account} && gcloud compute disks delete {name} --zone {zone} --project {account}"),
        "azure": ("az snapshot create --name {name}-before-delete --source {id} --resource-group <resource-group> "
                  "&& az disk delete --ids {id} --yes"),
    },
    "release_address": {
        "aws": "aws ec2 release-address --region {region} --allocation-id {id}",
        "gcp": "gcloud compute addresses delete {name} --region {region} --project {account}",
        "azure": "az network public-ip delete --ids {id}",
    },
    "delete_snapshot": {
        "aws": "aws ec2 delete-snapshot --region {region} --snapshot-id {id}",
        "gcp": "gcloud compute snapshots delete {name} --project {account}",
        "azure": "az snapshot delete --ids {id}",
    },
}


def command(action: str, r: Resource) -> str:
    """The ``action`` step (a key of :data:`COMMANDS`) for ``r``."""
    templates = COMMANDS[action]
    template = templates.get(r.provider, templates["aws"])
    return template.format(id=r.id, region=r.region, account=r.account, name=r.name or r.id.rsplit("/", 1)[-1],
                           zone=r.attributes.get("zone") or f"<zone in {r.region}>")


def stop_instance(r: Resource) -> str:
    return command("stop_instance", r)


def delete_volume(r: Resource) -> str:
    return command("delete_volume", r)


def release_address(r: Resource) -> str:
    return command("release_address", r)


def delete_snapshot(r: Resource) -> str:
    return command("delete_snapshot", r)
