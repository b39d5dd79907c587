"""Read tasks on threads, or spread over forked processes: same results, same order."""

from __future__ import annotations

import os
import threading

import pytest

from costopt.errors import ProviderError
from costopt.providers.aws import fanout
from costopt.providers.aws.regional import REGIONAL_SERVICES, prepare_clients
from costopt.providers.aws.session import Account, client_config
from tests.providers.aws.conftest import put_points

needs_fork = pytest.mark.skipif(not fanout.fork_available(), reason="process fan-out forks, which needs Linux")
AMI = "ami-12345678"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


@needs_fork
def test_process_count():
    cores = os.cpu_count() or 1
    assert fanout.process_count("auto", 17, 16) == min(cores, 3)
    assert fanout.process_count("auto", 3, 16) == 1  # small plans stay in this process
    assert fanout.process_count(4, 3, 16) == 3  # never more processes than tasks
    assert fanout.process_count(4, 30, 1) == 1  # one worker thread means sequential
    assert fanout.process_count(1, 30, 16) == 1


@needs_fork
def test_no_fork_while_another_thread_runs():
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert fanout.process_count("auto", 40, 16) == 1
        assert fanout.process_count(2, 40, 16) == 1
    finally:
        release.set()
        other.join()
    assert fanout.process_count(2, 40, 16) == 2


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


def _estate(session):
    for region in REGIONS:
        ec2 = session.client("ec2", region_name=region)
        first = ec2.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=2, MaxCount=2)["Instances"][0]
        put_points(session, region, "AWS/EC2", "CPUUtilization", {"InstanceId": first["InstanceId"]}, [5, 7, 9, 4])
        ec2.create_volume(AvailabilityZone=f"{region}a", Size=100, VolumeType="gp3")
        ec2.allocate_address(Domain="vpc")
    session.client("s3", region_name="us-east-1").create_bucket(Bucket="datasets-fanout")


def _summary(snapshot):
    return (sorted((r.region, r.kind, r.id, r.hourly_cost) for r in snapshot.resources),
            sorted((m.resource_id, m.metric, m.stat, tuple(m.values.tolist())) for m in snapshot.metrics),
            sorted((c.scope, c.status, c.detail) for c in snapshot.coverage))


@needs_fork
def test_adapter_reads_the_same_estate_with_and_without_worker_processes(moto_account, adapter, window):
    _estate(moto_account)
    threaded = adapter(regions=REGIONS, max_workers=4, processes=1).collect(window)
    said: list[str] = []
    forked = adapter(regions=REGIONS, max_workers=4, processes=2).collect(window, progress=said.append)
    assert any("over 2 processes" in line for line in said)  # it did fork
    assert len([r for r in forked.resources if r.kind == "vm"]) == 2 * len(REGIONS)
    assert len([m for m in forked.metrics if m.metric == "cpu"]) >= len(REGIONS)
    assert _summary(forked) == _summary(threaded)


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
