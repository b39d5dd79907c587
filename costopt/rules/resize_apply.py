"""The concrete CLI step that applies a resize or a move to spot, per provider and resource kind.

The commands are what an engineer would paste (with the resource's own ids filled in); where
the provider needs a value costopt does not know (a launch template, a zone, a model name) the
command names it in angle brackets. Every value is one shell word
(:func:`costopt.rules.shell.arg`), so a name from the cloud cannot add a command or a line.
"""

from __future__ import annotations

import json

from costopt.model import Resource
from costopt.rules.shell import arg, comment


def _zone(r: Resource) -> str:
    return arg(r.attributes.get("zone") or f"<zone in {r.region}>")


def _azure_target(r: Resource, suffix: str = "") -> str:
    if r.id.startswith("/subscriptions/") and not suffix:
        return f"--ids {arg(r.id)}"
    group = r.attributes.get("resource_group") or "<resource-group>"
    return f"--resource-group {arg(group)} --name {arg((r.name or r.id) + suffix)}"


def _aws_resize(r: Resource, new_type: str) -> str:
    name, region = r.name or r.id, arg(r.region)
    if r.kind == "autoscaling_group":
        template = r.attributes.get("launch_template") or "<launch-template-name>"
        data = json.dumps({"InstanceType": new_type})
        return (f"aws ec2 create-launch-template-version --region {region} --launch-template-name {arg(template)} "
                f"--source-version '$Latest' --launch-template-data {arg(data)} && "
                f"aws autoscaling start-instance-refresh --region {region} --auto-scaling-group-name {arg(name)}")
    if r.kind == "endpoint":
        variant = r.attributes.get("variant_name") or "AllTraffic"
        model = r.attributes.get("model_name") or r.tag("costopt:model") or "<model-name>"
        config = f"{name}-{new_type.replace('.', '-')}"
        variants = f"VariantName={variant},ModelName={model},InstanceType={new_type},InitialInstanceCount={r.count}"
        return (f"aws sagemaker create-endpoint-config --region {region} --endpoint-config-name {arg(config)} "
                f"--production-variants {arg(variants)} && aws sagemaker update-endpoint --region {region} "
                f"--endpoint-name {arg(name)} --endpoint-config-name {arg(config)}")
    iid = arg(r.id)
    return (f"aws ec2 stop-instances --region {region} --instance-ids {iid} && "
            f"aws ec2 wait instance-stopped --region {region} --instance-ids {iid} && "
            f"aws ec2 modify-instance-attribute --region {region} --instance-id {iid} "
            f"--instance-type {arg('Value=' + new_type)} && aws ec2 start-instances --region {region} --instance-ids {iid}")


def _gcp_resize(r: Resource, new_type: str) -> str:
    name = r.name or r.id
    if "+" in new_type:
        machine, _, accel = new_type.partition("+")
        model, _, count = accel.partition(":")
        return (f"gcloud compute instances create {arg(name + '-resized')} --zone {_zone(r)} "
                f"--machine-type {arg(machine)} --accelerator={arg(f'type={model},count={count or 1}')} "
                f"--maintenance-policy=TERMINATE --source-machine-image {arg(f'<image-of-{name}>')}  "
                + comment("recreate with the new shape"))
    if r.kind == "autoscaling_group":
        template = f"{name}-{new_type}"
        return (f"gcloud compute instance-templates create {arg(template)} --source-instance-template "
                f"{arg('<current-template>')} --machine-type {arg(new_type)} && gcloud compute instance-groups managed "
                f"rolling-action start-update {arg(name)} --version {arg('template=' + template)} --region {arg(r.region)}")
    return (f"gcloud compute instances stop {arg(name)} --zone {_zone(r)} && gcloud compute instances set-machine-type "
            f"{arg(name)} --zone {_zone(r)} --machine-type {arg(new_type)} && gcloud compute instances start {arg(name)} "
            f"--zone {_zone(r)}")


