"""Azure utilisation via azure-mgmt-monitor ``metrics.list`` (one call per VM).

``Percentage CPU`` (Maximum per 5 minutes) -> ``cpu``; ``Available Memory Bytes`` (Minimum
per 5 minutes) -> ``memory`` percent used, from the VM size's memory. Azure has no platform
GPU metric: GPU utilisation needs the Azure Monitor agent and is not read here.
"""

from __future__ import annotations

from datetime import timezone

import numpy as np

from costopt.model import MetricSeries, Resource, Window

INTERVAL = "PT5M"
PERIOD_S = 300


def read_vm_metrics(monitor, vm: Resource, window: Window) -> list[MetricSeries]:
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    timespan = (f"{window.start.astimezone(timezone.utc).strftime(fmt)}/"
                f"{window.end.astimezone(timezone.utc).strftime(fmt)}")
    result = monitor.metrics.list(vm.id, timespan=timespan, interval=INTERVAL,
                                  metricnames="Percentage CPU,Available Memory Bytes", aggregation="Maximum,Minimum")
    out = []
    memory_bytes = (vm.specs.get("memory_gib") or 0) * 2**30
    for metric in result.value or []:
        name = metric.name.value if metric.name else ""
        points = [(d.time_stamp, d.maximum if name == "Percentage CPU" else d.minimum)
                  for ts in metric.timeseries or [] for d in ts.data or []]
        points = [(int(t.timestamp()), float(v)) for t, v in points if t is not None and v is not None]
        if not points:
            continue
        points.sort()
        ts = np.array([p[0] for p in points], dtype=np.int64)
        values = np.array([p[1] for p in points], dtype=np.float64)
        if name == "Percentage CPU":
            out.append(MetricSeries(vm.id, "cpu", "Percent", PERIOD_S, ts, values, "Maximum"))
        elif name == "Available Memory Bytes" and memory_bytes > 0:
            used = np.clip(100.0 * (1.0 - values / memory_bytes), 0.0, 100.0)
            out.append(MetricSeries(vm.id, "memory", "Percent", PERIOD_S, ts, used, "Maximum"))
    return out
