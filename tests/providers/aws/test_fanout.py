"""Read tasks on threads, or spread over forked processes: same results, same order."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from costopt.errors import ProviderError
from costopt.providers.aws import fanout
from costopt.providers.aws.regional import REGIONAL_SERVICES, prepare_clients
from costopt.providers.aws.session import Account, client_config

needs_fork = pytest.mark.skipif(not fanout.fork_available(), reason="process fan-out forks, which needs Linux")
AMI = "ami-12345678"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


def test_process_count():
    cores = os.cpu_count() or 1
    assert fanout.process_count("auto", 17, 16, fork_ok=True) == min(cores, 3)
    assert fanout.process_count("auto", 3, 16, fork_ok=True) == 1  # small plans stay in this process
    assert fanout.process_count(4, 3, 16, fork_ok=True) == 3  # never more processes than tasks
    assert fanout.process_count(4, 30, 1, fork_ok=True) == 1  # one worker thread means sequential
    assert fanout.process_count(1, 30, 16, fork_ok=True) == 1
    assert fanout.process_count(4, 30, 16, fork_ok=False) == 1  # not while forking is unsafe


FRESH_INTERPRETER = """
import threading
from costopt.providers.aws.fanout import fork_safe_now
alone = fork_safe_now()
release = threading.Event()
other = threading.Thread(target=release.wait)
other.start()
print(alone, fork_safe_now())
release.set()
other.join()
"""


@needs_fork
def test_no_fork_while_another_thread_runs():
    # A fresh interpreter: this test process may still run threads left by other tests.
    out = subprocess.run([sys.executable, "-c", FRESH_INTERPRETER], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["True", "False"], out.stderr


@needs_fork
def test_tasks_run_in_worker_processes_and_keep_their_order():
    tasks = [(os.getpid, ())] * 4 + [(pow, (2, i)) for i in range(6)]
    results = fanout.run_tasks(tasks, threads=4, processes=2)
    pids = set(results[:4])
    assert os.getpid() not in pids and len(pids) == 2  # two forked workers did the reading
    assert results[4:] == [2 ** i for i in range(6)]


def test_one_process_runs_on_threads_here():
    results = fanout.run_tasks([(os.getpid, ()), (pow, (3, 2))], threads=2, processes=1)
    assert results == [os.getpid(), 9]


@needs_fork
def test_a_dead_worker_is_a_provider_error_with_the_fix():
    with pytest.raises(ProviderError, match=r"worker process died.*processes = 1"):
        fanout.run_tasks([(os._exit, (3,)), (pow, (2, 2))], threads=2, processes=2)


@pytest.mark.parametrize("bad", [0, -2, "many", 1.5, True])
def test_bad_processes_setting_is_refused(adapter, window, bad):
    with pytest.raises(ProviderError, match=r"processes must be \"auto\" or a whole number >= 1"):
        adapter(processes=bad).collect(window)


SAME_ESTATE_TWICE = """
import json, os, sys
from datetime import datetime, timedelta, timezone
import boto3
from moto import mock_aws
from costopt.model import Window
from costopt.providers.aws.adapter import AwsProvider

regions = sys.argv[1].split(",")
end = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
window = Window(end - timedelta(days=1), end)

def summary(snapshot):
    return [sorted([r.region, r.kind, r.id, r.hourly_cost] for r in snapshot.resources),
            sorted([m.resource_id, m.metric, m.stat, m.values.tolist()] for m in snapshot.metrics),
            sorted([c.scope, c.status, c.detail] for c in snapshot.coverage)]

with mock_aws():
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    for region in regions:
        ec2 = session.client("ec2", region_name=region)
        first = ec2.run_instances(ImageId="ami-12345678", InstanceType="m5.large", MinCount=2, MaxCount=2)["Instances"][0]
        ec2.create_volume(AvailabilityZone=region + "a", Size=100, VolumeType="gp3")
        ec2.allocate_address(Domain="vpc")
        session.client("cloudwatch", region_name=region).put_metric_data(Namespace="AWS/EC2", MetricData=[
            {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceId", "Value": first["InstanceId"]}],
             "Timestamp": end - timedelta(minutes=5 * k), "Value": float(k), "Unit": "Percent"} for k in range(1, 5)])
    session.client("s3", region_name="us-east-1").create_bucket(Bucket="datasets-fanout")
    said = []
    runs = {n: AwsProvider(session=session, regions=regions, max_workers=4, prices="catalog", processes=n)
               .collect(window, progress=said.append) for n in (1, 2)}
print(json.dumps({"said": said, "threaded": summary(runs[1]), "forked": summary(runs[2])}))
"""


@needs_fork
def test_adapter_reads_the_same_estate_with_and_without_worker_processes(tmp_path):
    # A fresh interpreter, so that no thread left by other tests keeps the adapter from forking.
    env = {**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false", "COSTOPT_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", SAME_ESTATE_TWICE, ",".join(REGIONS)], capture_output=True,
                         text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert any("over 2 processes" in line for line in result["said"])  # it did fork
    resources, metrics, coverage = result["forked"]
    assert len([r for r in resources if r[1] == "vm"]) == 2 * len(REGIONS)
    assert len([m for m in metrics if m[1] == "cpu"]) >= len(REGIONS)
    assert result["forked"] == result["threaded"]


def test_prepare_clients_builds_what_the_tasks_use(moto_account):
    account = Account("123456789012", moto_account, "test", client_config())
    prepare_clients(account, "eu-west-1", with_costs=True)
    made = set(account._clients)
    assert {(service, "eu-west-1") for service in REGIONAL_SERVICES} <= made
    assert ("s3", "us-east-1") in made and ("ce", "us-east-1") in made


def test_prepare_clients_leaves_a_bad_region_to_the_task(moto_account):
    account = Account("123456789012", moto_account, "test", client_config())
    prepare_clients(account, "not a region!", with_costs=False)  # the region task records the error
    assert ("s3", "us-east-1") in set(account._clients)
