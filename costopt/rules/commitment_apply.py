"""How to buy each commitment: the CLI command or console step per provider, with the offering's
exact duration (costopt.rules.commitment_math.TERM_SECONDS) filled in by the rules."""

from __future__ import annotations

SP_APPLY = {
    "aws": ("aws savingsplans describe-savings-plans-offerings --plan-types Compute --durations {secs} "
            "--payment-options '{pay}' --currency {cur}; then aws savingsplans create-savings-plan "
            "--savings-plan-offering-id <offering id> --commitment {hourly:.2f}"),
    "gcp": ("Cloud console > Billing > Commitments > Purchase: spend-based commitment for Compute "
            "({months}-month) of {hourly:.2f} {cur}/hour"),
    "azure": ("Azure portal > Savings plans > Add: Compute savings plan, {months}-month term, "
              "hourly commitment {hourly:.2f} {cur}, billing {pay}"),
}
RI_APPLY = {
    "aws": ("aws ec2 describe-reserved-instances-offerings --instance-type {type} --offering-class standard "
            "--product-description '{product}' --offering-type '{pay}' --filters Name=duration,Values={secs} "
            "--region {region}; then aws ec2 purchase-reserved-instances-offering --instance-count {n} "
            "--reserved-instances-offering-id <offering id>"),
    "gcp": ("gcloud compute commitments create commit-{family} --region {region} --plan {months}-month "
            "--resources vcpu={vcpu},memory={mem}GB  # {n} x {type}"),
    "azure": ("az reservations reservation-order purchase --sku {type} --location {region} --quantity {n} "
              "--term P{years}Y --billing-plan {azpay} --reserved-resource-type VirtualMachines ..."),
}
PAY_LABEL = {"all_upfront": "All Upfront", "partial_upfront": "Partial Upfront", "no_upfront": "No Upfront"}
