"""The concrete CLI step that applies a resize or a move to spot, per provider and resource kind.

The commands are what an engineer would paste (with the resource's own ids filled in); where
the provider needs a value costopt does not know (a launch template, a zone, a model name) the
command names it in angle brackets.
"""

from __future__ import annotations

import json

from costopt.model import Resource


def _zone(r: Resource) -> str:
    return str(r.attributes.get("zone") or f"<zone in {r.region}>")


def _azure_target(r: Resource) -> str:
    if r.id.startswith("/subscriptions/"):
        return f"--ids {r.id}"
    group = r.attributes.get("resource_group") or "<resource-group>"
    return f"--resource-group {group} --name {r.name or r.id}"


def resize_command(r: Resource, new_type: str) -> str:
    """Command(s) that change ``r`` to ``new_type`` (same count)."""
    name = r.name or r.id
    if r.provider == "aws":
        if r.kind == "autoscaling_group":
            template = r.attributes.get("launch_template") or "<launch-template-name>"
            data = json.dumps({"InstanceType": new_type})
            return (f"aws ec2 create-launch-template-version --region {r.region} --launch-template-name {template} "
                    f"--source-version '$Latest' --launch-template-data '{data}' && "
                    f"aws autoscaling start-instance-refresh --region {r.region} --auto-scaling-group-name {name}")
        if r.kind == "endpoint":
            variant = r.attributes.get("variant_name") or "AllTraffic"
            model = r.attributes.get("model_name") or r.tag("costopt:model") or "<model-name>"
            config = f"{name}-{new_type.replace('.', '-')}"
            return (f"aws sagemaker create-endpoint-config --region {r.region} --endpoint-config-name {config} "
                    f"--production-variants VariantName={variant},ModelName={model},InstanceType={new_type},"
                    f"InitialInstanceCount={r.count} && aws sagemaker update-endpoint --region {r.region} "
                    f"--endpoint-name {name} --endpoint-config-name {config}")
        return (f"aws ec2 stop-instances --region {r.region} --instance-ids {r.id} && "
                f"aws ec2 wait instance-stopped --region {r.region} --instance-ids {r.id} && "
                f"aws ec2 modify-instance-attribute --region {r.region} --instance-id {r.id} "
                f"--instance-type Value={new_type} && aws ec2 start-instances --region {r.region} --instance-ids {r.id}")
    if r.provider == "gcp":
        if "+" in new_type:
            machine, _, accel = new_type.partition("+")
            model, _, count = accel.partition(":")
            return (f"recreate with the new shape: gcloud compute instances create {name}-resized --zone {_zone(r)} "
                    f"--machine-type {machine} --accelerator=type={model},count={count or 1} "
                    f"--maintenance-policy=TERMINATE --source-machine-image <image-of-{name}>")
        if r.kind == "autoscaling_group":
            return (f"gcloud compute instance-templates create {name}-{new_type} --source-instance-template "
                    f"<current-template> --machine-type {new_type} && gcloud compute instance-groups managed "
                    f"rolling-action start-update {name} --version template={name}-{new_type} --region {r.region}")
        return (f"gcloud compute instances stop {name} --zone {_zone(r)} && gcloud compute instances set-machine-type "
                f"{name} --zone {_zone(r)} --machine-type {new_type} && gcloud compute instances start {name} "
                f"--zone {_zone(r)}")
    if r.provider == "azure":
        if r.kind == "autoscaling_group":
            target = _azure_target(r)
            return f"az vmss update {target} --set sku.name={new_type} && az vmss update-instances {target} --instance-ids '*'"
        return f"az vm resize {_azure_target(r)} --size {new_type}"
    return f"change {name} to {new_type}"


# The move to spot per (provider, resource kind); "*" is any other kind of that provider.
SPOT_COMMANDS: dict[tuple[str, str], str] = {
    ("aws", "autoscaling_group"): ("aws autoscaling update-auto-scaling-group --region {region} --auto-scaling-group-name "
                                   "{name} --mixed-instances-policy '{policy}'"),
    ("aws", "training_job"): ("re-submit with managed spot training: aws sagemaker create-training-job ... "
                              "--enable-managed-spot-training --stop-condition MaxRuntimeInSeconds=<s>,MaxWaitTimeInSeconds=<s> "
                              "--checkpoint-config S3Uri=s3://<bucket>/<prefix>"),
    ("aws", "*"): ("relaunch as spot: aws ec2 run-instances --region {region} --instance-type {type} "
                   "--instance-market-options 'MarketType=spot,SpotOptions={{InstanceInterruptionBehavior=stop,"
                   "SpotInstanceType=persistent}}' --launch-template LaunchTemplateName=<template-of-{name}>"),
    ("gcp", "autoscaling_group"): ("gcloud compute instance-templates create {name}-spot --source-instance-template "
                                   "<current-template> --provisioning-model=SPOT --instance-termination-action=STOP && add "
                                   "it as a second version: gcloud compute instance-groups managed rolling-action "
                                   "start-update {name} --version template=<current-template> --canary-version "
                                   "template={name}-spot,target-size={spot_count}"),
    ("gcp", "*"): ("recreate as Spot VM: gcloud compute instances create {name}-spot --zone {zone} --machine-type {machine} "
                   "--provisioning-model=SPOT --instance-termination-action=STOP --source-machine-image <image-of-{name}>"),
    ("azure", "autoscaling_group"): ("az vmss create {azure_spot_target} --priority Spot --eviction-policy Deallocate "
                                     "--vm-sku {type} --instance-count {spot_count} --image <image>"),
    ("azure", "*"): ("recreate as Spot VM: az vm create {azure_target}-spot --size {type} --priority Spot "
                     "--eviction-policy Deallocate --max-price -1 --image <image>"),
}


def spot_command(r: Resource, spot_count: int, on_demand_base: int) -> str:
    """Command that moves ``spot_count`` of ``r``'s instances to spot, keeping ``on_demand_base``."""
    name = r.name or r.id
    template = SPOT_COMMANDS.get((r.provider, r.kind)) or SPOT_COMMANDS.get((r.provider, "*"))
    if template is None:
        return f"move {name} to spot capacity"
    policy = {"LaunchTemplate": {"LaunchTemplateSpecification": {
                  "LaunchTemplateName": r.attributes.get("launch_template") or "<launch-template-name>",
                  "Version": "$Latest"}},
              "InstancesDistribution": {"OnDemandBaseCapacity": on_demand_base,
                                        "OnDemandPercentageAboveBaseCapacity": 0,
                                        "SpotAllocationStrategy": "price-capacity-optimized"}}
    target = _azure_target(r) if r.provider == "azure" else ""
    return template.format(name=name, region=r.region, type=r.type, machine=r.type.partition("+")[0], zone=_zone(r),
                           spot_count=spot_count, policy=json.dumps(policy), azure_target=target,
                           azure_spot_target=target.replace("--name " + name, "--name " + name + "-spot"))
