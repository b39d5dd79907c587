"""Clients of audited accounts (assumed roles, ``--org`` members) know only the reads iam-policy.json grants.

The per-region services' models come from :class:`ReadOnlyLoader`, shared by every assumed
account: each such client's operations are exactly the policy's actions of its IAM prefix
(checked against the policy file and botocore's own service models), reads still work
through paginators against moto, and the caller's own session is left as it was.
"""

from __future__ import annotations

import botocore.session

from costopt.providers.aws.org import OrgScope, open_org_accounts
from costopt.providers.aws.readonly import CUT_SERVICES, ReadOnlyLoader
from costopt.providers.aws.session import client_config, open_accounts
from tests.providers.aws.test_least_privilege import policy_actions
from tests.providers.aws.test_org import org  # noqa: F401  (fixture)

REGION = "us-east-1"


def granted(prefix: str) -> set[str]:
    return {a.split(":", 1)[1] for a in policy_actions() if a.split(":", 1)[0] == prefix}


def operations(client) -> set[str]:
    return set(client.meta.method_to_api_mapping.values())


def test_org_member_clients_expose_exactly_the_granted_reads(org):  # noqa: F811
    accounts, _ = open_org_accounts(org["session"], client_config(), OrgScope())
    members = [a for a in accounts if a.account_id in org["members"].values()]
    assert len(members) == 4
    for account in members:
        for service, prefix in CUT_SERVICES.items():
            assert operations(account.client(service, REGION)) == granted(prefix), service
    ec2 = members[0].client("ec2", REGION)
    assert not hasattr(ec2, "terminate_instances") and not hasattr(ec2, "run_instances")
    # reads still work, paginated, against the account's own resources
    pages = ec2.get_paginator("describe_instances").paginate()
    ids = [i["InstanceId"] for page in pages for r in page["Reservations"] for i in r["Instances"]]
    assert len(ids) >= 1
    # a service outside the per-region set keeps its whole model
    assert hasattr(members[0].client("s3", REGION), "put_object")
    # the caller's own account reads with the caller's session, which is left whole
    caller = next(a for a in accounts if a.account_id not in org["members"].values())
    assert hasattr(caller.client("ec2", REGION), "run_instances")


def test_role_arn_accounts_get_the_cut_models(moto_account):
    [account] = open_accounts(None, ("arn:aws:iam::111111111111:role/costopt-audit",), client_config(),
                              session=moto_account)
    assert operations(account.client("rds", REGION)) == {"DescribeDBInstances"}
    assert operations(account.client("cloudwatch", REGION)) == {"GetMetricData", "ListMetrics"}


def test_cut_model_is_botocores_model_less_the_other_operations():
    full = botocore.session.Session().get_component("data_loader")
    cut = ReadOnlyLoader()
    for service, prefix in CUT_SERVICES.items():
        whole = full.load_service_model(service, "service-2")
        mine = cut.load_service_model(service, "service-2")
        assert set(mine["operations"]) == granted(prefix) <= set(whole["operations"]), service
        assert mine["shapes"] is whole["shapes"] or mine["shapes"] == whole["shapes"]
        assert mine["metadata"] == whole["metadata"]
        # paginators and other model types are served unchanged
        assert cut.load_service_model(service, "paginators-1") == full.load_service_model(service, "paginators-1")
