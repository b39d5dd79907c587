"""Sessions, accounts and clients: profiles, assume-role, retries, regions.

The standard SDK configuration is honoured as boto3 reads it (AWS_PROFILE, AWS_REGION /
AWS_DEFAULT_REGION, AWS_ENDPOINT_URL[_<SERVICE>], shared config files). ``--role-arn`` may be
given once per account: each role is assumed with STS from the base session, with credentials
that assume it again before they expire. Credentials that
are missing or expired raise :class:`ProviderError` naming the profile/role and the fix.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
import botocore.credentials
import botocore.exceptions
import botocore.loaders
import botocore.session
import botocore.utils
from botocore.config import Config

from costopt.errors import ProviderError
from costopt.provider_config import Timeouts
from costopt.providers.aws import timestamps
from costopt.providers.aws.readonly import ReadOnlyLoader

DEFAULT_REGION = "us-east-1"
ROLE_SESSION_NAME = "costopt-audit"
CREDENTIAL_ERRORS = frozenset({
    "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
    "SignatureDoesNotMatch", "AuthFailure", "RequestExpired", "InvalidAccessKeyId",
})


DEFAULT_POOL = 10  # botocore's own default


def connection_pool(workers: int) -> int:
    """Connections each client keeps: one per thread that may use it at once.

    The pricing client is shared by every pricing thread (``max_workers`` of them); a pool
    smaller than that makes urllib3 discard the extra connections with a "Connection pool is
    full" warning on the terminal, and reconnect next time.
    """
    return max(DEFAULT_POOL, int(workers))


def client_config(retry_mode: str = "adaptive", max_attempts: int = 8, pool: int = DEFAULT_POOL,
                  limits: Timeouts | None = None) -> Config:
    """botocore config: standard/adaptive retries (throttling is retried, never fatal) and the
    connect/read timeouts of ``[providers.aws]`` (costopt.provider_config.Timeouts)."""
    limits = limits or Timeouts()
    return Config(retries={"mode": retry_mode, "max_attempts": max_attempts},
                  connect_timeout=limits.connect_s, read_timeout=limits.read_s, max_pool_connections=pool,
                  user_agent_extra="costopt")


@dataclass
class Account:
    """One AWS account to read: its id, a session for it, and how it was reached."""

    account_id: str
    session: boto3.Session
    label: str  # "profile default", "role arn:aws:iam::...:role/x"
    config: Config
    limiter: Any = None  # a costopt.providers.aws.ratelimit.RateLimiter shaping this account's requests
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, service: str, region: str) -> Any:
        """A cached client (boto3 sessions are not thread-safe; clients are)."""
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                client = self.session.client(service, region_name=region, config=self.config)
                if self.limiter is not None:
                    self.limiter.install(client, service, self.account_id, region)
                self._clients[key] = client
            return self._clients[key]


def _profile_label(profile: str | None) -> str:
    return f"profile {profile!r}" if profile else "the default credential chain (AWS_PROFILE / env / ~/.aws)"


def base_session(profile: str | None) -> boto3.Session:
    """A boto3 session for ``profile`` (None = the default chain), failing with a fix."""
    try:
        session = boto3.Session(profile_name=profile)
    except botocore.exceptions.ProfileNotFound:
        raise ProviderError(f"aws: profile {profile!r} is not in ~/.aws/config or ~/.aws/credentials; "
                            f"fix: `aws configure --profile {profile}` or pass an existing --profile") from None
    try:
        credentials = session.get_credentials()
    except botocore.exceptions.BotoCoreError as exc:
        raise ProviderError(f"aws: could not load credentials for {_profile_label(profile)}: {exc}; "
                            "fix: `aws sso login` or `aws configure`") from None
    if credentials is None:
        raise ProviderError(f"aws: no credentials found for {_profile_label(profile)}; "
                            "fix: run `aws configure` (or `aws sso login`), set AWS_PROFILE, or pass --profile")
    return session


def home_region(session: boto3.Session) -> str:
    """The session's region: profile / AWS_DEFAULT_REGION, then AWS_REGION (which boto3 ignores), then us-east-1."""
    return session.region_name or os.environ.get("AWS_REGION") or DEFAULT_REGION