def resize_command(r: Resource, new_type: str) -> str:
    """Command(s) that change ``r`` to ``new_type`` (same count)."""
    if r.provider == "aws":
        return _aws_resize(r, new_type)
    if r.provider == "gcp":
        return _gcp_resize(r, new_type)
    if r.provider == "azure":
        if r.kind == "autoscaling_group":
            target = _azure_target(r)
            return (f"az vmss update {target} --set {arg('sku.name=' + new_type)} && "
                    f"az vmss update-instances {target} --instance-ids '*'")
        return f"az vm resize {_azure_target(r)} --size {arg(new_type)}"
    return comment(f"change {r.name or r.id} to {new_type}")


def _aws_spot(r: Resource, on_demand_base: int) -> str:
    name, region = r.name or r.id, arg(r.region)
    if r.kind == "autoscaling_group":
        policy = {"LaunchTemplate": {"LaunchTemplateSpecification": {
                      "LaunchTemplateName": r.attributes.get("launch_template") or "<launch-template-name>",
                      "Version": "$Latest"}},
                  "InstancesDistribution": {"OnDemandBaseCapacity": on_demand_base,
                                            "OnDemandPercentageAboveBaseCapacity": 0,
                                            "SpotAllocationStrategy": "price-capacity-optimized"}}
        return (f"aws autoscaling update-auto-scaling-group --region {region} --auto-scaling-group-name {arg(name)} "
                f"--mixed-instances-policy {arg(json.dumps(policy))}")
    if r.kind == "training_job":
        return ("aws sagemaker create-training-job ... --enable-managed-spot-training --stop-condition "
                "'MaxRuntimeInSeconds=<s>,MaxWaitTimeInSeconds=<s>' --checkpoint-config 'S3Uri=s3://<bucket>/<prefix>'  "
                + comment("re-submit with managed spot training"))
    return (f"aws ec2 run-instances --region {region} --instance-type {arg(r.type)} "
            f"--instance-market-options 'MarketType=spot,SpotOptions={{InstanceInterruptionBehavior=stop,"
            f"SpotInstanceType=persistent}}' --launch-template {arg(f'LaunchTemplateName=<template-of-{name}>')}  "
            + comment("relaunch as spot"))


def spot_command(r: Resource, spot_count: int, on_demand_base: int) -> str:
    """Command that moves ``spot_count`` of ``r``'s instances to spot, keeping ``on_demand_base``."""
    name = r.name or r.id
    if r.provider == "aws":
        return _aws_spot(r, on_demand_base)
    if r.provider == "gcp":
        if r.kind == "autoscaling_group":
            return (f"gcloud compute instance-templates create {arg(name + '-spot')} --source-instance-template "
                    f"{arg('<current-template>')} --provisioning-model=SPOT --instance-termination-action=STOP && "
                    f"gcloud compute instance-groups managed rolling-action start-update {arg(name)} "
                    f"--version {arg('template=<current-template>')} "
                    f"--canary-version {arg(f'template={name}-spot,target-size={spot_count}')}  "
                    + comment("the spot template as a second version"))
        return (f"gcloud compute instances create {arg(name + '-spot')} --zone {_zone(r)} "
                f"--machine-type {arg(r.type.partition('+')[0])} --provisioning-model=SPOT "
                f"--instance-termination-action=STOP --source-machine-image {arg(f'<image-of-{name}>')}  "
                + comment("recreate as Spot VM"))
    if r.provider == "azure":
        if r.kind == "autoscaling_group":
            return (f"az vmss create {_azure_target(r, '-spot')} --priority Spot --eviction-policy Deallocate "
                    f"--vm-sku {arg(r.type)} --instance-count {spot_count} --image '<image>'")
        return (f"az vm create {_azure_target(r, '-spot')} --size {arg(r.type)} --priority Spot "
                f"--eviction-policy Deallocate --max-price -1 --image '<image>'  " + comment("recreate as Spot VM"))
    return comment(f"move {name} to spot capacity")
