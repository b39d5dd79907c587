"""Regional inventory beyond EC2: SageMaker endpoints (+ Application Auto Scaling targets and
policies per variant), Auto Scaling groups (+ their policies) and RDS instances.

Each item is read on its own: one that fails (an API error on its describe call, or an
unexpected shape) is a ``partial`` coverage entry naming it, and the rest are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.exceptions

from costopt.model import CoverageEntry, Resource
from costopt.providers.aws.common import aws_resource, pages, tag_dict
from costopt.providers.aws.coverage import each, error_code, item_problem, sagemaker_tags, scope_of
from costopt.providers.aws.session import Account


def _policy(p: dict[str, Any]) -> dict[str, Any]:
    tt = p.get("TargetTrackingScalingPolicyConfiguration") or p.get("TargetTrackingConfiguration") or {}
    metric = (tt.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType") \
        or (tt.get("CustomizedMetricSpecification") or {}).get("MetricName")
    return {"name": p.get("PolicyName"), "type": p.get("PolicyType"), "target_value": tt.get("TargetValue"),
            "metric": metric, "scale_in_cooldown": tt.get("ScaleInCooldown"),
            "scale_out_cooldown": tt.get("ScaleOutCooldown")}


def sagemaker_scaling(account: Account, region: str,
                      cov: list[CoverageEntry] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """(endpoint, variant) -> {min, max, policies} from Application Auto Scaling."""
    aas = account.client("application-autoscaling", region)
    scope = scope_of(account.account_id, region, "application autoscaling")
    problems: list[CoverageEntry] = [] if cov is None else cov
    out: dict[tuple[str, str], dict[str, Any]] = {}

    def target(t: dict[str, Any]) -> None:
        parts = t["ResourceId"].split("/")  # endpoint/<name>/variant/<variant>
        if len(parts) == 4:
            out[(parts[1], parts[3])] = {"min": t.get("MinCapacity"), "max": t.get("MaxCapacity"), "policies": []}

    def policy(p: dict[str, Any]) -> None:
        parts = p["ResourceId"].split("/")
        if len(parts) == 4 and (parts[1], parts[3]) in out:
            out[(parts[1], parts[3])]["policies"].append(_policy(p))

    each(scope, problems, pages(aas, "describe_scalable_targets", "ScalableTargets", ServiceNamespace="sagemaker"),
         target, lambda t: t.get("ResourceId") or "a scalable target without ResourceId")
    each(scope, problems, pages(aas, "describe_scaling_policies", "ScalingPolicies", ServiceNamespace="sagemaker"),
         policy, lambda p: p.get("PolicyName") or "a scaling policy without PolicyName")
    return out


# Statuses in which an endpoint's instances run (and bill): serving, or serving while it
# changes. Creating, Failed, OutOfService and Deleting endpoints have no billed capacity.
BILLED_STATUSES = frozenset({"InService", "Updating", "SystemUpdating", "RollingBack", "UpdateRollbackFailed"})
GONE_CODES = frozenset({"ValidationException", "ResourceNotFound"})  # "Could not find endpoint ..."
SM_ACTIONS = ("sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig", "sagemaker:ListTags")


def _variants(ep: dict[str, Any], config: dict[str, Any] | None, billed: bool,
              scaling_of: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """Variants with their running instance count: ``CurrentInstanceCount`` of the live variant
    (the desired count while it is not reported yet), 0 when the endpoint is not in a billed
    status. Without the config (unreadable), the instance types stay unknown (None)."""
    name = ep["EndpointName"]
    live = {v["VariantName"]: v for v in ep.get("ProductionVariants") or ()}
    configured = (config or {}).get("ProductionVariants") or [{"VariantName": v} for v in live]
    out = []
    for v in configured:
        now = live.get(v["VariantName"], {})
        count = now.get("CurrentInstanceCount", now.get("DesiredInstanceCount")) if billed else 0
        serverless = v.get("ServerlessConfig") or now.get("CurrentServerlessConfig")
        out.append({
            "name": v["VariantName"], "instance_type": v.get("InstanceType"),
            "instance_count": int(count or 0),
            "weight": now.get("CurrentWeight", v.get("InitialVariantWeight")),
            "serverless": dict(serverless) if serverless else None,
            "autoscaling": scaling_of.get((name, v["VariantName"])),
            "config_known": config is not None,
        })
    return out


def sagemaker_endpoints(account: Account, region: str,
                        scaling: Callable[[], dict[tuple[str, str], dict[str, Any]]],
                        cov: list[CoverageEntry]) -> list[Resource]:
    """Endpoints with their variants; ``scaling()`` (Application Auto Scaling) is read only if there are any.

    Each endpoint is read on its own: one deleted between the list and its description is left
    out, one whose config or tags cannot be read is kept with what is known; each case is a
    ``partial`` coverage entry naming the endpoint.
    """
    sm = account.client("sagemaker", region)
    scope = scope_of(account.account_id, region, "sagemaker endpoints")
    summaries = list(pages(sm, "list_endpoints", "Endpoints"))
    scaling_of = scaling() if summaries else {}

    def one(summary: dict[str, Any]) -> Resource | None:
        name = summary["EndpointName"]
        try:
            ep = sm.describe_endpoint(EndpointName=name)
        except botocore.exceptions.ClientError as exc:
            gone = error_code(exc) in GONE_CODES
            cov.append(item_problem(scope, name, exc, SM_ACTIONS, "gone since it was listed" if gone else
                                    "listed without details (status and creation time from ListEndpoints)"))
            if gone:
                return None
            ep = {k: summary.get(k) for k in ("EndpointName", "EndpointArn", "EndpointStatus", "CreationTime")}
        config = None
        if ep.get("EndpointConfigName"):
            try:
                config = sm.describe_endpoint_config(EndpointConfigName=ep["EndpointConfigName"])
            except botocore.exceptions.ClientError as exc:
                cov.append(item_problem(scope, name, exc, SM_ACTIONS,
                                        f"kept without its config {ep['EndpointConfigName']} (instance types unknown)"))
        tags = sagemaker_tags(sm, ep["EndpointArn"], scope, name, SM_ACTIONS, cov)
        status = ep.get("EndpointStatus")
        variants = _variants(ep, config, status in BILLED_STATUSES, scaling_of)
        first = next((v for v in variants if v["instance_type"]), variants[0] if variants else {})
        kind_of = first.get("instance_type") or ("serverless" if first.get("serverless") else "")
        return aws_resource(
            account.account_id, region, tags, id=ep["EndpointArn"], kind="endpoint",
            type=kind_of, name=name,
            count=sum(v["instance_count"] for v in variants) or 0, default_workload="inference",
            created=ep.get("CreationTime"),
            attributes={"status": status, "endpoint_config": ep.get("EndpointConfigName"),
                        "variants": variants, "autoscaling": any(v["autoscaling"] for v in variants),
                        "config_known": config is not None, "billed": status in BILLED_STATUSES,
                        "model": tags.get("costopt:model")})

    return each(scope, cov, summaries, one, lambda s: s.get("EndpointName") or "an endpoint without EndpointName",
                SM_ACTIONS)


def autoscaling_groups(account: Account, region: str, instance_types: dict[str, str],
                       cov: list[CoverageEntry]) -> list[Resource]:
    """ASGs with min/max/desired, instance type (from their instances) and scaling policies."""
    asg = account.client("autoscaling", region)
    scope = scope_of(account.account_id, region, "autoscaling groups")
    groups = list(pages(asg, "describe_auto_scaling_groups", "AutoScalingGroups"))
    policies: dict[str, list[dict[str, Any]]] = {}
    each(scope, cov, pages(asg, "describe_policies", "ScalingPolicies") if groups else (),
         lambda p: policies.setdefault(p["AutoScalingGroupName"], []).append(_policy(p)),
         lambda p: p.get("PolicyName") or "a scaling policy without PolicyName")

    def one(g: dict[str, Any]) -> Resource:
        tags = tag_dict(g.get("Tags"))
        members = [i["InstanceId"] for i in g.get("Instances") or ()]
        itype = next((instance_types[i] for i in members if i in instance_types), "") \
            or next((i.get("InstanceType", "") for i in g.get("Instances") or ()), "")
        return aws_resource(
            account.account_id, region, tags, id=g["AutoScalingGroupARN"],
            kind="autoscaling_group", type=itype, name=g["AutoScalingGroupName"], count=int(g.get("DesiredCapacity", 0)),
            created=g.get("CreatedTime"),
            attributes={"min": g.get("MinSize"), "max": g.get("MaxSize"), "desired": g.get("DesiredCapacity"),
                        "instance_type": itype, "instance_ids": members,
                        "target_groups": list(g.get("TargetGroupARNs") or ()),
                        "policies": policies.get(g["AutoScalingGroupName"], []),
                        "members_priced_separately": True})
    return each(scope, cov, groups, one, lambda g: g.get("AutoScalingGroupName") or "a group without a name")


def rds_instances(account: Account, region: str, cov: list[CoverageEntry]) -> list[Resource]:
    rds = account.client("rds", region)

    def one(db: dict[str, Any]) -> Resource:
        tags = tag_dict(db.get("TagList"))
        return aws_resource(
            account.account_id, region, tags, id=db["DBInstanceArn"], kind="database",
            type=db.get("DBInstanceClass", ""), name=db["DBInstanceIdentifier"],
            created=db.get("InstanceCreateTime"),
            attributes={"engine": db.get("Engine"), "status": db.get("DBInstanceStatus"),
                        "multi_az": db.get("MultiAZ"), "storage_gb": db.get("AllocatedStorage"),
                        "storage_type": db.get("StorageType"), "identifier": db["DBInstanceIdentifier"],
                        "license_model": db.get("LicenseModel"), "iops": db.get("Iops")})
    return each(scope_of(account.account_id, region, "rds instances"), cov,
                pages(rds, "describe_db_instances", "DBInstances"), one,
                lambda db: db.get("DBInstanceIdentifier") or "a database without an identifier")
