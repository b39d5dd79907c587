"""``costopt catalog show TYPE`` / ``refresh --provider P`` / ``sources``: the price catalog."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

import click

from costopt.catalog import bundled_catalog, load_catalog
from costopt.catalog.cache import write_cache
from costopt.catalog.quote import Quote, quote
from costopt.catalog.refresh_aws_public import refresh_aws_public
from costopt.catalog.staleness import is_stale, price_age_days

BUNDLED_REGIONS = {"aws": ("us-east-1", "eu-west-1"), "gcp": ("us-central1", "europe-west4"),
                   "azure": ("eastus", "westeurope")}


@click.group("catalog")
def command() -> None:
    """Instance specs and prices: show one type, list price sources, refresh from the pricing APIs.

    \b
    Examples:
      costopt catalog show g5.2xlarge
      costopt catalog show m5.2xlarge --region ap-southeast-2 --format json
      costopt catalog show n2-standard-8 --provider gcp --region europe-west4
      costopt catalog refresh --provider aws --regions us-east-1,eu-west-1   (no credentials needed)
      costopt catalog sources
    """


@command.command("show")
@click.argument("type_name", metavar="TYPE")
@click.option("--provider", type=click.Choice(["aws", "gcp", "azure"]), help="Provider (default: guessed from TYPE).")
@click.option("--region", help="Only this region (default: every region that prices TYPE).")
@click.option("--os", "os_name", default="linux", show_default=True, help="Operating system of the price.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def show(type_name: str, provider: str | None, region: str | None, os_name: str, fmt: str) -> None:
    """Hardware and every price (on-demand, spot, 1y/3y commitment) of TYPE, with source and date.

    Prices are labelled: "price" (a list price), "spot snapshot" (a dated recent spot price),
    "estimate" (a typical ratio or a published licence fee applied to a real price) or "lower
    bound" (an OS whose licence fee costopt does not know, e.g. --os suse); "stale" when older
    than the limit. --os: linux, windows, rhel, suse, windows_sql_std|ent|web, linux_sql_std|ent|web.
    A type or region with no price exits 2 naming the nearest matches.
    """
    today = datetime.now(UTC).date()
    quotes = quote(load_catalog(), type_name, provider=provider, region=region, os=os_name, today=today)
    if fmt == "json":
        click.echo(json.dumps([_quote_json(q) for q in quotes], indent=1))
        return
    for q in quotes:
        click.echo(_spec_line(q))
        for line in q.lines:
            flags = ", ".join(x for x in (line.kind, "stale" if line.stale else "") if x)
            click.echo(f"  {line.region:<16} {line.model:<10} {line.amount:>10.4f} {line.currency}/{line.unit}  "
                       f"{line.source} ({line.as_of}) [{flags}]")
        for reg, rate in q.interruption_per_hour.items():
            click.echo(f"  {reg:<16} {'interrupt':<10} {rate:>10.2e} per instance-hour (spot, typical)")


def _spec_line(q: Quote) -> str:
    spec = q.spec
    if spec is None:
        return f"{q.provider} {q.type}: hardware not in the catalog"
    gpu = (f", {spec.gpu_count} x {spec.gpu_model} ({spec.gpu_memory_gib:g} GiB each, {spec.gpu_tflops:g} TFLOPS)"
           if spec.gpu_count else "")
    return (f"{q.provider} {spec.type}: {spec.vcpu} vCPU, {spec.memory_gib:g} GiB, {spec.architecture}, family "
            f"{spec.family} gen {spec.generation}, relative CPU speed {spec.relative_speed:g}{gpu}")


def _quote_json(q: Quote) -> dict:
    return {"provider": q.provider, "type": q.type, "spec": asdict(q.spec) if q.spec else None,
            "prices": [asdict(line) for line in q.lines], "interruption_per_hour": q.interruption_per_hour}


@command.command("sources")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Output format.")
def sources(fmt: str) -> None:
    """Where every price came from and when; sources older than 90 days are marked STALE."""
    today = datetime.now(UTC).date()
    rows = [{"provider": s.provider, "source": s.source, "as_of": s.as_of, "detail": s.detail,
             "age_days": price_age_days(s.as_of, today), "stale": is_stale(s, today)}
            for s in load_catalog().price_sources()]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        mark = ""
        if r["stale"]:
            mark = f"STALE ({r['age_days']} days)  " if r["age_days"] is not None else "STALE (undated)  "
        click.echo(f"{r['provider']:<6} {r['source']:<36} {r['as_of']}  {mark}{r['detail']}")


@command.command("refresh")
@click.option("--provider", "provider", type=click.Choice(["aws", "gcp", "azure"]), required=True)
@click.option("--region", "--regions", "regions", multiple=True,
              help="Region(s), repeatable or comma-separated (default: the bundled ones for the provider).")
@click.option("--source", "source", type=click.Choice(["public", "api"]),
              help="AWS: public = the Price List bulk offer files, no credentials (default); api = the Price List "
                   "Query API and spot price history, with credentials (default with --profile).")
@click.option("--profile", help="AWS: named profile (implies --source api).")
@click.option("--api-key", envvar="COSTOPT_GCP_API_KEY", help="GCP: API key for the Cloud Billing API "
              "(env COSTOPT_GCP_API_KEY; default: application default credentials).")
def refresh(provider: str, regions: tuple[str, ...], source: str | None, profile: str | None, api_key: str | None) -> None:
    """Fetch current prices from the provider's public price files or pricing API into the cache.

    AWS and Azure need no account: AWS reads the public Price List bulk offer files (on-demand and
    standard Reserved Instances; spot needs --source api), Azure the Retail Prices API. GCP uses
    the Cloud Billing Catalog API with an API key or application default credentials.
    """
    from costopt.catalog import refresh as live  # needs boto3 and the GCP SDK: only a refresh imports them

    chosen = tuple(r.strip() for value in regions for r in value.split(",") if r.strip()) or BUNDLED_REGIONS[provider]
    click.echo(f"refreshing {provider} prices for {', '.join(chosen)} ...", err=True)
    known = bundled_catalog()
    if provider == "aws" and (source or ("api" if profile else "public")) == "public":
        document = refresh_aws_public(chosen)
    elif provider == "aws":
        pricing_client, ec2_for = live.aws_profile_clients(profile) if profile else (None, None)
        document = live.refresh_aws(chosen, pricing_client=pricing_client, ec2_client_for=ec2_for, known=known)
    elif provider == "gcp":
        document = live.refresh_gcp(chosen, known=known, api_key=api_key)
    else:
        document = live.refresh_azure(chosen)
    path = write_cache(document)
    click.echo(f"{len(document['prices'])} {provider} prices ({document['fetched_at']}) written to {path}")
