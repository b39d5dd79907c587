"""The concrete CLI step for each idle clean-up, per provider (AWS, GCP, Azure).

Values costopt cannot know (a zone it did not read, a router name) appear in angle brackets.
Each action is a table of command templates per provider, filled by
:func:`costopt.rules.shell.for_resource`: every value is one shell word, so a resource name
from the cloud cannot add a command or a line.
"""

from __future__ import annotations

from costopt.model import Resource
from costopt.rules.shell import command, for_resource, resource_words

S3_TIERING_LIFECYCLE = ('{"Rules":[{"ID":"costopt-tiering","Status":"Enabled","Filter":{},'
                        '"Transitions":[{"Days":0,"StorageClass":"INTELLIGENT_TIERING"}],'
                        '"NoncurrentVersionExpiration":{"NoncurrentDays":30},'
                        '"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}')


# One template per provider; any provider other than GCP and Azure gets the AWS command ("*").
STOP_INSTANCE = {
    "gcp": "gcloud compute instances stop {short_name} --zone {zone} --project {account}",
    "azure": "az vm deallocate --ids {id}",
    "*": "aws ec2 stop-instances --region {region} --instance-ids {id}",
}
DELETE_VOLUME = {  # snapshot first (cheap, restorable), then delete
    "gcp": ("gcloud compute snapshots create {backup} --source-disk {short_name} --source-disk-zone {zone} "
            "--project {account} && gcloud compute disks delete {short_name} --zone {zone} --project {account}"),
    "azure": ("az snapshot create --name {backup} --source {id} --resource-group {group} && "
              "az disk delete --ids {id} --yes"),
    "*": ("aws ec2 create-snapshot --region {region} --volume-id {id} --description {description} && "
          "aws ec2 delete-volume --region {region} --volume-id {id}"),
}
RELEASE_ADDRESS = {
    "gcp": "gcloud compute addresses delete {short_name} --region {region} --project {account}",
    "azure": "az network public-ip delete --ids {id}",
    "*": "aws ec2 release-address --region {region} --allocation-id {id}",
}
DELETE_SNAPSHOT = {
    "gcp": "gcloud compute snapshots delete {short_name} --project {account}",
    "azure": "az snapshot delete --ids {id}",
    "*": "aws ec2 delete-snapshot --region {region} --snapshot-id {id}",
}


def stop_instance(r: Resource) -> str:
    return for_resource(STOP_INSTANCE, r)


def delete_volume(r: Resource) -> str:
    """Snapshot first (cheap, restorable), then delete."""
    return for_resource(DELETE_VOLUME, r, backup=resource_words(r)["short_name"] + "-before-delete",
                        group="<resource-group>", description=f"costopt: before deleting {r.id}")


def release_address(r: Resource) -> str:
    return for_resource(RELEASE_ADDRESS, r)


def delete_snapshot(r: Resource) -> str:
    return for_resource(DELETE_SNAPSHOT, r)


def delete_endpoint(r: Resource) -> str:
    """A SageMaker endpoint (its endpoint config and model stay)."""
    return command("aws sagemaker delete-endpoint --region {region} --endpoint-name {short_name}", **resource_words(r))


def delete_nat_gateway(r: Resource) -> str:
    return command("aws ec2 delete-nat-gateway --region {region} --nat-gateway-id {id}", **resource_words(r))


def tiering_lifecycle(r: Resource) -> str:
    """An S3 lifecycle rule moving everything to Intelligent-Tiering."""
    return command("aws s3api put-bucket-lifecycle-configuration --bucket {name} --lifecycle-configuration {rules}",
                   rules=S3_TIERING_LIFECYCLE, **resource_words(r))
