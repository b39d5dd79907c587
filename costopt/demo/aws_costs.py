"""The demo account's daily Cost Explorer lines: (service, usage type, USD, quantity, unit).

Amounts are seeded demo data consistent with the demo estate (list prices of 2025 for the
instance hours it runs), with a small deterministic day-to-day wobble.
"""

from __future__ import annotations

EC2 = "Amazon Elastic Compute Cloud - Compute"
EC2_OTHER = "EC2 - Other"
SAGEMAKER = "Amazon SageMaker"
S3 = "Amazon Simple Storage Service"
VPC = "Amazon Virtual Private Cloud"
RDS = "Amazon Relational Database Service"

# (service, usage type, USD per unit, units per day, unit)
LINES = (
    (EC2, "BoxUsage:p3.8xlarge", 12.24, 24, "Hrs"),
    (EC2, "BoxUsage:g5.12xlarge", 5.672, 24, "Hrs"),
    (EC2, "BoxUsage:g5.2xlarge", 1.212, 24, "Hrs"),
    (EC2, "BoxUsage:g4dn.xlarge", 0.526, 24, "Hrs"),
    (EC2, "BoxUsage:c5.4xlarge", 0.68, 144, "Hrs"),
    (EC2_OTHER, "EBS:VolumeUsage.gp2", 0.10, 700 / 30, "GB-Mo"),
    (EC2_OTHER, "EBS:VolumeUsage.gp3", 0.08, 1000 / 30, "GB-Mo"),
    (EC2_OTHER, "EBS:SnapshotUsage", 0.05, 3000 / 30, "GB-Mo"),
    (EC2_OTHER, "NatGateway-Hours", 0.045, 24, "Hrs"),
    (EC2_OTHER, "NatGateway-Bytes", 0.045, 620, "GB"),
    (EC2_OTHER, "EUW1-NatGateway-Hours", 0.048, 24, "Hrs"),
    (EC2_OTHER, "DataTransfer-Out-Bytes", 0.09, 350, "GB"),
    (EC2_OTHER, "USE1-EU-AWS-Out-Bytes", 0.02, 900, "GB"),
    (VPC, "PublicIPv4:IdleAddress", 0.005, 24, "Hrs"),
    (SAGEMAKER, "Host:ml.g4dn.xlarge", 0.7364, 120, "Hrs"),
    (SAGEMAKER, "EUW1-Host:ml.g4dn.2xlarge", 1.0528, 48, "Hrs"),
    (S3, "TimedStorage-ByteHrs", 0.023, 466_000 / 30, "GB-Mo"),
    (S3, "TimedStorage-SIA-ByteHrs", 0.0125, 25_000 / 30, "GB-Mo"),
    (S3, "Requests-Tier2", 0.0004, 40_000, "Requests"),
    (RDS, "InstanceUsage:db.r5.large", 0.25, 24, "Hrs"),
)


def daily_lines(day_ordinal: int) -> list[tuple[str, str, float, float, str]]:
    out = []
    for n, (service, usage, price, qty, unit) in enumerate(LINES):
        wobble = 1.0 + 0.03 * (((day_ordinal * 7 + n * 13) % 11) - 5) / 5.0 if unit == "GB" else 1.0
        q = qty * wobble
        out.append((service, usage, price * q, q, unit))
    return out
