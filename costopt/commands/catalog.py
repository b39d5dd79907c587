"""``costopt catalog show TYPE`` / ``refresh --provider P`` / ``sources``: the price catalog."""

from __future__ import annotations

import difflib

import click

from costopt.errors import InputError

BUNDLED_REGIONS = {"aws": ("us-east-1", "eu-west-1"), "gcp": ("us-central1", "europe-west4"),
                   "azure": ("eastus", "westeurope")}


@click.group("catalog")
def command() -> None:
    """Instance specs and prices: show one type, list price sources, refresh from the pricing APIs.

    \b
    Examples:
      costopt catalog show g5.2xlarge
      costopt catalog show n2-standard-8 --provider gcp --region europe-west4
      costopt catalog refresh --provider aws --regions us-east-1,eu-west-1
      costopt catalog sources
    """


@command.command("show")
@click.argument("type_name", metavar="TYPE")
@click.option("--provider", type=click.Choice(["aws", "gcp", "azure"]), help="Provider (default: every one that knows TYPE).")
@click.option("--region", help="Only this region.")
def show(type_name: str, provider: str | None, region: str | None) -> None:
    """Hardware and every price (on-demand, spot, 1y/3y commitment) of TYPE, with source and date."""
    from costopt.catalog import PRICE_MODELS, load_catalog

    catalog = load_catalog()
    providers = [provider] if provider else ["aws", "gcp", "azure"]
    found = [(p, catalog.instance(p, type_name)) for p in providers]
    found = [(p, s) for p, s in found if s is not None]
    if not found:
        names = [s.type for p in providers for s in catalog.instances(p)]
        close = difflib.get_close_matches(type_name, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"instance type {type_name!r} is not in the catalog{hint}", key="TYPE")
    for p, spec in found:
        gpu = (f", {spec.gpu_count} x {spec.gpu_model} ({spec.gpu_memory_gib:g} GiB each, {spec.gpu_tflops:g} TFLOPS)"
               if spec.gpu_count else "")
        click.echo(f"{p} {spec.type}: {spec.vcpu} vCPU, {spec.memory_gib:g} GiB, {spec.architecture}, family "
                   f"{spec.family} gen {spec.generation}, relative CPU speed {spec.relative_speed:g}{gpu}")
        regions = [region] if region else catalog.regions(p)
        shown = 0
        for reg in regions:
            for model in PRICE_MODELS:
                price = catalog.price(p, reg, spec.type, model)
                if price is None:
                    continue
                shown += 1
                click.echo(f"  {reg:<14} {model:<10} {price.amount:>10.4f} {price.currency}/{price.unit}  "
                           f"{price.source} ({price.as_of})")
            rate = catalog.interruption_rate(p, reg, spec.type)
            if rate is not None:
                click.echo(f"  {reg:<14} {'interrupt':<10} {rate:>10.2e} per instance-hour (spot, typical)")
        if not shown:
            click.echo(f"  no prices in {', '.join(regions) or 'any region'}")


@command.command("sources")
def sources() -> None:
    """Where every price came from and when."""
    from costopt.catalog import load_catalog

    for s in load_catalog().price_sources():
        click.echo(f"{s.provider:<6} {s.source:<36} {s.as_of}  {s.detail}")


@command.command("refresh")
@click.option("--provider", "provider", type=click.Choice(["aws", "gcp", "azure"]), required=True)
@click.option("--regions", help="Comma-separated regions (default: the bundled ones for the provider).")
@click.option("--profile", help="AWS: named profile.")
def refresh(provider: str, regions: str | None, profile: str | None) -> None:
    """Fetch current prices from the provider's official pricing API into the cache."""
    from costopt.catalog import bundled_catalog
    from costopt.catalog import refresh as live
    from costopt.catalog.cache import write_cache

    chosen = tuple(r.strip() for r in (regions or "").split(",") if r.strip()) or BUNDLED_REGIONS[provider]
    click.echo(f"refreshing {provider} prices for {', '.join(chosen)} ...", err=True)
    known = bundled_catalog()
    if provider == "aws":
        pricing_client = ec2_for = None
        if profile:
            import boto3

            session = boto3.Session(profile_name=profile)
            pricing_client = session.client("pricing", region_name=live.AWS_PRICING_REGION)
            ec2_for = lambda region: session.client("ec2", region_name=region)  # noqa: E731
        document = live.refresh_aws(chosen, pricing_client=pricing_client, ec2_client_for=ec2_for, known=known)
    elif provider == "gcp":
        document = live.refresh_gcp(chosen, known=known)
    else:
        document = live.refresh_azure(chosen)
    path = write_cache(document)
    click.echo(f"{len(document['prices'])} {provider} prices ({document['fetched_at']}) written to {path}")
