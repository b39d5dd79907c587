"""The CLI steps of the autoscaling rules: target tracking, scale to zero, an off-hours schedule.

Each action is a table of command templates (per provider, or ``provider/kind``) filled by
:func:`costopt.rules.shell.for_resource`: every value from data is one shell word; steps costopt
cannot complete (a scaling policy's details) end in ``...`` and a comment says what is left.
"""

from __future__ import annotations

import json

from costopt.model import Resource
from costopt.rules.shell import command, for_resource

TARGET_TRACKING = {
    "gcp": ("gcloud compute instance-groups managed set-autoscaling {name} --region {region} "
            "--min-num-replicas {lo} --max-num-replicas {hi} --target-cpu-utilization {utilisation}"),
    "azure": ("az monitor autoscale create --resource {id} --min-count {lo} --max-count {hi} --count {hi} "
              "&& az monitor autoscale rule create ... --condition \"Percentage CPU > {percent} avg 5m\""),
    "aws/endpoint": ("aws application-autoscaling register-scalable-target --service-namespace sagemaker "
                     "--resource-id {variant_id} --scalable-dimension sagemaker:variant:DesiredInstanceCount "
                     "--min-capacity {lo} --max-capacity {hi} && aws application-autoscaling put-scaling-policy "
                     "--policy-type TargetTrackingScaling ...  # SageMakerVariantInvocationsPerInstance"),
    "*": ("aws autoscaling update-auto-scaling-group --auto-scaling-group-name {name} --min-size {lo} "
          "--max-size {hi} && aws autoscaling put-scaling-policy --auto-scaling-group-name {name} "
          "--policy-type TargetTrackingScaling --target-tracking-configuration {tracking}"),
}
SCALE_TO_ZERO = {
    "gpu": ("aws sagemaker update-inference-component-runtime-config --inference-component-name {name} "
            "--desired-runtime-config CopyCount=0  # and a scaling policy with MinCapacity 0"),
    "serverless": ("aws sagemaker create-endpoint-config --endpoint-config-name {config} "
                   "--production-variants 'VariantName=AllTraffic,ModelName=<model>,ServerlessConfig="
                   "{{MemorySizeInMB=4096,MaxConcurrency=5}}' && aws sagemaker update-endpoint --endpoint-name "
                   "{name} --endpoint-config-name {config}"),
}
OFFICE_HOURS = {
    "gcp": ("gcloud compute resource-policies create instance-schedule {office} --region {region} "
            "--vm-start-schedule {start} --vm-stop-schedule {stop} --timezone UTC"),
    "azure": "az vm auto-shutdown --resource-group '<rg>' --name {name} --time {stop_time}",
    "*": ("aws scheduler create-schedule --name {stop_name} --schedule-expression {stop} "
          "--flexible-time-window Mode=OFF --target {target} ...  {note}"),
}


def target_tracking(r: Resource, lo: int, hi: int, target: float) -> str:
    """Let ``r`` scale between ``lo`` and ``hi`` instances on utilisation ``target`` (0..1)."""
    variant = r.attributes.get("variant", "AllTraffic")
    tracking = {"PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": round(target * 100)}
    return for_resource(TARGET_TRACKING, r, lo=lo, hi=hi, utilisation=f"{target:.2f}", percent=f"{target * 100:.0f}",
                        variant_id=f"endpoint/{r.name or r.id}/variant/{variant}",
                        tracking=json.dumps(tracking, separators=(",", ":")))


def scale_to_zero(r: Resource, gpu: bool) -> str:
    """A GPU endpoint's inference component to 0 copies; any other endpoint to serverless."""
    name = r.name or r.id
    return command(SCALE_TO_ZERO["gpu" if gpu else "serverless"], name=name, config=f"{name}-serverless")


def office_hours(r: Resource, start: str, stop: str) -> str:
    """Stop ``r`` outside the cron window ``start`` .. ``stop`` (UTC)."""
    name = r.name or r.id
    target = {"Arn": "arn:aws:scheduler:::aws-sdk:ec2:stopInstances",
              "Input": json.dumps({"InstanceIds": [r.id]})}
    return for_resource(OFFICE_HOURS, r, start=start, stop=stop, office=f"{name}-office", stop_name=f"{name}-stop",
                        stop_time=stop.split()[1] + "00", target=json.dumps(target), note=f"and a start schedule {start}")
