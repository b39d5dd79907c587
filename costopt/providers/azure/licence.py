"""An Azure VM's operating system and licence, as the Retail Prices API and the catalog price them.

Why: a Windows VM pays the Windows meter (Retail Prices API productName "... Series Windows"),
not the Linux one; pricing it as Linux understates its cost and every saving on it.

How (ARM "Virtual Machines - List All" shape, azure-mgmt-compute model attributes):
``storageProfile.osDisk.osType`` (Windows / Linux), ``licenseType`` and
``storageProfile.imageReference.publisher``.

- Windows with ``licenseType`` ``Windows_Server`` / ``Windows_Client`` (Azure Hybrid Benefit):
  billed at the base (Linux) compute rate -> catalog OS ``linux``;
- Windows otherwise -> ``windows``, priced with the Windows meter;
- ``RHEL_BYOS`` / ``SLES_BYOS`` (own subscription): the base rate -> ``linux``;
- a Linux VM from a RedHat / SUSE image without BYOS -> ``rhel`` / ``suse``: its licence is billed
  through the Marketplace, not in the Retail VM meters, so the compute meter is a lower bound
  (``note``);
- anything else -> ``linux``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HYBRID_BENEFIT = ("windows_server", "windows_client")
BYOS = ("rhel_byos", "sles_byos")  # bring your own subscription: the base rate
MARKETPLACE_OS = {"redhat": "rhel", "suse": "suse"}  # image publisher -> catalog OS key


@dataclass(frozen=True)
class VmOs:
    """``os``: catalog key; ``windows_meter``: price with the Retail Prices Windows meter;
    ``note``: why the price leaves out a licence fee ("" when it does not)."""

    os: str
    os_type: str
    license_type: str
    publisher: str
    windows_meter: bool = False
    note: str = ""

    def attributes(self) -> dict[str, Any]:
        return {"os": self.os, "os_type": self.os_type or None, "license_type": self.license_type or None,
                "image_publisher": self.publisher or None}


def _text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def vm_os(vm: Any) -> VmOs:
    """The OS and licence of one VM (an azure-mgmt-compute VirtualMachine)."""
    profile = getattr(vm, "storage_profile", None)
    os_type = _text(getattr(getattr(profile, "os_disk", None), "os_type", None))
    licence = _text(getattr(vm, "license_type", None))
    publisher = _text(getattr(getattr(profile, "image_reference", None), "publisher", None))
    if os_type.lower() == "windows":
        if licence.lower() in HYBRID_BENEFIT:
            return VmOs("linux", os_type, licence, publisher)
        return VmOs("windows", os_type, licence, publisher, windows_meter=True)
    marketplace = MARKETPLACE_OS.get(publisher.lower())
    if marketplace is not None and licence.lower() not in BYOS:
        return VmOs(marketplace, os_type, licence, publisher,
                    note=f"licence fee of {marketplace} (image publisher {publisher}, billed through the Marketplace) "
                         "not priced: the compute meter only")
    return VmOs("linux", os_type, licence, publisher)
