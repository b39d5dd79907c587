"""Regional inventory beyond EC2: SageMaker endpoints (+ Application Auto Scaling targets and
policies per variant), Auto Scaling groups (+ their policies) and RDS instances."""

from __future__ import annotations

from typing import Any, Callable

from costopt.model import Resource
from costopt.providers.aws.common import pages, tag_dict, workload_of
from costopt.providers.aws.session import Account


def _policy(p: dict[str, Any]) -> dict[str, Any]:
    tt = p.get("TargetTrackingScalingPolicyConfiguration") or p.get("TargetTrackingConfiguration") or {}
    metric = (tt.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType") \
        or (tt.get("CustomizedMetricSpecification") or {}).get("MetricName")
    return {"name": p.get("PolicyName"), "type": p.get("PolicyType"), "target_value": tt.get("TargetValue"),
            "metric": metric, "scale_in_cooldown": tt.get("ScaleInCooldown"),
            "scale_out_cooldown": tt.get("ScaleOutCooldown")}


def sagemaker_scaling(account: Account, region: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(endpoint, variant) -> {min, max, policies} from Application Auto Scaling."""
    aas = account.client("application-autoscaling", region)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for t in pages(aas, "describe_scalable_targets", "ScalableTargets", ServiceNamespace="sagemaker"):
        parts = t["ResourceId"].split("/")  # endpoint/<name>/variant/<variant>
        if len(parts) == 4:
            out[(parts[1], parts[3])] = {"min": t.get("MinCapacity"), "max": t.get("MaxCapacity"), "policies": []}
    for p in pages(aas, "describe_scaling_policies", "ScalingPolicies", ServiceNamespace="sagemaker"):
        parts = p["ResourceId"].split("/")
        if len(parts) == 4 and (parts[1], parts[3]) in out:
            out[(parts[1], parts[3])]["policies"].append(_policy(p))
    return out


def sagemaker_endpoints(account: Account, region: str,
                        scaling: Callable[[], dict[tuple[str, str], dict[str, Any]]]) -> list[Resource]:
    """Endpoints with their variants; ``scaling()`` (Application Auto Scaling) is read only if there are any."""
    sm = account.client("sagemaker", region)
    summaries = list(pages(sm, "list_endpoints", "Endpoints"))
    scaling_of = scaling() if summaries else {}
    out = []
    for summary in summaries:
        name = summary["EndpointName"]
        ep = sm.describe_endpoint(EndpointName=name)
        config = sm.describe_endpoint_config(EndpointConfigName=ep["EndpointConfigName"])
        current = {v["VariantName"]: v for v in ep.get("ProductionVariants", ())}
        variants = []
        for v in config.get("ProductionVariants", ()):
            live = current.get(v["VariantName"], {})
            serverless = v.get("ServerlessConfig")
            variants.append({
                "name": v["VariantName"], "instance_type": v.get("InstanceType"),
                "instance_count": int(live.get("CurrentInstanceCount", v.get("InitialInstanceCount", 0)) or 0),
                "weight": live.get("CurrentWeight", v.get("InitialVariantWeight")),
                "serverless": dict(serverless) if serverless else None,
                "autoscaling": scaling_of.get((name, v["VariantName"])),
            })
        tags = tag_dict(pages(sm, "list_tags", "Tags", ResourceArn=ep["EndpointArn"]))
        first = next((v for v in variants if v["instance_type"]), variants[0] if variants else {})
        out.append(Resource(
            provider="aws", account=account.account_id, region=region, id=ep["EndpointArn"], kind="endpoint",
            type=first.get("instance_type") or "serverless", name=name,
            count=sum(v["instance_count"] for v in variants) or 0, tags=tags, workload=workload_of(tags) or "inference",
            created=ep.get("CreationTime"),
            attributes={"status": ep.get("EndpointStatus"), "endpoint_config": ep["EndpointConfigName"],
                        "variants": variants, "autoscaling": any(v["autoscaling"] for v in variants),
                        "model": tags.get("costopt:model")}))
    return out


def autoscaling_groups(account: Account, region: str, instance_types: dict[str, str]) -> list[Resource]:
    """ASGs with min/max/desired, instance type (from their instances) and scaling policies."""
    asg = account.client("autoscaling", region)
    groups = list(pages(asg, "describe_auto_scaling_groups", "AutoScalingGroups"))
    policies: dict[str, list[dict[str, Any]]] = {}
    for p in (pages(asg, "describe_policies", "ScalingPolicies") if groups else ()):
        policies.setdefault(p["AutoScalingGroupName"], []).append(_policy(p))
    out = []
    for g in groups:
        tags = tag_dict(g.get("Tags"))
        members = [i["InstanceId"] for i in g.get("Instances", ())]
        itype = next((instance_types[i] for i in members if i in instance_types), "") \
            or next((i.get("InstanceType", "") for i in g.get("Instances", ())), "")
        out.append(Resource(
            provider="aws", account=account.account_id, region=region, id=g["AutoScalingGroupARN"],
            kind="autoscaling_group", type=itype, name=g["AutoScalingGroupName"], count=int(g.get("DesiredCapacity", 0)),
            tags=tags, workload=workload_of(tags), created=g.get("CreatedTime"),
            attributes={"min": g.get("MinSize"), "max": g.get("MaxSize"), "desired": g.get("DesiredCapacity"),
                        "instance_type": itype, "instance_ids": members,
                        "policies": policies.get(g["AutoScalingGroupName"], []),
                        "members_priced_separately": True}))
    return out


def rds_instances(account: Account, region: str) -> list[Resource]:
    rds = account.client("rds", region)
    out = []
    for db in pages(rds, "describe_db_instances", "DBInstances"):
        tags = tag_dict(db.get("TagList"))
        out.append(Resource(
            provider="aws", account=account.account_id, region=region, id=db["DBInstanceArn"], kind="database",
            type=db.get("DBInstanceClass", ""), name=db["DBInstanceIdentifier"], tags=tags, workload=workload_of(tags),
            created=db.get("InstanceCreateTime"),
            attributes={"engine": db.get("Engine"), "status": db.get("DBInstanceStatus"),
                        "multi_az": db.get("MultiAZ"), "storage_gb": db.get("AllocatedStorage"),
                        "storage_type": db.get("StorageType"), "identifier": db["DBInstanceIdentifier"]}))
    return out
