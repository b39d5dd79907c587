"""The concrete CLI step that applies a resize or a move to spot, per provider and resource kind.

The commands are what an engineer would paste (with the resource's own ids filled in); where
the provider needs a value costopt does not know (a launch template, a zone, a model name) the
command names it in angle brackets. Each action is a table of command templates keyed by
``provider/kind`` or provider, filled by :func:`costopt.rules.shell.command`: every value is one
shell word, so a name from the cloud cannot add a command or a line.
"""

from __future__ import annotations

import json
from typing import Any

from costopt.model import Resource
from costopt.rules.shell import command, comment, pick, resource_words

RESIZE = {
    "aws/autoscaling_group": ("aws ec2 create-launch-template-version --region {region} --launch-template-name "
                              "{launch_template} --source-version '$Latest' --launch-template-data {data} && "
                              "aws autoscaling start-instance-refresh --region {region} --auto-scaling-group-name {name}"),
    "aws/endpoint": ("aws sagemaker create-endpoint-config --region {region} --endpoint-config-name {config} "
                     "--production-variants {variants} && aws sagemaker update-endpoint --region {region} "
                     "--endpoint-name {name} --endpoint-config-name {config}"),
    "aws": ("aws ec2 stop-instances --region {region} --instance-ids {id} && "
            "aws ec2 wait instance-stopped --region {region} --instance-ids {id} && "
            "aws ec2 modify-instance-attribute --region {region} --instance-id {id} "
            "--instance-type {type_value} && aws ec2 start-instances --region {region} --instance-ids {id}"),
    "gcp/accelerated": ("gcloud compute instances create {resized} --zone {zone} --machine-type {machine} "
                        "--accelerator={accelerator} --maintenance-policy=TERMINATE --source-machine-image {image}  "
                        "# recreate with the new shape"),
    "gcp/autoscaling_group": ("gcloud compute instance-templates create {gcp_template} --source-instance-template "
                              "'<current-template>' --machine-type {new_type} && gcloud compute instance-groups "
                              "managed rolling-action start-update {name} --version {version} --region {region}"),
    "gcp": ("gcloud compute instances stop {name} --zone {zone} && gcloud compute instances set-machine-type "
            "{name} --zone {zone} --machine-type {new_type} && gcloud compute instances start {name} --zone {zone}"),
    "azure/autoscaling_group": ("az vmss update {target} --set {sku} && "
                                "az vmss update-instances {target} --instance-ids '*'"),
    "azure": "az vm resize {target} --size {new_type}",
}
SPOT = {
    "aws/autoscaling_group": ("aws autoscaling update-auto-scaling-group --region {region} --auto-scaling-group-name "
                              "{name} --mixed-instances-policy {policy}"),
    "aws/training_job": ("aws sagemaker create-training-job ... --enable-managed-spot-training --stop-condition "
                         "'MaxRuntimeInSeconds=<s>,MaxWaitTimeInSeconds=<s>' --checkpoint-config "
                         "'S3Uri=s3://<bucket>/<prefix>'  # re-submit with managed spot training"),
    "aws": ("aws ec2 run-instances --region {region} --instance-type {type} --instance-market-options "
            "'MarketType=spot,SpotOptions={{InstanceInterruptionBehavior=stop,SpotInstanceType=persistent}}' "
            "--launch-template {launch}  # relaunch as spot"),
    "gcp/autoscaling_group": ("gcloud compute instance-templates create {spot_name} --source-instance-template "
                              "'<current-template>' --provisioning-model=SPOT --instance-termination-action=STOP && "
                              "gcloud compute instance-groups managed rolling-action start-update {name} "
                              "--version 'template=<current-template>' --canary-version {canary}  "
                              "# the spot template as a second version"),
    "gcp": ("gcloud compute instances create {spot_name} --zone {zone} --machine-type {machine} "
            "--provisioning-model=SPOT --instance-termination-action=STOP --source-machine-image {image}  "
            "# recreate as Spot VM"),
    "azure/autoscaling_group": ("az vmss create {target} --priority Spot --eviction-policy Deallocate "
                                "--vm-sku {type} --instance-count {spot_count} --image '<image>'"),
    "azure": ("az vm create {target} --size {type} --priority Spot --eviction-policy Deallocate --max-price -1 "
              "--image '<image>'  # recreate as Spot VM"),
}
_BY_ID = "--ids {id}"
_BY_NAME = "--resource-group {group} --name {target_name}"


def _fill(templates: dict[str, str], key: str, r: Resource, suffix: str = "", **values: Any) -> str:
    """``templates[key]`` for ``r``: an Azure ``{target}`` is its ARM id, or its group and name + ``suffix``."""
    by_id = r.id.startswith("/subscriptions/") and not suffix
    template = templates[key].replace("{target}", _BY_ID if by_id else _BY_NAME)
    group = r.attributes.get("resource_group") or "<resource-group>"
    return command(template, **{**resource_words(r), "group": group, "target_name": (r.name or r.id) + suffix,
                                **values})


def resize_command(r: Resource, new_type: str) -> str:
    """Command(s) that change ``r`` to ``new_type`` (same count)."""
    name = r.name or r.id
    if r.provider == "gcp" and "+" in new_type:
        machine, _, accel = new_type.partition("+")
        model, _, count = accel.partition(":")
        return _fill(RESIZE, "gcp/accelerated", r, machine=machine, accelerator=f"type={model},count={count or 1}",
                     resized=f"{name}-resized", image=f"<image-of-{name}>")
    key = pick(RESIZE, r)
    if key is None:
        return comment(f"change {name} to {new_type}")
    attrs = r.attributes
    variants = (f"VariantName={attrs.get('variant_name') or 'AllTraffic'},"
                f"ModelName={attrs.get('model_name') or r.tag('costopt:model') or '<model-name>'},"
                f"InstanceType={new_type},InitialInstanceCount={r.count}")
    return _fill(RESIZE, key, r, new_type=new_type, type_value=f"Value={new_type}", sku=f"sku.name={new_type}",
                 launch_template=attrs.get("launch_template") or "<launch-template-name>",
                 data=json.dumps({"InstanceType": new_type}), config=f"{name}-{new_type.replace('.', '-')}",
                 variants=variants, gcp_template=f"{name}-{new_type}", version=f"template={name}-{new_type}")


def spot_command(r: Resource, spot_count: int, on_demand_base: int) -> str:
    """Command that moves ``spot_count`` of ``r``'s instances to spot, keeping ``on_demand_base``."""
    name = r.name or r.id
    key = pick(SPOT, r)
    if key is None:
        return comment(f"move {name} to spot capacity")
    policy = {"LaunchTemplate": {"LaunchTemplateSpecification": {
                  "LaunchTemplateName": r.attributes.get("launch_template") or "<launch-template-name>",
                  "Version": "$Latest"}},
              "InstancesDistribution": {"OnDemandBaseCapacity": on_demand_base,
                                        "OnDemandPercentageAboveBaseCapacity": 0,
                                        "SpotAllocationStrategy": "price-capacity-optimized"}}
    return _fill(SPOT, key, r, "-spot", policy=json.dumps(policy), launch=f"LaunchTemplateName=<template-of-{name}>",
                 spot_name=f"{name}-spot", canary=f"template={name}-spot,target-size={spot_count}",
                 machine=r.type.partition("+")[0], image=f"<image-of-{name}>", spot_count=spot_count)
