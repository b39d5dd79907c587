"""The instance types a resource may be resized to, and what a move saves: shared by the CPU
(costopt.rules.rightsizing) and GPU (costopt.rules.gpu_sizing) right-sizing rules."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from costopt.model import HOURS_PER_MONTH

LOW_Q, HIGH_Q = 0.999, 0.95  # stricter / looser sizing percentiles that bound the savings range


def _burstable_mask(offers: pd.DataFrame) -> np.ndarray:
    family = offers["family"].str.removeprefix("ml.")
    aws = (offers["provider"] == "aws") & family.str.match(r"^t\d")
    gcp = (offers["provider"] == "gcp") & (family == "e2") & offers["size"].isin(["micro", "small", "medium"])
    azure = (offers["provider"] == "azure") & offers["family"].str.upper().str.startswith("B")
    burstable: np.ndarray = (aws | gcp | azure).to_numpy()
    return burstable


def candidate_offers(catalog: Any, head: pd.Series, *, gpu: bool, allow_arch: bool, allow_burstable: bool) -> pd.DataFrame:
    """Offers a resource of ``head``'s type may move to (same provider/region/price model)."""
    offers = catalog.offers(head["provider"], head["region"], head["price_model"], os=head["os"])  # keeps the licence
    if offers.empty:
        return offers
    keep = (offers["gpu_count"] > 0).to_numpy() == gpu
    keep &= offers["type"].str.lower().str.startswith("ml.").to_numpy() == bool(head["sagemaker"])
    if not allow_arch:
        keep &= (offers["architecture"] == head["architecture"]).to_numpy()
    if not allow_burstable:
        keep &= ~_burstable_mask(offers)
    if gpu:  # CUDA work cannot move to Inferentia/Trainium (Neuron SDK) or back without a port
        keep &= (offers["gpu_model"].map(accelerator_vendor) == accelerator_vendor(head["gpu_model"])).to_numpy()
    keep &= (offers["price"] < head["price"] - 1e-12).to_numpy()
    return offers[keep].reset_index(drop=True)


def accelerator_vendor(model: str) -> str:
    """Software stack an accelerator needs: 'neuron' (AWS Inferentia/Trainium) or 'cuda'."""
    return "neuron" if str(model).lower().startswith(("inferentia", "trainium")) else "cuda"


def number_or_none(value: Any) -> float | None:
    """A float, or None for None and NaN (pandas' missing values)."""
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)


def monthly_resize_savings(group: pd.DataFrame, offers: pd.DataFrame, pick: np.ndarray) -> np.ndarray:
    """Monthly savings of moving each row of ``group`` to its picked offer (-1 = stay, no saving)."""
    price = offers["price"].to_numpy()
    new = np.where(pick >= 0, price[np.maximum(pick, 0)], group["price"].to_numpy()) if len(price) else group["price"].to_numpy()
    saved: np.ndarray = np.maximum((group["price"].to_numpy() - new) * group["count"].to_numpy() * HOURS_PER_MONTH, 0.0)
    return saved
