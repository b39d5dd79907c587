"""How to buy each commitment: the CLI command or console step per provider, with the offering's
exact duration (costopt.rules.commitment_math.TERM_SECONDS) filled in by the rules.

Console steps are shell comments (``# ...``): pasted, they run nothing. Values are filled in by
:func:`sp_apply` / :func:`ri_apply` as single shell words (:func:`costopt.rules.shell.arg`).
"""

from __future__ import annotations

from typing import Any

from costopt.rules.shell import arg, comment

SP_APPLY = {
    "aws": ("aws savingsplans describe-savings-plans-offerings --plan-types Compute --durations {secs} "
            "--payment-options {pay} --currency {cur}; aws savingsplans create-savings-plan "
            "--savings-plan-offering-id '<offering id>' --commitment {hourly:.2f}  # with the offering id found"),
    "gcp": ("Cloud console > Billing > Commitments > Purchase: spend-based commitment for Compute "
            "({months}-month) of {hourly:.2f} {cur}/hour"),
    "azure": ("Azure portal > Savings plans > Add: Compute savings plan, {months}-month term, "
              "hourly commitment {hourly:.2f} {cur}, billing {pay}"),
}
RI_APPLY = {
    "aws": ("aws ec2 describe-reserved-instances-offerings --instance-type {type} --offering-class standard "
            "--product-description {product} --offering-type {pay} --filters Name=duration,Values={secs} "
            "--region {region}; aws ec2 purchase-reserved-instances-offering --instance-count {n} "
            "--reserved-instances-offering-id '<offering id>'  # with the offering id found"),
    "gcp": ("gcloud compute commitments create {name} --region {region} --plan {months}-month "
            "--resources vcpu={vcpu},memory={mem}GB  # {n} x {type_text}"),
    "azure": ("az reservations reservation-order purchase --sku {type} --location {region} --quantity {n} "
              "--term P{years}Y --billing-plan {azpay} --reserved-resource-type VirtualMachines ..."),
}
PAY_LABEL = {"all_upfront": "All Upfront", "partial_upfront": "Partial Upfront", "no_upfront": "No Upfront"}
CONSOLE = frozenset({("sp", "gcp"), ("sp", "azure")})


def _fill(template: str, console: bool, values: dict[str, Any]) -> str:
    """Fill ``template``: string values as shell words (``*_text`` ones are comment text already)."""
    if console:  # prose: one comment line, values as text
        return comment(template.format(**values))
    return template.format(**{k: arg(v) if isinstance(v, str) and not k.endswith("_text") else v
                              for k, v in values.items()})


def sp_apply(provider: str, **values: Any) -> str:
    """The Savings Plan / spend-based commitment step for ``provider`` (AWS's when unknown)."""
    key = provider if provider in SP_APPLY else "aws"
    return _fill(SP_APPLY[key], ("sp", key) in CONSOLE, values)


def ri_apply(provider: str, **values: Any) -> str:
    """The reservation step for ``provider`` (AWS's when unknown)."""
    key = provider if provider in RI_APPLY else "aws"
    values = {**values, "name": f"commit-{values.get('family', '')}", "type_text": comment(values.get("type", ""))[2:]}
    return _fill(RI_APPLY[key], False, values)
