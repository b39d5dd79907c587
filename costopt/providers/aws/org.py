"""``--org``: every ACTIVE account of the AWS Organization, each through an assumed role.

The accounts come from ``organizations:ListAccounts`` (paged), called with the base
credentials: the management account, or a delegated administrator of AWS Organizations.
Each account is reached by assuming ``arn:PARTITION:iam::ACCOUNT:role/ROLE`` with refreshing
credentials (:func:`costopt.providers.aws.session.assume`); the account the base credentials
belong to is read with them directly. An account whose role cannot be assumed (no such
role, a trust policy that does not name the caller, an SCP) becomes one ``failed`` coverage
entry naming the role and the fix; the other accounts are read.

Settings (``[providers.aws]``):

- ``org_role``: the role name in each account. Default ``OrganizationAccountAccessRole``, the
  role AWS Organizations creates in every account it creates (invited accounts have it only
  if someone created it; many organisations deploy a read-only role instead, with the actions
  of ``iam-policy.json``, and name it here);
- ``org_accounts`` / ``org_exclude_accounts``: account ids to keep / drop;
- ``org_ous`` / ``org_exclude_ous``: organizational units (``ou-...``; nested OUs included)
  whose accounts to keep / drop. Exclusions win over inclusions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config

from costopt.errors import ProviderError
from costopt.model import CoverageEntry
from costopt.providers.aws import timestamps
from costopt.providers.aws.session import (
    Account,
    AssumeRoleFailed,
    assume,
    home_region,
    identify,
    read_only_loader,
)

DEFAULT_ROLE = "OrganizationAccountAccessRole"
ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class OrgScope:
    """Which accounts of the organization to read, and the role to read them with."""

    role: str = DEFAULT_ROLE
    accounts: tuple[str, ...] = ()
    exclude_accounts: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    exclude_ous: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, section: Mapping[str, Any]) -> OrgScope:
        return cls(role=str(section.get("org_role") or DEFAULT_ROLE),
                   accounts=tuple(section.get("org_accounts") or ()),
                   exclude_accounts=tuple(section.get("org_exclude_accounts") or ()),
                   ous=tuple(section.get("org_ous") or ()), exclude_ous=tuple(section.get("org_exclude_ous") or ()))


def active_accounts(org: Any) -> list[dict[str, Any]]:
    """Every ACTIVE account (``State``, or the older ``Status`` field), by id."""
    out = []
    for page in org.get_paginator("list_accounts").paginate():
        for account in page.get("Accounts", []):
            if (account.get("State") or account.get("Status")) == ACTIVE:
                out.append(account)
    return sorted(out, key=lambda a: a["Id"])


def accounts_under(org: Any, ous: Iterable[str]) -> set[str]:
    """Account ids in the given OUs and every OU nested below them."""
    found: set[str] = set()
    pending = list(ous)
    while pending:
        parent = pending.pop()
        for page in org.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
            found.update(a["Id"] for a in page.get("Accounts", []))
        for page in org.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent):
            pending.extend(ou["Id"] for ou in page.get("OrganizationalUnits", []))
    return found


def select(org: Any, scope: OrgScope) -> list[dict[str, Any]]:
    """The ACTIVE accounts the scope keeps."""
    accounts = active_accounts(org)
    keep = set(scope.accounts)
    if scope.ous:
        keep |= accounts_under(org, scope.ous)
    drop = set(scope.exclude_accounts) | (accounts_under(org, scope.exclude_ous) if scope.exclude_ous else set())
    return [a for a in accounts if (not (scope.accounts or scope.ous) or a["Id"] in keep) and a["Id"] not in drop]


def _partition(session: boto3.Session) -> str:
    return session.get_partition_for_region(home_region(session))


def denied_entry(account_id: str, name: str, role_arn: str, code: str) -> CoverageEntry:
    return CoverageEntry(
        "aws", f"{account_id}/*/*", "failed", f"account {account_id} ({name}): cannot assume {role_arn} ({code})",
        code or "AssumeRoleFailed",
        f"create the role {role_arn.rsplit('/', 1)[-1]} in account {account_id} with a trust policy allowing "
        f"the caller (and the read-only actions of iam-policy.json), or set [providers.aws] org_role to a role "
        f"that exists, or add {account_id} to org_exclude_accounts")


def open_org_accounts(base: boto3.Session, config: Config, scope: OrgScope,
                      workers: int = 16) -> tuple[list[Account], list[CoverageEntry]]:
    """An :class:`Account` for every account the role could be assumed in; coverage for the others."""
    timestamps.install(base)
    me = identify(base, config, "the organization caller")
    org = base.client("organizations", region_name=home_region(base), config=config)
    try:
        listed = select(org, scope)
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise ProviderError(f"aws: --org: cannot list the organization's accounts ({code}); fix: run with the "
                            "management account's credentials or a delegated administrator's, with "
                            "organizations:ListAccounts (and ListAccountsForParent / "
                            "ListOrganizationalUnitsForParent for OU filters)") from None
    partition = _partition(base)
    sts = base.client("sts", region_name=home_region(base), config=config)
    loader = read_only_loader(base)  # one for all accounts: their clients know only the granted reads

    def reach(account: dict[str, Any]) -> Account | CoverageEntry:
        account_id, name = account["Id"], account.get("Name", "")
        if account_id == me:
            return Account(account_id, base, "organization caller", config)
        arn = f"arn:{partition}:iam::{account_id}:role/{scope.role}"
        try:
            session = assume(base, config, arn, sts=sts, loader=loader)
        except AssumeRoleFailed as exc:
            return denied_entry(account_id, name, arn, exc.code)
        timestamps.install(session)
        return Account(account_id, session, f"role {arn}", config)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="costopt-aws-org") as pool:
        reached = list(pool.map(reach, listed))
    accounts = [r for r in reached if isinstance(r, Account)]
    coverage = [r for r in reached if isinstance(r, CoverageEntry)]
    coverage.append(CoverageEntry("aws", "organization", "ok" if accounts else "failed",
                                  f"{len(listed)} active account(s) selected, {len(accounts)} reached "
                                  f"with role {scope.role}"))
    return accounts, coverage
