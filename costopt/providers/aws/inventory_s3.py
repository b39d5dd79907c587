"""S3 buckets of one account (a global list): region, lifecycle rules, versioning and tags.

A bucket whose details cannot be read (AccessDenied on its policy) is still listed, with the
unknown facts left None and a ``partial`` coverage entry.
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions

from costopt.model import CoverageEntry, Resource
from costopt.providers.aws.common import tag_dict, workload_of
from costopt.providers.aws.coverage import each, error_code, fix_for, scope_of
from costopt.providers.aws.session import Account, home_region

ABSENT = {"NoSuchLifecycleConfiguration", "NoSuchTagSet", "NoSuchTagSetError"}


def _read(func, absent_value, problems: list[str]) -> Any:
    try:
        return func()
    except botocore.exceptions.ClientError as exc:
        code = error_code(exc)
        if code in ABSENT:
            return absent_value
        problems.append(code)
        return None


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
        loc = _read(lambda: s3.get_bucket_location(Bucket=name), {}, problems) or {}
        region = loc.get("LocationConstraint") or "us-east-1"
        if region == "EU":
            region = "eu-west-1"
        if regions is not None and region not in regions:
            return None
        client = account.client("s3", region)
        lifecycle = _read(lambda: client.get_bucket_lifecycle_configuration(Bucket=name), {"Rules": []}, problems)
        rules = None if lifecycle is None else [
            {"id": r.get("ID"), "status": r.get("Status"),
             "transitions": [{"days": t.get("Days"), "storage_class": t.get("StorageClass")}
                             for t in r.get("Transitions") or ()],
             "expiration_days": (r.get("Expiration") or {}).get("Days"),
             "noncurrent_expiration_days": (r.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays"),
             "abort_incomplete_days": (r.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")}
            for r in lifecycle.get("Rules") or ()]
        versioning = _read(lambda: client.get_bucket_versioning(Bucket=name), {}, problems)
        tags = tag_dict((_read(lambda: client.get_bucket_tagging(Bucket=name), {"TagSet": []}, problems) or {})
                        .get("TagSet"))
        if problems:
            code = problems[0]
            coverage.append(CoverageEntry("aws", f"{account.account_id}/{region}/s3:{name}", "partial",
                                          f"bucket details not readable: {', '.join(sorted(set(problems)))}", code,
                                          fix_for(code, ("s3:GetLifecycleConfiguration", "s3:GetBucketTagging"))))
        return Resource(
            provider="aws", account=account.account_id, region=region, id=name, kind="bucket", type="s3", name=name,
            tags=tags, workload=workload_of(tags) or "data", created=b.get("CreationDate"),
            attributes={"has_lifecycle": None if rules is None else any(r["status"] == "Enabled" for r in rules),
                        "lifecycle_rules": rules,
                        "versioning": None if versioning is None else versioning.get("Status", "Disabled")})

    return each(scope_of(account.account_id, "global", "s3 buckets"), coverage, list_buckets(account), one,
                lambda b: b.get("Name") or "a bucket without a name", ("s3:GetBucketLocation",))
