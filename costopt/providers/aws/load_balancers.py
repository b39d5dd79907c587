"""Which Application Load Balancer target group serves an EC2 instance or an Auto Scaling group.

An EC2 service has no per-request latency metric of its own; the load balancer in front of
it publishes ``TargetResponseTime`` per target group (``AWS/ApplicationELB``, dimensions
``LoadBalancer`` = "app/NAME/ID" and ``TargetGroup`` = "targetgroup/NAME/ID", the ends of
the two ARNs). An Auto Scaling group names its target groups (``TargetGroupARNs``); a
standalone instance is found among the targets of a target group (``DescribeTargetHealth``),
asked only for target groups no group in the region claims. Network Load Balancers publish
no response time and are left out. One target group of unexpected shape becomes a coverage
entry; the others are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from costopt.model import CoverageEntry
from costopt.providers.aws.common import pages
from costopt.providers.aws.coverage import each, scope_of
from costopt.providers.aws.session import Account


@dataclass(frozen=True)
class TargetGroup:
    """One instance-target group behind one or more ALBs, as CloudWatch names them."""

    arn: str
    dimension: str  # "targetgroup/NAME/ID"
    load_balancers: tuple[str, ...]  # "app/NAME/ID" each
    instance_ids: tuple[str, ...] = ()  # registered targets (read only when no group claims it)


def dimension_of(arn: str, marker: str) -> str:
    """The CloudWatch dimension value of an ELB ARN: what follows ``marker`` ("loadbalancer/", ":")."""
    if marker == ":":
        return arn.rsplit(":", 1)[-1]
    head, sep, tail = arn.partition(marker)
    if not sep or not tail:
        raise ValueError(f"not an ELB ARN: {arn}")
    return tail


def target_groups(account: Account, region: str, claimed: Iterable[str], cov: list[CoverageEntry]) -> list[TargetGroup]:
    """ALB target groups of instances in ``region``; targets read for those not in ``claimed``
    (the target group ARNs Auto Scaling groups name)."""
    elb = account.client("elbv2", region)
    scope = scope_of(account.account_id, region, "load balancer target groups")
    claimed = set(claimed)

    def one(tg: dict[str, Any]) -> TargetGroup | None:
        if tg.get("TargetType", "instance") != "instance":
            return None
        albs = tuple(dimension_of(a, "loadbalancer/") for a in tg.get("LoadBalancerArns") or ()
                     if ":loadbalancer/app/" in a)
        if not albs:
            return None
        arn = tg["TargetGroupArn"]
        targets: tuple[str, ...] = ()
        if arn not in claimed:
            health = elb.describe_target_health(TargetGroupArn=arn).get("TargetHealthDescriptions") or ()
            targets = tuple(h["Target"]["Id"] for h in health if h.get("Target", {}).get("Id"))
        return TargetGroup(arn, dimension_of(arn, ":"), albs, targets)

    return each(scope, cov, pages(elb, "describe_target_groups", "TargetGroups"), one,
                lambda tg: tg.get("TargetGroupArn") or "a target group without an ARN",
                ("elasticloadbalancing:DescribeTargetHealth",))
