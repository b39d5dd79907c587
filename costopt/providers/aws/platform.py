"""An EC2 instance's operating system and licence, as the Price List and the catalog name them.

Why: Windows, RHEL, SUSE and SQL Server instances pay a licence on top of the Linux price, so the
price must be asked for the instance's own platform (issue 14: m5.large Windows in us-east-1 is
$0.188/h, not Linux's $0.096/h).

How: ``DescribeInstances`` gives ``PlatformDetails`` (e.g. "Windows with SQL Server Standard")
and ``UsageOperation`` (the billing code, e.g. "RunInstances:0006"); the AWS documentation "AMI
billing information fields" lists the pairs. Each maps to the Price List's ``operatingSystem``,
``preInstalledSw`` and ``licenseModel`` and to the catalog's OS key
(:mod:`costopt.catalog.licence`). A platform this table does not know is priced as Linux and
says so (``Platform.note``): the price is then a lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NO_LICENCE, BYOL = "No License required", "Bring your own license"


@dataclass(frozen=True)
class Platform:
    """``os``: catalog key; the other three: the Price List's EC2 product attributes."""

    os: str
    operating_system: str
    pre_installed_sw: str = "NA"
    license_model: str = NO_LICENCE
    note: str = ""


# PlatformDetails -> Platform (AWS "AMI billing information fields").
PLATFORMS: dict[str, Platform] = {
    "Linux/UNIX": Platform("linux", "Linux"),
    "Windows": Platform("windows", "Windows"),
    "Windows BYOL": Platform("windows_byol", "Windows", license_model=BYOL),
    "Red Hat Enterprise Linux": Platform("rhel", "RHEL"),
    "Red Hat Enterprise Linux with HA": Platform("rhel_ha", "Red Hat Enterprise Linux with HA"),
    "Red Hat BYOL Linux": Platform("linux", "Linux", note="RHEL with your own subscription: priced as Linux"),
    "SUSE Linux": Platform("suse", "SUSE"),
    "Ubuntu Pro": Platform("ubuntu_pro", "Ubuntu Pro"),
    "Windows with SQL Server Standard": Platform("windows_sql_std", "Windows", "SQL Std"),
    "Windows with SQL Server Enterprise": Platform("windows_sql_ent", "Windows", "SQL Ent"),
    "Windows with SQL Server Web": Platform("windows_sql_web", "Windows", "SQL Web"),
    "Linux with SQL Server Standard": Platform("linux_sql_std", "Linux", "SQL Std"),
    "Linux with SQL Server Enterprise": Platform("linux_sql_ent", "Linux", "SQL Ent"),
    "Linux with SQL Server Web": Platform("linux_sql_web", "Linux", "SQL Web"),
}
# UsageOperation -> PlatformDetails, for answers without PlatformDetails.
USAGE_OPERATIONS: dict[str, str] = {
    "RunInstances": "Linux/UNIX", "RunInstances:0002": "Windows", "RunInstances:0800": "Windows BYOL",
    "RunInstances:0010": "Red Hat Enterprise Linux", "RunInstances:1010": "Red Hat Enterprise Linux with HA",
    "RunInstances:000g": "SUSE Linux", "RunInstances:0g00": "Ubuntu Pro",
    "RunInstances:0006": "Windows with SQL Server Standard", "RunInstances:0102": "Windows with SQL Server Enterprise",
    "RunInstances:0202": "Windows with SQL Server Web", "RunInstances:0004": "Linux with SQL Server Standard",
    "RunInstances:0100": "Linux with SQL Server Enterprise", "RunInstances:0200": "Linux with SQL Server Web",
}
LINUX = PLATFORMS["Linux/UNIX"]
BY_OS = {p.os: p for p in PLATFORMS.values() if not p.note}


def details_of(instance: dict[str, Any]) -> str:
    """PlatformDetails of one DescribeInstances item, from UsageOperation or Platform when it is absent."""
    details = instance.get("PlatformDetails") or USAGE_OPERATIONS.get(instance.get("UsageOperation") or "")
    if details:
        return str(details)
    return "Windows" if str(instance.get("Platform") or "").lower() == "windows" else "Linux/UNIX"


def attributes_of(instance: dict[str, Any]) -> dict[str, Any]:
    """The Resource attributes that carry the platform to the price book and the rules."""
    details = details_of(instance)
    platform = PLATFORMS.get(details) or Platform(
        "linux", "Linux", note=f"platform {details!r} ({instance.get('UsageOperation') or '?'}) is not known to "
                               "costopt: priced as Linux, a lower bound")
    out: dict[str, Any] = {"platform": details, "usage_operation": instance.get("UsageOperation"), "os": platform.os,
                           "license": platform.license_model, "pre_installed_sw": platform.pre_installed_sw}
    if platform.note:
        out["platform_note"] = platform.note
    return out


def from_attributes(attributes: dict[str, Any]) -> Platform:
    """The Platform of a Resource built with :func:`attributes_of` (Linux when it has none)."""
    return BY_OS.get(str(attributes.get("os") or "linux"), LINUX)
