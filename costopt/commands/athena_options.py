"""The Athena options shared by ``costs`` and ``audit`` (``--source athena://DATABASE.TABLE``).

Each option falls back to ``[providers.aws]`` in costopt.toml (``athena_workgroup``,
``athena_output``, ``athena_region``), then to the workgroup's own settings and the session's
region.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click

from costopt.billing.readers.athena import AthenaClient, Connect
from costopt.config import Settings


def athena_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --athena-workgroup, --athena-output and --athena-region."""
    func = click.option("--athena-region", metavar="REGION",
                        help="athena:// sources: the region of the Athena workgroup and Glue catalog.")(func)
    func = click.option("--athena-output", metavar="s3://BUCKET/PREFIX/",
                        help="athena:// sources: query result location (default: the workgroup's).")(func)
    func = click.option("--athena-workgroup", metavar="NAME",
                        help="athena:// sources: Athena workgroup (default: primary).")(func)
    return func


def athena_connect(settings: Settings | None, workgroup: str | None, output: str | None, region: str | None,
                   profile: str | None = None) -> Connect:
    """A factory for the Athena client: the options, else ``[providers.aws] athena_*``."""
    raw = settings.providers.get("aws", {}) if settings is not None else {}
    section: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}

    def connect() -> AthenaClient:
        # boto3 is the optional 'aws' extra: imported only when an athena:// source is read
        try:
            from costopt.providers.aws.athena import Athena, AthenaOptions  # needs boto3, the optional 'aws' extra
        except ModuleNotFoundError as exc:
            raise click.ClickException(f"athena:// sources need the 'aws' extra: pip install 'costopt-ml[aws]' "
                                       f"(missing module {exc.name})") from None
        return Athena(AthenaOptions(workgroup=workgroup or section.get("athena_workgroup"),
                                    output_location=output or section.get("athena_output"),
                                    region=region or section.get("athena_region"), profile=profile))

    return connect
