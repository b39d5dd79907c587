"""S3 lifecycle rules keep their scope (a bucket is managed only when an enabled rule covers
every object) and bucket regions come from ListBuckets / GetBucketLocation, never a guess."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from costopt.catalog import load_catalog
from costopt.providers.aws import inventory_s3
from costopt.providers.aws.session import Account, client_config
from costopt.rules import defaults, idle
from costopt.rules.storage import ml_archive
from tests.providers.aws.conftest import put_points
from tests.rules.test_storage import bucket_snapshot, recs
from tests.rules.tiny_catalog import tiny_catalog

T0 = datetime(2026, 11, 1, tzinfo=UTC)
RULES = {
    "whole": {"ID": "all", "Status": "Enabled", "Filter": {"Prefix": ""},
              "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]},
    "logs-only": {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 7}},
    "ckpt-cold": {"ID": "ckpt", "Status": "Enabled", "Filter": {"And": {
        "Prefix": "ckpt/", "Tags": [{"Key": "tier", "Value": "cold"}]}},
        "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]},
    "disabled": {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 30}},
}


def test_lifecycle_rules_keep_their_scope(moto_account, adapter, window):
    s3 = moto_account.client("s3", region_name="us-east-1")
    for name, rule in RULES.items():
        s3.create_bucket(Bucket=name)
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [rule]})
    s3.create_bucket(Bucket="bare")
    snap = adapter().collect(window)
    got = {r.id: r.attributes for r in snap.resources if r.kind == "bucket"}
    assert (got["whole"]["has_lifecycle"], got["whole"]["lifecycle_scope"]) == (True, "all")
    assert (got["logs-only"]["has_lifecycle"], got["logs-only"]["lifecycle_scope"]) == (False, "partial")
    assert got["logs-only"]["lifecycle_covers"] == "prefix logs/"
    assert got["logs-only"]["lifecycle_rules"][0]["filter"]["prefix"] == "logs/"
    assert got["ckpt-cold"]["lifecycle_covers"] == "prefix ckpt/ and tag tier=cold"
    assert got["ckpt-cold"]["lifecycle_rules"][0]["filter"]["tags"] == {"tier": "cold"}
    assert (got["disabled"]["has_lifecycle"], got["disabled"]["lifecycle_scope"]) == (False, "none")
    assert (got["bare"]["has_lifecycle"], got["bare"]["lifecycle_scope"]) == (False, "none")


def test_a_bucket_managed_only_under_a_prefix_gets_the_finding_naming_the_unmanaged_part(moto_account, adapter,
                                                                                          window):
    s3 = moto_account.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="ml-data")
    s3.put_bucket_lifecycle_configuration(Bucket="ml-data", LifecycleConfiguration={"Rules": [RULES["logs-only"]]})
    put_points(moto_account, "us-east-1", "AWS/S3", "BucketSizeBytes",
               {"BucketName": "ml-data", "StorageType": "StandardStorage"}, [5e12, 5e12], period=86400, unit="Bytes")
    snap = adapter().collect(window)
    catalog = load_catalog(None, use_cache=False)
    recs = [r for r in idle.bucket_without_lifecycle(snap, catalog, defaults.BucketWithoutLifecycle())
            if getattr(r, "rule_id", "") == "idle.bucket_without_lifecycle" and hasattr(r, "rationale")]
    (rec,) = recs
    assert rec.resource_id == "ml-data" and "cover only prefix logs/" in rec.rationale
    assert "every other object is unmanaged" in rec.rationale and rec.current["lifecycle_rules"] == 1


@pytest.fixture
def account():
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    return Account("123456789012", session, "test", client_config())


def _details(stub):
    stub.add_client_error("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration", http_status_code=404)
    stub.add_response("get_bucket_versioning", {})
    stub.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404)


def test_bucket_region_comes_from_list_buckets_without_get_bucket_location(account):
    home, hk = Stubber(account.client("s3", "us-east-1")), Stubber(account.client("s3", "ap-east-1"))
    home.add_response("list_buckets", {"Buckets": [{"Name": "hk-data", "CreationDate": T0, "BucketRegion": "ap-east-1"}]})
    _details(hk)  # no GetBucketLocation is stubbed: a call to it would fail the test
    with home, hk:
        (b,) = inventory_s3.buckets(account, {"ap-east-1"}, [])
    assert b.region == "ap-east-1"


def test_an_unreadable_location_stays_unknown_and_is_kept_under_any_regions(account):
    home = Stubber(account.client("s3", "us-east-1"))
    home.add_response("list_buckets", {"Buckets": [{"Name": "locked", "CreationDate": T0}]})
    home.add_client_error("get_bucket_location", "AccessDenied", "Access Denied", http_status_code=403)
    _details(home)
    cov = []
    with home:
        (b,) = inventory_s3.buckets(account, {"eu-west-1"}, cov)
    assert b.region == ""  # not us-east-1
    (entry,) = [c for c in cov if c.status == "partial"]
    assert entry.error_code == "AccessDenied" and "region unknown" in entry.detail
    assert "s3:GetBucketLocation" in entry.fix


def test_a_size_bounded_rule_does_not_manage_the_whole_bucket(account):
    # moto drops ObjectSizeGreaterThan; the Stubber checks this response against the S3 model
    home = Stubber(account.client("s3", "us-east-1"))
    home.add_response("list_buckets", {"Buckets": [{"Name": "big-only", "CreationDate": T0, "BucketRegion": "us-east-1"}]})
    home.add_response("get_bucket_lifecycle_configuration", {"Rules": [
        {"ID": "big", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": 1048576},
         "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]},
        {"ID": "small-logs", "Status": "Enabled", "Filter": {"And": {"Prefix": "logs/", "ObjectSizeLessThan": 4096}},
         "Expiration": {"Days": 7}}]})
    home.add_response("get_bucket_versioning", {})
    home.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404)
    with home:
        (b,) = inventory_s3.buckets(account, None, [])
    assert b.attributes["has_lifecycle"] is False and b.attributes["lifecycle_scope"] == "partial"
    assert b.attributes["lifecycle_covers"] == "prefix logs/ and size < 4096 B; size > 1048576 B"


def test_storage_findings_on_a_partly_managed_bucket_say_which_part_is_unmanaged():
    rules = [inventory_s3.parse_rule(RULES["logs-only"])]
    snap = bucket_snapshot(name="ml-checkpoints-1", gb=50_000.0, objects=200_000, gets_per_hour=0.1,
                           lifecycle_rules=rules, **inventory_s3.lifecycle_attributes(rules))
    (first, *_) = recs(ml_archive(snap, tiny_catalog(), defaults.MlArchive()))
    assert first.evidence.facts["note"].startswith("bucket lifecycle rules cover only prefix logs/; the rest is unmanaged")
