"""Provider names -> adapter classes, imported lazily so an unused cloud SDK is never needed.

Each adapter class is built as ``Adapter(**options)`` from the CLI's provider options (only
the keys its ``__init__`` accepts) and must satisfy :class:`costopt.providers.base.Provider`.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from costopt.errors import InputError, ProviderError

ADAPTERS = {
    "aws": ("costopt.providers.aws.adapter", "AwsProvider", "aws"),
    "gcp": ("costopt.providers.gcp.adapter", "GcpProvider", "gcp"),
    "azure": ("costopt.providers.azure.adapter", "AzureProvider", "azure"),
}


def make_provider(name: str, options: dict[str, Any]):
    """Instantiate the adapter for ``name`` with the options it accepts."""
    if name not in ADAPTERS:
        raise InputError(f"unknown provider {name!r}; expected one of: {', '.join(ADAPTERS)}", key="provider")
    module_name, class_name, extra = ADAPTERS[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("costopt"):
            raise ProviderError(f"provider {name!r} is not available in this build of costopt") from None
        raise ProviderError(f"provider {name!r} needs the {extra!r} extra: pip install 'costopt-ml[{extra}]' "
                            f"(missing module {exc.name})") from None
    cls = getattr(module, class_name)
    accepted = inspect.signature(cls).parameters
    return cls(**{k: v for k, v in options.items() if k in accepted and v not in (None, (), [])})
