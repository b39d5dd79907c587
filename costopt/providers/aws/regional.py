"""Read one (account, region) — or one account's global services — into a partial result.

Each service is read under :func:`guarded`, so an AccessDenied on SageMaker still leaves EC2,
RDS and the metrics; a region that cannot be reached at all (no endpoint, not enabled) stops
after the first call instead of timing out on every service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from costopt.model import CoverageEntry, MetricSeries, Resource, Window
from costopt.providers.aws import (
    costs,
    inventory_ec2,
    inventory_s3,
    inventory_services,
    load_balancers,
    metrics,
    sagemaker_platform,
    sagemaker_training,
)
from costopt.providers.aws.coverage import RECOVERABLE, guarded, scope_of
from costopt.providers.aws.session import Account, home_region

# The services read_region asks, each with one operation it pages through.
REGIONAL_SERVICES = {"ec2": "describe_instances", "autoscaling": "describe_auto_scaling_groups",
                     "sagemaker": "list_endpoints", "rds": "describe_db_instances", "cloudwatch": "list_metrics",
                     "elbv2": "describe_target_groups"}
REGION_FATAL = frozenset({"EndpointConnectionError", "ConnectTimeout", "ReadTimeout", "OptInRequired", "AuthFailure",
                          "UnrecognizedClientException", "InvalidClientTokenId"})


@dataclass
class Partial:
    """What one task read."""

    resources: list[Resource] = field(default_factory=list)
    metrics: list[MetricSeries] = field(default_factory=list)
    coverage: list[CoverageEntry] = field(default_factory=list)
    billing: Any = None


def prepare_clients(account: Account, region: str, with_costs: bool) -> None:
    """Build, in the calling thread, the clients one region and the account's global services use.

    botocore loads a service's model (megabytes of JSON for EC2) the first time a client of it
    is made, and its paginator model the first time a paginator is asked for; neither load is
    locked, so sixteen region threads starting at once would each load (and scan botocore's
    data directories for) the same files. Loading them once here, before the thread pool
    starts, avoids that. The clients are cached on the account and used by :func:`read_region` /
    :func:`read_buckets` as usual. A client that cannot be made is left to the task that needs
    it, which records the error under coverage.
    """
    wanted = [(service, region, paged) for service, paged in REGIONAL_SERVICES.items()]
    wanted.append(("s3", home_region(account.session), "list_buckets"))
    if with_costs:
        wanted.append(("ce", costs.CE_REGION, None))
    for service, where, paged in wanted:
        try:
            client = account.client(service, where)
            if paged:
                client.can_paginate(paged)  # loads the service's paginator model
        except RECOVERABLE:
            continue


def _region_dead(coverage: list[CoverageEntry], start: int) -> bool:
    return any(c.status == "failed" and c.error_code in REGION_FATAL for c in coverage[start:])


def read_region(account: Account, region: str, window: Window, progress: Callable[[str], None],
                period_s: int | None = None) -> Partial:
    out = Partial()
    cov = out.coverage
    acct = account.account_id

    def step(service: str, func, actions: tuple[str, ...], default: Any = ()):
        progress(f"aws {acct} {region}: {service}")
        scope = scope_of(acct, region, service)
        before = len(cov)
        result = guarded(scope, cov, func, actions=actions, default=default)
        skipped = [c for c in cov[before:] if c.scope.startswith(scope + ":")]
        if not any(c.scope == scope for c in cov[before:]) and isinstance(result, list):
            detail = f"{len(result)} read" + (f", {len(skipped)} item(s) partial or skipped" if skipped else "")
            cov.append(CoverageEntry("aws", scope, "ok", detail))
        return result

    instances = step("ec2 instances", lambda: inventory_ec2.instances(account, region, cov),
                     ("ec2:DescribeInstances", "ec2:DescribeInstanceTypes"))
    if _region_dead(cov, 0):
        return out  # the region is unreachable or not enabled: one entry says so
    out.resources += instances
    out.resources += step("ebs volumes", lambda: inventory_ec2.volumes(account, region, cov), ("ec2:DescribeVolumes",))
    out.resources += step("ebs snapshots", lambda: inventory_ec2.snapshots(account, region, cov),
                          ("ec2:DescribeSnapshots",))
    out.resources += step("elastic ips", lambda: inventory_ec2.addresses(account, region, cov),
                          ("ec2:DescribeAddresses",))
    out.resources += step("nat gateways", lambda: inventory_ec2.nat_gateways(account, region, cov),
                          ("ec2:DescribeNatGateways", "ec2:DescribeVpcEndpoints"))
    types = {r.id: r.type for r in instances}
    out.resources += step("autoscaling groups",
                          lambda: inventory_services.autoscaling_groups(account, region, types, cov),
                          ("autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribePolicies"))

    def scaling() -> dict:  # read only when the region has endpoints
        return guarded(scope_of(acct, region, "application autoscaling"), cov,
                       lambda: inventory_services.sagemaker_scaling(account, region, cov),
                       actions=("application-autoscaling:DescribeScalableTargets",
                                "application-autoscaling:DescribeScalingPolicies"), default={})

    endpoints = step("sagemaker endpoints",
                     lambda: inventory_services.sagemaker_endpoints(account, region, scaling, cov),
                     ("sagemaker:ListEndpoints", "sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig",
                      "sagemaker:ListTags"))
    endpoints = _with_endpoint_specs(account, region, endpoints, cov)
    out.resources += endpoints
    out.resources += step("sagemaker notebooks", lambda: sagemaker_platform.notebooks(account, region, cov),
                          sagemaker_platform.NOTEBOOK_ACTIONS)
    out.resources += step("sagemaker training jobs",
                          lambda: sagemaker_training.training_runs(account, region, window, cov),
                          sagemaker_training.TRAINING_ACTIONS)
    out.resources += step("sagemaker tuning jobs",
                          lambda: sagemaker_platform.tuning_jobs(account, region, window, cov),
                          sagemaker_platform.TUNING_ACTIONS)
    out.resources += step("sagemaker studio apps", lambda: sagemaker_platform.studio_apps(account, region, cov),
                          sagemaker_platform.APP_ACTIONS)
    out.resources += step("rds instances", lambda: inventory_services.rds_instances(account, region, cov),
                          ("rds:DescribeDBInstances",))
    out.metrics += read_metrics(account, region, out.resources, window, cov, progress, period_s)
    return out


def _with_endpoint_specs(account: Account, region: str, endpoints: list[Resource],
                         cov: list[CoverageEntry]) -> list[Resource]:
    """SageMaker ml.* types take the specs of the EC2 type they run on (ml.g4dn.xlarge -> g4dn.xlarge)."""
    wanted = {r.type[3:] for r in endpoints if r.type.startswith("ml.")}
    if not wanted:
        return endpoints
    ec2 = account.client("ec2", region)
    specs = guarded(scope_of(account.account_id, region, "ec2 instance types"), cov,
                    lambda: inventory_ec2.instance_specs(ec2, wanted, cov), actions=("ec2:DescribeInstanceTypes",),
                    default={})
    return [replace(r, specs=specs.get(r.type[3:], {})) if r.type.startswith("ml.") else r for r in endpoints]


def connections_query(r: Resource, period: int) -> metrics.Query:
    """The DB instance's DatabaseConnections (Maximum per period): the idle-database rule needs
    to know nobody connected, not only that the CPU was low."""
    dims = [{"Name": "DBInstanceIdentifier", "Value": str(r.attributes.get("identifier") or r.name)}]
    return metrics.Query(r.id, "connections", "Count", "Maximum", "AWS/RDS", "DatabaseConnections", dims, period)


def read_metrics(account: Account, region: str, resources: list[Resource], window: Window,
                 cov: list[CoverageEntry], progress: Callable[[str], None],
                 period_s: int | None = None) -> list[MetricSeries]:
    acct = account.account_id
    cw = account.client("cloudwatch", region)
    period = period_s or metrics.fine_period(window)
    queries: list[metrics.Query] = []
    vms = [r for r in resources if r.kind in ("vm", "gpu_vm")]
    if vms:
        agent = guarded(scope_of(acct, region, "cloudwatch agent metrics"), cov,
                        lambda: metrics.listed(cw, "CWAgent"), actions=("cloudwatch:ListMetrics",), default=[])
        for r in vms:
            queries += metrics.plan_instance(r, period, agent)
    specs = {r.type: dict(r.specs) for r in resources if r.kind == "endpoint"}
    for r in resources:
        if r.kind == "endpoint":
            queries += metrics.plan_endpoint(r, period, lambda t: specs.get(t, {}))
        elif r.kind == "nat_gateway":
            queries += metrics.plan_nat(r, period)
        elif r.kind == "database":
            queries += metrics.plan_database(r, period) + [connections_query(r, period)]
    queries += sagemaker_training.utilisation_queries(resources, period)
    queries += _response_time_queries(account, region, resources, period, cov)
    if not queries:
        return []
    progress(f"aws {acct} {region}: cloudwatch ({len(queries)} metric queries)")
    series = guarded(scope_of(acct, region, "cloudwatch metrics"), cov, lambda: metrics.fetch(cw, queries, window),
                     actions=("cloudwatch:GetMetricData",), default=[])
    if series:
        cov.append(CoverageEntry("aws", scope_of(acct, region, "cloudwatch metrics"), "ok",
                                 f"{len(series)} series from {len(queries)} queries"))
    gaps = metrics.percentile_gaps(queries, series)
    if gaps:
        cov.append(CoverageEntry(
            "aws", scope_of(acct, region, "cloudwatch latency percentiles"), "partial",
            f"no request percentiles (p50/p90/p95/p99) for {'; '.join(gaps)}: latency read from Average and Maximum, "
            f"so the trade-off checks its model against the mean, not the p95",
            "NoExtendedStatistics", "publish the latency metric as values (not statistic sets) so CloudWatch keeps "
            "its percentiles"))
    return series


def _response_time_queries(account: Account, region: str, resources: list[Resource], period: int,
                           cov: list[CoverageEntry]) -> list[metrics.Query]:
    """ALB TargetResponseTime for each Auto Scaling group and standalone instance behind one."""
    groups = [r for r in resources if r.kind == "autoscaling_group"]
    vms = [r for r in resources if r.kind in ("vm", "gpu_vm") and not r.attributes.get("asg")]
    if not groups and not vms:
        return []
    claimed = {arn for g in groups for arn in g.attributes.get("target_groups") or ()}
    found = guarded(scope_of(account.account_id, region, "load balancer target groups"), cov,
                    lambda: load_balancers.target_groups(account, region, claimed, cov),
                    actions=("elasticloadbalancing:DescribeTargetGroups",
                             "elasticloadbalancing:DescribeTargetHealth"), default=[])
    by_arn = {tg.arn: tg for tg in found}
    owners = [(g.id, by_arn[arn]) for g in groups for arn in g.attributes.get("target_groups") or () if arn in by_arn]
    standalone = {r.id for r in vms}
    owners += [(iid, tg) for tg in found for iid in tg.instance_ids if iid in standalone]
    return [q for rid, tg in owners for lb in tg.load_balancers
            for q in metrics.plan_target_group(rid, lb, tg.dimension, period)]


def read_buckets(account: Account, regions: list[str], window: Window, progress: Callable[[str], None]) -> Partial:
    """The account's S3 buckets (a global list) and their CloudWatch storage metrics."""
    out = Partial()
    cov = out.coverage
    acct = account.account_id
    progress(f"aws {acct}: s3 buckets")
    listed_ok = len(cov)
    buckets = guarded(scope_of(acct, "global", "s3 buckets"), cov,
                      lambda: inventory_s3.buckets(account, set(regions), cov),
                      actions=("s3:ListAllMyBuckets", "s3:GetBucketLocation"), default=[])
    out.resources += buckets
    by_region: dict[str, dict[str, Resource]] = {}
    for b in buckets:
        if b.region:  # a bucket of unknown region has no CloudWatch region to ask
            by_region.setdefault(b.region, {})[b.name] = b
    for region, named in sorted(by_region.items()):
        cw = account.client("cloudwatch", region)
        scope = scope_of(acct, region, "s3 metrics")
        listed = guarded(scope, cov, lambda: metrics.listed(cw, "AWS/S3"),  # noqa: B023 (called at once)
                         actions=("cloudwatch:ListMetrics",),
                         default=[])
        queries = metrics.plan_buckets(named, listed)
        if queries:
            out.metrics += guarded(scope, cov, lambda: metrics.fetch(cw, queries, window),  # noqa: B023
                                   actions=("cloudwatch:GetMetricData",), default=[])
    if not any(c.scope.endswith("/s3 buckets") for c in cov[listed_ok:]):
        cov.append(CoverageEntry("aws", scope_of(acct, "global", "s3 buckets"), "ok", f"{len(buckets)} buckets"))
    return out


def read_costs(account: Account, window: Window, progress: Callable[[str], None]) -> Partial:
    """The account's daily Cost Explorer rows by service and usage type (a global endpoint)."""
    out = Partial()
    cov = out.coverage
    acct = account.account_id
    progress(f"aws {acct}: cost explorer")
    out.billing = guarded(scope_of(acct, "global", "cost explorer"), cov, lambda: costs.billing(account, window),
                          actions=("ce:GetCostAndUsage",))
    if out.billing is not None:
        cov.append(CoverageEntry("aws", scope_of(acct, "global", "cost explorer"), "ok",
                                 f"{len(out.billing)} daily rows by service and usage type"))
        unknown = costs.unknown_codes_entry(scope_of(acct, "global", "cost explorer regions"), out.billing)
        if unknown is not None:
            cov.append(unknown)
    return out
