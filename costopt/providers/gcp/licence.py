"""A Compute Engine instance's operating system, from the licences on its boot disk.

Why: a premium image (Windows Server, SQL Server, RHEL, SLES, Ubuntu Pro) bills a licence fee on
top of the machine's vCPU and memory; pricing the instance as the machine alone understates it.

How: ``instances.list`` gives each attached disk's ``licenses`` (URLs such as
``https://www.googleapis.com/compute/v1/projects/windows-cloud/global/licenses/windows-server-2022-dc``);
the image project names the OS (``windows-cloud``, ``windows-sql-cloud``, ``rhel-cloud``,
``rhel-sap-cloud``, ``suse-cloud``, ``suse-sap-cloud``, ``ubuntu-os-pro-cloud``) and a SQL Server
licence's name its edition. The result is a catalog OS key (:mod:`costopt.catalog.licence`).
costopt does not price these fees on GCP (the Cloud Billing Catalog's "Licensing Fee for ..." SKUs
are not read): the instance's price is the machine's, labelled a lower bound (``note``).
"""

from __future__ import annotations

from typing import Any

PROJECT_OS = {"windows-cloud": "windows", "rhel-cloud": "rhel", "rhel-sap-cloud": "rhel", "suse-cloud": "suse",
              "suse-sap-cloud": "suse", "ubuntu-os-pro-cloud": "ubuntu_pro"}
SQL_EDITIONS = (("enterprise", "windows_sql_ent"), ("standard", "windows_sql_std"), ("web", "windows_sql_web"))


def licence_urls(inst: Any) -> list[str]:
    """The licence URLs of the instance's boot disk (all disks' when none says it is the boot disk)."""
    disks = list(getattr(inst, "disks", None) or [])
    boot = [d for d in disks if getattr(d, "boot", False)] or disks
    return [str(url) for d in boot for url in (getattr(d, "licenses", None) or [])]


def _project(url: str) -> str:
    parts = url.rstrip("/").split("/")
    return parts[parts.index("projects") + 1].lower() if "projects" in parts[:-1] else ""


def os_of_licences(urls: list[str]) -> str:
    """The catalog OS key the licences name (``linux`` for a free image or none)."""
    found = "linux"
    for url in urls:
        project, name = _project(url), url.rstrip("/").rsplit("/", 1)[-1].lower()
        if project == "windows-sql-cloud":
            # SQL Server Express is free: the instance pays Windows only
            return next((key for edition, key in SQL_EDITIONS if edition in name), "windows")
        if found == "linux":
            found = PROJECT_OS.get(project, "linux")
    return found


def note_for(os: str) -> str:
    """Why an instance's price leaves out its licence ("" for Linux)."""
    return "" if os == "linux" else f"licence fee of {os} not priced: the machine's vCPU, memory and GPU prices only"
