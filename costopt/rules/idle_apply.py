"""The concrete CLI step for each idle clean-up, per provider (AWS, GCP, Azure).

Values costopt cannot know (a zone it did not read, a router name) appear in angle brackets.
Every value is one shell word (:func:`costopt.rules.shell.arg`): a resource name from the
cloud cannot add a command or a line.
"""

from __future__ import annotations

from costopt.model import Resource
from costopt.rules.shell import arg

S3_TIERING_LIFECYCLE = ('{"Rules":[{"ID":"costopt-tiering","Status":"Enabled","Filter":{},'
                        '"Transitions":[{"Days":0,"StorageClass":"INTELLIGENT_TIERING"}],'
                        '"NoncurrentVersionExpiration":{"NoncurrentDays":30},'
                        '"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}')


def _zone(r: Resource) -> str:
    return arg(r.attributes.get("zone") or f"<zone in {r.region}>")


def _name(r: Resource) -> str:
    return r.name or r.id.rsplit("/", 1)[-1]


def stop_instance(r: Resource) -> str:
    if r.provider == "gcp":
        return f"gcloud compute instances stop {arg(_name(r))} --zone {_zone(r)} --project {arg(r.account)}"
    if r.provider == "azure":
        return f"az vm deallocate --ids {arg(r.id)}"
    return f"aws ec2 stop-instances --region {arg(r.region)} --instance-ids {arg(r.id)}"


def delete_volume(r: Resource) -> str:
    """Snapshot first (cheap, restorable), then delete."""
    name = _name(r)
    if r.provider == "gcp":
        return (f"gcloud compute snapshots create {arg(name + '-before-delete')} --source-disk {arg(name)} "
                f"--source-disk-zone {_zone(r)} --project {arg(r.account)} && "
                f"gcloud compute disks delete {arg(name)} --zone {_zone(r)} --project {arg(r.account)}")
    if r.provider == "azure":
        return (f"az snapshot create --name {arg(name + '-before-delete')} --source {arg(r.id)} "
                f"--resource-group {arg('<resource-group>')} && az disk delete --ids {arg(r.id)} --yes")
    return (f"aws ec2 create-snapshot --region {arg(r.region)} --volume-id {arg(r.id)} "
            f"--description {arg('costopt: before deleting ' + r.id)} && "
            f"aws ec2 delete-volume --region {arg(r.region)} --volume-id {arg(r.id)}")


def release_address(r: Resource) -> str:
    if r.provider == "gcp":
        return f"gcloud compute addresses delete {arg(_name(r))} --region {arg(r.region)} --project {arg(r.account)}"
    if r.provider == "azure":
        return f"az network public-ip delete --ids {arg(r.id)}"
    return f"aws ec2 release-address --region {arg(r.region)} --allocation-id {arg(r.id)}"


def delete_snapshot(r: Resource) -> str:
    if r.provider == "gcp":
        return f"gcloud compute snapshots delete {arg(_name(r))} --project {arg(r.account)}"
    if r.provider == "azure":
        return f"az snapshot delete --ids {arg(r.id)}"
    return f"aws ec2 delete-snapshot --region {arg(r.region)} --snapshot-id {arg(r.id)}"


def delete_endpoint(r: Resource) -> str:
    """A SageMaker endpoint (its endpoint config and model stay)."""
    return f"aws sagemaker delete-endpoint --region {arg(r.region)} --endpoint-name {arg(r.name or _name(r))}"


def delete_nat_gateway(r: Resource) -> str:
    return f"aws ec2 delete-nat-gateway --region {arg(r.region)} --nat-gateway-id {arg(r.id)}"


def tiering_lifecycle(r: Resource) -> str:
    """An S3 lifecycle rule moving everything to Intelligent-Tiering."""
    return (f"aws s3api put-bucket-lifecycle-configuration --bucket {arg(r.name or r.id)} "
            f"--lifecycle-configuration {arg(S3_TIERING_LIFECYCLE)}")
