"""S3 buckets of one account (a global list): region, lifecycle rules, versioning and tags.

A bucket whose details cannot be read (AccessDenied on its policy) is still listed, with the
unknown facts left None and a ``partial`` coverage entry.

Region: ``BucketRegion`` of ListBuckets, else GetBucketLocation (a null LocationConstraint is
us-east-1, ``EU`` is eu-west-1, as documented); when neither answers, the region stays unknown
(empty), the bucket is kept whatever ``--regions`` says, and a coverage entry says so.

Lifecycle: each rule keeps its scope (prefix, tags, object-size bounds). A bucket is managed
(``has_lifecycle``) only when an enabled rule covers every object; ``lifecycle_scope`` is
"all", "partial" (enabled rules cover only ``lifecycle_covers``) or "none".
"""

from __future__ import annotations

from typing import Any

from costopt.model import CoverageEntry, Resource
from costopt.providers.aws.common import aws_resource, tag_dict
from costopt.providers.aws.coverage import RECOVERABLE, each, error_code, fix_for, scope_of
from costopt.providers.aws.session import Account, home_region

ABSENT = {"NoSuchLifecycleConfiguration", "NoSuchTagSet", "NoSuchTagSetError"}


def _read(func, absent_value, problems: list[str]) -> Any:
    try:
        return func()
    except RECOVERABLE as exc:
        code = error_code(exc)
        if code in ABSENT:
            return absent_value
        problems.append(code)
        return None


def rule_scope(rule: dict[str, Any]) -> dict[str, Any]:
    """The objects one lifecycle rule applies to: prefix, tags and size bounds (None = any)."""
    f = rule.get("Filter")
    if f is None:  # the legacy top-level Prefix
        f = {"Prefix": rule.get("Prefix")}
    both = f.get("And") or {}
    single_tag = [f["Tag"]] if f.get("Tag") else None
    return {"prefix": f.get("Prefix", both.get("Prefix")) or None,
            "tags": tag_dict(single_tag or both.get("Tags")),
            "size_greater_than": f.get("ObjectSizeGreaterThan", both.get("ObjectSizeGreaterThan")) or None,
            "size_less_than": f.get("ObjectSizeLessThan", both.get("ObjectSizeLessThan"))}


def describe_scope(scope: dict[str, Any]) -> str:
    """'prefix logs/ and tag env=tmp and size > 1024 B', or 'all objects'."""
    parts = [f"prefix {scope['prefix']}"] if scope.get("prefix") else []
    parts += [f"tag {k}={v}" for k, v in sorted((scope.get("tags") or {}).items())]
    if scope.get("size_greater_than"):
        parts.append(f"size > {scope['size_greater_than']} B")
    if scope.get("size_less_than") is not None:
        parts.append(f"size < {scope['size_less_than']} B")
    return " and ".join(parts) or "all objects"


def parse_rule(r: dict[str, Any]) -> dict[str, Any]:
    scope = rule_scope(r)
    return {"id": r.get("ID"), "status": r.get("Status"), "filter": scope,
            "whole_bucket": describe_scope(scope) == "all objects",
            "transitions": [{"days": t.get("Days"), "storage_class": t.get("StorageClass")}
                            for t in r.get("Transitions") or ()],
            "expiration_days": (r.get("Expiration") or {}).get("Days"),
            "noncurrent_expiration_days": (r.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays"),
            "abort_incomplete_days": (r.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")}


def lifecycle_attributes(rules: list[dict[str, Any]] | None) -> dict[str, Any]:
    """has_lifecycle / lifecycle_scope / lifecycle_covers of a bucket from its parsed rules."""
    if rules is None:
        return {"has_lifecycle": None, "lifecycle_scope": None, "lifecycle_covers": None}
    enabled = [r for r in rules if r["status"] == "Enabled"]
    if any(r["whole_bucket"] for r in enabled):
        return {"has_lifecycle": True, "lifecycle_scope": "all", "lifecycle_covers": "all objects"}
    covers = sorted({describe_scope(r["filter"]) for r in enabled})
    return {"has_lifecycle": False, "lifecycle_scope": "partial" if covers else "none",
            "lifecycle_covers": "; ".join(covers) or None}


def _region_of(s3: Any, bucket: dict[str, Any], problems: list[str]) -> str:
    """The bucket's region, or "" when it cannot be read."""
    if bucket.get("BucketRegion"):
        return str(bucket["BucketRegion"])
    loc = _read(lambda: s3.get_bucket_location(Bucket=bucket["Name"]), {}, problems)
    if loc is None:
        return ""
    region = loc.get("LocationConstraint") or "us-east-1"  # null means us-east-1
    return "eu-west-1" if region == "EU" else region


def list_buckets(account: Account) -> list[dict[str, Any]]:
    s3 = account.client("s3", home_region(account.session))
    out: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_buckets").paginate():
        out.extend(page.get("Buckets", ()))
    return out


def buckets(account: Account, regions: set[str] | None, coverage: list[CoverageEntry]) -> list[Resource]:
    """Buckets in ``regions`` (None = all) with lifecycle/versioning/tags; one bucket that cannot
    be read at all is a ``partial`` entry naming it, and the others are still listed."""
    s3 = account.client("s3", home_region(account.session))

    def one(b: dict[str, Any]) -> Resource | None:
        name = b["Name"]
        problems: list[str] = []
        region = _region_of(s3, b, problems)
        if region and regions is not None and region not in regions:
            return None
        client = account.client("s3", region or home_region(account.session))
        lifecycle = _read(lambda: client.get_bucket_lifecycle_configuration(Bucket=name), {"Rules": []}, problems)
        rules = None if lifecycle is None else [parse_rule(r) for r in lifecycle.get("Rules") or ()]
        versioning = _read(lambda: client.get_bucket_versioning(Bucket=name), {}, problems)
        tags = tag_dict((_read(lambda: client.get_bucket_tagging(Bucket=name), {"TagSet": []}, problems) or {})
                        .get("TagSet"))
        if problems:
            code = problems[0]
            unknown = "" if region else "; region unknown, kept whatever --regions says"
            coverage.append(CoverageEntry("aws", f"{account.account_id}/{region or 'unknown-region'}/s3:{name}",
                                          "partial", f"bucket details not readable: "
                                          f"{', '.join(sorted(set(problems)))}{unknown}", code,
                                          fix_for(code, ("s3:GetBucketLocation", "s3:GetLifecycleConfiguration",
                                                         "s3:GetBucketTagging"))))
        return aws_resource(
            account.account_id, region, tags, id=name, kind="bucket", type="s3", name=name,
            default_workload="data", created=b.get("CreationDate"),
            attributes={**lifecycle_attributes(rules), "lifecycle_rules": rules,
                        "versioning": None if versioning is None else versioning.get("Status", "Disabled")})

    return each(scope_of(account.account_id, "global", "s3 buckets"), coverage, list_buckets(account), one,
                lambda b: b.get("Name") or "a bucket without a name", ("s3:GetBucketLocation",))
