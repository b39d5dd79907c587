"""The CLI steps of the autoscaling rules: target tracking, scale to zero, an off-hours schedule.

Every value from data is one shell word (:func:`costopt.rules.shell.arg`); steps costopt
cannot complete (a scaling policy's details) end in ``...`` and a comment says what is left.
"""

from __future__ import annotations

import json

from costopt.model import Resource
from costopt.rules.shell import arg, comment


def target_tracking(r: Resource, lo: int, hi: int, target: float) -> str:
    """Let ``r`` scale between ``lo`` and ``hi`` instances on utilisation ``target`` (0..1)."""
    name = r.name or r.id
    if r.provider == "gcp":
        return (f"gcloud compute instance-groups managed set-autoscaling {arg(name)} --region {arg(r.region)} "
                f"--min-num-replicas {lo} --max-num-replicas {hi} --target-cpu-utilization {target:.2f}")
    if r.provider == "azure":
        return (f"az monitor autoscale create --resource {arg(r.id)} --min-count {lo} --max-count {hi} --count {hi} "
                f"&& az monitor autoscale rule create ... --condition \"Percentage CPU > {target * 100:.0f} avg 5m\"")
    if r.kind == "endpoint":
        variant = r.attributes.get("variant", "AllTraffic")
        return (f"aws application-autoscaling register-scalable-target --service-namespace sagemaker --resource-id "
                f"{arg(f'endpoint/{name}/variant/{variant}')} --scalable-dimension sagemaker:variant:DesiredInstanceCount "
                f"--min-capacity {lo} --max-capacity {hi} && aws application-autoscaling put-scaling-policy "
                f"--policy-type TargetTrackingScaling ...  " + comment("SageMakerVariantInvocationsPerInstance"))
    tracking = {"PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": round(target * 100)}
    return (f"aws autoscaling update-auto-scaling-group --auto-scaling-group-name {arg(name)} --min-size {lo} "
            f"--max-size {hi} && aws autoscaling put-scaling-policy --auto-scaling-group-name {arg(name)} "
            f"--policy-type TargetTrackingScaling --target-tracking-configuration "
            f"{arg(json.dumps(tracking, separators=(',', ':')))}")


def scale_to_zero(r: Resource, gpu: bool) -> str:
    """A GPU endpoint's inference component to 0 copies; any other endpoint to serverless."""
    name = r.name or r.id
    if gpu:
        return (f"aws sagemaker update-inference-component-runtime-config --inference-component-name {arg(name)} "
                f"--desired-runtime-config CopyCount=0  " + comment("and a scaling policy with MinCapacity 0"))
    config = f"{name}-serverless"
    return (f"aws sagemaker create-endpoint-config --endpoint-config-name {arg(config)} "
            f"--production-variants 'VariantName=AllTraffic,ModelName=<model>,ServerlessConfig="
            f"{{MemorySizeInMB=4096,MaxConcurrency=5}}' && aws sagemaker update-endpoint --endpoint-name "
            f"{arg(name)} --endpoint-config-name {arg(config)}")


def office_hours(r: Resource, start: str, stop: str) -> str:
    """Stop ``r`` outside the cron window ``start`` .. ``stop`` (UTC)."""
    name = r.name or r.id
    if r.provider == "gcp":
        return (f"gcloud compute resource-policies create instance-schedule {arg(name + '-office')} "
                f"--region {arg(r.region)} --vm-start-schedule {arg(start)} --vm-stop-schedule {arg(stop)} "
                f"--timezone UTC")
    if r.provider == "azure":
        return (f"az vm auto-shutdown --resource-group '<rg>' --name {arg(name)} "
                f"--time {arg(stop.split()[1] + '00')}")
    target = {"Arn": "arn:aws:scheduler:::aws-sdk:ec2:stopInstances",
              "Input": json.dumps({"InstanceIds": [r.id]})}
    return (f"aws scheduler create-schedule --name {arg(name + '-stop')} --schedule-expression {arg(stop)} "
            f"--flexible-time-window Mode=OFF --target {arg(json.dumps(target))} ...  "
            + comment(f"and a start schedule {start}"))