def identify(session: boto3.Session, config: Config, who: str) -> str:
    """The account id behind ``session`` (sts:GetCallerIdentity); expired credentials -> ProviderError."""
    sts = session.client("sts", region_name=home_region(session), config=config)
    try:
        return sts.get_caller_identity()["Account"]
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise ProviderError(f"aws: credentials of {who} were rejected ({code}); "
                            "fix: refresh them (`aws sso login`, new access keys) and retry") from None
    except botocore.exceptions.NoCredentialsError:
        raise ProviderError(f"aws: no credentials found for {who}; fix: run `aws configure` or pass --profile") from None
    except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectTimeoutError,
            botocore.exceptions.ReadTimeoutError) as exc:
        raise ProviderError(f"aws: cannot reach STS for {who}: {exc}; fix: check the network / AWS_ENDPOINT_URL, "
                            "or raise [providers.aws] connect_timeout_s / read_timeout_s") from None


class _Fixed(botocore.credentials.CredentialProvider):
    """A credential provider that hands out one (refreshable) credentials object."""

    METHOD = "assume-role"

    def __init__(self, credentials: botocore.credentials.Credentials):
        super().__init__()
        self._credentials = credentials

    def load(self) -> botocore.credentials.Credentials:
        return self._credentials


class AssumeRoleFailed(ProviderError):
    """sts:AssumeRole was refused; ``code`` is the STS error code (AccessDenied...)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def assume(session: boto3.Session, config: Config, role_arn: str,
           clock: Callable[[], datetime] | None = None, sts: Any = None,
           loader: botocore.loaders.Loader | None = None) -> boto3.Session:
    """A session for ``role_arn`` assumed from ``session`` (sts:AssumeRole).

    The role's keys last an hour by default, less than a long multi-account audit: they are
    botocore refreshable credentials whose fetcher assumes the role again shortly before they
    expire (``clock`` tells the time, botocore's local clock by default).

    The session's service models come from ``loader``, shared by every assumed account
    (default: the base session's own loader); :func:`read_only_loader` makes the one that
    cuts the per-region services down to the operations costopt calls.
    """
    sts = sts or session.client("sts", region_name=home_region(session), config=config)

    def fetch() -> dict[str, Any]:
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME)["Credentials"]
        expiry = creds["Expiration"]
        return {"access_key": creds["AccessKeyId"], "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"],
                "expiry_time": expiry.isoformat() if isinstance(expiry, datetime) else str(expiry)}

    try:
        first = fetch()
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise AssumeRoleFailed(f"aws: cannot assume role {role_arn} ({code}); fix: check the role's trust policy "
                               "allows your identity and that your base credentials are valid", code) from None
    refreshable = botocore.credentials.RefreshableCredentials(
        first["access_key"], first["secret_key"], first["token"], botocore.utils.parse_timestamp(first["expiry_time"]),
        fetch, "assume-role", **({"time_fetcher": clock} if clock else {}))
    # Service models are read from disk once per loader (~0.35 s for the services we use):
    # every assumed session shares one loader instead of reading them again.
    shared = botocore.session.Session()
    shared.register_component("data_loader", loader or loader_of(session))
    shared.register_component("credential_provider", botocore.credentials.CredentialResolver([_Fixed(refreshable)]))
    return boto3.Session(botocore_session=shared, region_name=home_region(session))


def loader_of(session: boto3.Session) -> botocore.loaders.Loader:
    """The botocore loader (service models) behind ``session``."""
    return session._session.get_component("data_loader")  # boto3 has no public getter for its botocore session


def read_only_loader(session: boto3.Session) -> ReadOnlyLoader:
    """A :class:`ReadOnlyLoader` reading the same data directories as ``session``'s loader."""
    return ReadOnlyLoader(list(loader_of(session).search_paths))


def open_accounts(profile: str | None, role_arns: tuple[str, ...], config: Config,
                  session: boto3.Session | None = None) -> list[Account]:
    """The accounts to read: the profile's own, or one per assumed role."""
    base = session or base_session(profile)
    timestamps.install(base)
    who = _profile_label(profile)
    if not role_arns:
        return [Account(identify(base, config, who), base, who, config)]
    accounts = []
    loader = read_only_loader(base)
    for arn in role_arns:
        assumed = assume(base, config, arn, loader=loader)
        timestamps.install(assumed)
        accounts.append(Account(identify(assumed, config, f"role {arn}"), assumed, f"role {arn}", config))
    return accounts


def enabled_regions(account: Account) -> list[str]:
    """Regions enabled for the account (ec2:DescribeRegions; opt-in regions only if opted in)."""
    ec2 = account.client("ec2", home_region(account.session))
    regions = ec2.describe_regions(AllRegions=False)["Regions"]
    return sorted(r["RegionName"] for r in regions
                  if r.get("OptInStatus", "opt-in-not-required") in ("opt-in-not-required", "opted-in"))
