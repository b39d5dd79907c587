"""Hardware scaling from the bundled table (issue 13, deliverable 5).

Oracles: datasheet figures written out here independently of the table (NVIDIA / AWS Neuron
datasheets, Intel/AMD memory-channel arithmetic), and ratios recomputed from them by hand.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from costopt.catalog.model import InstanceSpec
from costopt.config import Settings
from costopt.errors import InputError
from costopt.tradeoff.assess import assess
from costopt.tradeoff.capacity import hardware, instance_speed, service_scale, workers_per_instance
from costopt.tradeoff.hwtable import load_table, parse_table
from costopt.tradeoff.params import DEFAULT_PARAMS, TradeoffParams
from costopt.tradeoff.targets import parse_targets
from costopt.tradeoff.workloads import Model, ModelVariant, Profile, Workload
from tests.tradeoff import estate
from tests.tradeoff.estate import FRAUD, fraud_estate

P = DEFAULT_PARAMS

# (device, FP32 TFLOPS, dense FP16 tensor TFLOPS, dense INT8 TOPS, memory GB/s) from the vendors' sheets
DATASHEETS = [
    ("T4", 8.1, 65.0, 130.0, 320.0),
    ("A10G", None, None, None, 600.0),
    ("L4", 30.3, 121.0, None, 300.0),
    ("L40S", 91.6, None, None, 864.0),
    ("V100", 15.7, 125.0, None, 900.0),
    ("A100-40GB", 19.5, 312.0, 624.0, 1555.0),
    ("A100-80GB", 19.5, 312.0, 624.0, 2039.0),
    ("H100-SXM", 67.0, None, None, 3350.0),
    ("Inferentia2", 47.5, 190.0, 380.0, 820.0),
    ("Trainium", 47.5, 190.0, 380.0, 820.0),
]


@pytest.mark.parametrize("key, fp32, fp16, int8, bw", DATASHEETS)
def test_table_figures_match_the_datasheets(key, fp32, fp16, int8, bw):
    dev = load_table().device(key)
    assert dev is not None and not dev.is_cpu
    for got, want in ((dev.fp32_tflops, fp32), (dev.fp16_tflops, fp16), (dev.int8_tops, int8), (dev.mem_bw_gbs, bw)):
        if want is not None:
            assert got == pytest.approx(want, rel=0.005)


def test_cpu_rows_follow_clock_times_vector_width_and_memory_channels():
    t = load_table()
    # Ice Lake-SP: 3.5 GHz x 2 AVX-512 FMA (64 FP32 flop/cycle); 8 channels DDR4-3200 x 8 bytes, 32 cores
    ice = t.device("icelake-sp")
    assert ice.fp32_tflops == pytest.approx(3.5 * 64 / 1000)
    assert ice.bandwidth_per_core == pytest.approx(8 * 3200e6 * 8 / 1e9 / 32)
    # Graviton3: 2.6 GHz x 2x256-bit SVE FMA (32 flop/cycle); one vCPU = one core
    g3 = t.device("graviton3")
    assert g3.fp32_tflops == pytest.approx(2.6 * 32 / 1000) and g3.threads_per_core == 1
    # EPYC Genoa: 12 channels DDR5-4800
    assert t.device("genoa").mem_bw_gbs == pytest.approx(12 * 4800e6 * 8 / 1e9)
    assert t.device("skylake-sp").per_core_speed == 1.0  # the reference


def test_every_row_is_sourced_and_dated_and_the_brief_devices_are_there():
    t = load_table()
    for dev in t.devices.values():
        assert len(dev.source) > 20 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", dev.as_of), dev.key
    wanted = {"T4", "A10G", "L4", "L40S", "V100", "A100-40GB", "A100-80GB", "H100-SXM", "Inferentia2", "Trainium",
              "skylake-sp", "cascadelake", "icelake-sp", "sapphirerapids", "rome", "milan", "genoa",
              "graviton2", "graviton3", "graviton4"}
    assert wanted <= set(t.devices)


@pytest.mark.parametrize("provider, type_, cpu, accel", [
    ("aws", "g4dn.xlarge", "cascadelake", "T4"), ("aws", "ml.g4dn.12xlarge", "cascadelake", "T4"),
    ("aws", "g5.48xlarge", "rome", "A10G"), ("aws", "ml.g5.xlarge", "rome", "A10G"),
    ("aws", "g6.xlarge", "milan", "L4"), ("aws", "g6e.12xlarge", "milan", "L40S"),
    ("aws", "p3.2xlarge", "broadwell", "V100"), ("aws", "p4d.24xlarge", "cascadelake", "A100-40GB"),
    ("aws", "p4de.24xlarge", "cascadelake", "A100-80GB"), ("aws", "p5.48xlarge", "milan", "H100-SXM"),
    ("aws", "inf2.xlarge", "milan", "Inferentia2"), ("aws", "ml.inf2.24xlarge", "milan", "Inferentia2"),
    ("aws", "trn1.32xlarge", "icelake-sp", "Trainium"), ("aws", "trn1n.32xlarge", "icelake-sp", "Trainium"),
    ("aws", "c5.xlarge", "skylake-sp", None), ("aws", "ml.c5.2xlarge", "skylake-sp", None),
    ("aws", "m5.large", "skylake-sp", None), ("aws", "r5.4xlarge", "skylake-sp", None),
    ("aws", "c6i.large", "icelake-sp", None), ("aws", "m6i.8xlarge", "icelake-sp", None),
    ("aws", "c7i.2xlarge", "sapphirerapids", None), ("aws", "m7i-flex.large", "sapphirerapids", None),
    ("aws", "c6g.xlarge", "graviton2", None), ("aws", "m6gd.large", "graviton2", None),
    ("aws", "c7g.xlarge", "graviton3", None), ("aws", "m7g.2xlarge", "graviton3", None),
    ("aws", "m8g.xlarge", "graviton4", None), ("aws", "c6a.xlarge", "milan", None),
    ("aws", "m7a.xlarge", "genoa", None), ("aws", "c5a.xlarge", "rome", None),
    ("gcp", "a2-highgpu-1g", "cascadelake", "A100-40GB"), ("gcp", "a2-ultragpu-8g", "cascadelake", "A100-80GB"),
    ("gcp", "a3-highgpu-8g", "sapphirerapids", "H100-SXM"), ("gcp", "g2-standard-8", "cascadelake", "L4"),
    ("gcp", "n1-standard-8", "broadwell", None), ("gcp", "n2-standard-8", "cascadelake", None),
    ("gcp", "c2-standard-8", "cascadelake", None), ("gcp", "c3-standard-8", "sapphirerapids", None),
    ("gcp", "n2d-standard-8", "rome", None),
    ("azure", "Standard_NC4as_T4_v3", "rome", "T4"), ("azure", "Standard_NC6s_v3", "broadwell", "V100"),
    ("azure", "Standard_NC24ads_A100_v4", "milan", "A100-80GB-PCIe"),
    ("azure", "Standard_ND96asr_v4", "rome", "A100-40GB"), ("azure", "Standard_ND96isr_H100_v5", "sapphirerapids", "H100-SXM"),
    ("azure", "Standard_NV36ads_A10_v5", "milan", "A10"),
    ("azure", "Standard_D4s_v5", "icelake-sp", None), ("azure", "Standard_E8as_v5", "milan", None),
    ("azure", "Standard_D4ps_v5", "ampere-altra", None), ("azure", "Standard_D8s_v4", "cascadelake", None),
    ("azure", "Standard_F8s_v2", "skylake-sp", None),
])
def test_family_rules_map_instance_types(provider, type_, cpu, accel):
    rule = load_table().rule_for(provider, type_)
    assert rule is not None and (rule.cpu, rule.accelerator) == (cpu, accel)


def test_gpus_attached_to_gcp_n1_come_from_the_gpu_model():
    hw = hardware(None, "gcp", "n1-standard-8", {"vcpu": 8, "gpu_count": 1, "gpu_model": "nvidia-tesla-t4"})
    assert hw.accelerator.key == "T4" and hw.cpu.key == "broadwell"


def test_fractional_azure_a10_gets_its_share_of_the_device():
    sixth = hardware(None, "azure", "Standard_NV6ads_A10_v5", {"vcpu": 6, "gpu_count": 1, "gpu_memory_gib": 4})
    full = hardware(None, "azure", "Standard_NV36ads_A10_v5", {"vcpu": 36, "gpu_count": 1, "gpu_memory_gib": 24})
    scale = service_scale(full, sixth, None, None, None, P)
    assert scale.factor == pytest.approx(6.0)  # 1/6 of the A10's bandwidth and tensor throughput


def _gpu(type_):
    return hardware(estate.catalog(), "aws", type_)


def _model(bound=None, **profiles):
    fp32 = ModelVariant("m", "fp32")
    return Model("m", {"fp32": fp32, "fp16": ModelVariant("m", "fp16", precision="fp16"),
                       "int8": ModelVariant("m", "int8", precision="int8")}, "fp32", bound=bound,
                 profiles={t: Profile(t, **p) for t, p in profiles.items()}), fp32


@pytest.mark.parametrize("bound, precision, expected", [
    ("memory", "fp32", 320 / 600),           # bandwidth T4 / A10G
    ("compute", "fp16", 65 / 70),            # FP16 tensor T4 / A10G
    ("compute", "int8", 130 / 140),          # INT8 tensor
    ("compute", "fp32", 8.1 / 31.2),         # FP32 without tensor cores
    ("conservative", "fp16", max(320 / 600, 65 / 70)),  # the smaller speed-up of the two
    ("conservative", "fp32", max(320 / 600, 8.1 / 31.2)),
])
def test_g4dn_to_g5_by_bound_and_precision(bound, precision, expected):
    model, _ = _model(bound)
    v = model.variants[precision]
    scale = service_scale(_gpu("ml.g4dn.xlarge"), _gpu("ml.g5.xlarge"), v, v, None, P, model)
    assert scale.factor == pytest.approx(expected, rel=1e-3)
    assert scale.basis == "hardware-table"


def test_default_bound_is_conservative_and_memory_bound_speed_up_is_the_bandwidth_ratio():
    res, _, snap = fraud_estate()
    cand = estate.candidate(res, "rightsizing.gpu", "g5", {"type": "ml.g5.xlarge"}, 10.0)
    base = assess([cand], snap, Settings(**FRAUD), estate.catalog())[0]
    mem = {**FRAUD["models"]["fraud-detector"], "bound": "memory"}
    memory = assess([cand], snap, Settings(workloads=FRAUD["workloads"], models={"fraud-detector": mem}),
                    estate.catalog())[0]
    s0 = memory.impacts.service_ms_before
    assert s0 / memory.impacts.service_ms_after == pytest.approx(600 / 320)  # speed-up = 600/320
    # fp32 by default: conservative = max(memory 320/600, FP32 compute 8.1/31.2) = the memory ratio
    assert base.impacts.service_ms_after == pytest.approx(s0 * max(320 / 600, 8.1 / 31.2))
    assert base.impacts.hardware_bound == "conservative"
    assert any("estimated from the hardware table (T4: NVIDIA T4 Tensor Core GPU datasheet, 2026-12-03" in r
               for r in base.slo.reasons)


def test_cpu_c5_4xlarge_to_c5_xlarge_keeps_latency_and_changes_only_servers():
    cat = estate.catalog()
    from_spec = {"vcpu": 4}
    big, small = hardware(cat, "aws", "c5.4xlarge"), hardware(None, "aws", "c5.xlarge", from_spec)
    scale = service_scale(big, small, None, None, None, P)
    assert scale.factor == 1.0 and scale.basis == "same-hardware"
    assert (scale.workers_before, scale.workers_after) == (8, 2)  # 16 and 4 vCPUs, 2 threads per core
    faster = service_scale(big, hardware(None, "aws", "c6i.xlarge", from_spec), None, None, None, P)
    assert faster.factor == pytest.approx(1.0 / 1.33)  # per-core speed, not vCPUs


def test_graviton_vcpus_are_cores():
    hw = hardware(None, "aws", "c7g.xlarge", {"vcpu": 4})
    assert workers_per_instance(hw, None, P) == 4


def test_workers_never_make_the_same_hardware_faster():
    one, four = _gpu("ml.g4dn.xlarge"), hardware(None, "aws", "ml.g4dn.12xlarge", {"vcpu": 48, "gpu_count": 4})
    for wpi in (1, 2, 4):
        wl = Workload("w", workers_per_instance=wpi)
        scale = service_scale(one, four, None, None, wl, P)
        assert scale.factor == 1.0  # the same T4 per request (the old code said 1/4 for wpi = 1)
        assert scale.workers_before == wpi and scale.workers_after == 4 * wpi  # four T4s: four times the servers
    model, v = _model()
    fp16 = model.variants["fp16"]
    factors = {service_scale(one, one, v, fp16, Workload("w", workers_per_instance=w), P, model).factor for w in (1, 4)}
    assert len(factors) == 1


def test_measured_profile_beats_the_table():
    res, _, snap = fraud_estate()
    cand = estate.candidate(res, "rightsizing.gpu", "g5", {"type": "ml.g5.xlarge"}, 10.0, confidence="high")
    models = {"fraud-detector": {**FRAUD["models"]["fraud-detector"], "bound": "memory",
                                 "profiles": {"ml.g5.xlarge": {"p50_ms": 4.0, "throughput_rps": 250}}}}
    rec = assess([cand], snap, Settings(workloads=FRAUD["workloads"], models=models), estate.catalog())[0]
    assert rec.impacts.latency_basis == "measured"
    assert rec.impacts.service_ms_after == pytest.approx(4.0)  # not 10 ms x 320/600
    assert not any("hardware table" in r for r in rec.slo.reasons)
    # both sides profiled: the ratio of the two p50s
    model, v = _model(**{"ml.g4dn.xlarge": {"p50_ms": 8.0}, "ml.g5.xlarge": {"p50_ms": 6.0}})
    scale = service_scale(_gpu("ml.g4dn.xlarge"), _gpu("ml.g5.xlarge"), v, v, None, P, model, service_ms=10.0)
    assert scale.factor == pytest.approx(6.0 / 8.0) and scale.basis == "measured"


def test_cross_hardware_estimates_lower_confidence_and_raise_risk():
    res, _, snap = fraud_estate()
    cand = estate.candidate(res, "rightsizing.gpu", "g5", {"type": "ml.g5.xlarge"}, 10.0, confidence="high")
    table = assess([cand], snap, Settings(**FRAUD), estate.catalog())[0]
    # the same move with a measured profile giving the same service time as the table's estimate
    same_ms = table.impacts.service_ms_after
    models = {"fraud-detector": {**FRAUD["models"]["fraud-detector"], "profiles": {"ml.g5.xlarge": {"p50_ms": same_ms}}}}
    measured = assess([cand], snap, Settings(workloads=FRAUD["workloads"], models=models), estate.catalog())[0]
    assert table.slo.status == measured.slo.status == "ok"
    assert table.impacts.p95_ms_after == pytest.approx(measured.impacts.p95_ms_after)
    assert measured.confidence == "high" and table.confidence == "medium"
    assert table.performance_risk == measured.performance_risk + 1
    assert "hardware table (+1)" in table.impacts.performance_risk_basis


def test_gpu_to_cpu_uses_table_numbers_not_a_constant():
    gpu, cpu = _gpu("ml.g4dn.xlarge"), hardware(None, "aws", "c6i.xlarge", {"vcpu": 4})
    model, v = _model("compute")
    # T4 FP32 8.1 TFLOPS vs one Ice Lake core: 3.5 GHz x 64 flop/cycle
    assert service_scale(gpu, cpu, v, v, None, P, model).factor == pytest.approx(8.1 / (3.5 * 64 / 1000))
    model, v = _model("memory")
    # 320 GB/s vs one core's share of 8 x DDR4-3200 over 32 cores
    scale = service_scale(gpu, cpu, v, v, None, P, model)
    assert scale.factor == pytest.approx(320 / (204.8 / 32)) and scale.basis == "estimate-cross-hardware"
    # more cores per worker: a worker has more of the socket
    two = service_scale(gpu, cpu, v, v, None, TradeoffParams(cpu_cores_per_worker=2), model)
    assert two.factor == pytest.approx(scale.factor / 2)
    # instance throughput of a CPU box from its family's per-core figure (no 0.04 TFLOPS/vCPU)
    c5 = hardware(estate.catalog(), "aws", "c5.4xlarge")
    assert instance_speed(c5, P) == pytest.approx(8 * 3.1 * 64 / 1000)


def test_bad_table_rows_name_the_row_and_key():
    good = {"key": "X", "kind": "gpu", "name": "x", "fp32_tflops": 1, "fp16_tflops": 2, "int8_tops": 4,
            "mem_bw_gbs": 100, "source": "sheet", "as_of": "2026-01-01"}
    with pytest.raises(InputError, match=r"device #1 \(X\): mem_bw_gbs expected a number >= 0"):
        parse_table({"device": [{**good, "mem_bw_gbs": "fast"}]})
    with pytest.raises(InputError, match=r"family #1 .*: cpu 'nope' is not a device"):
        parse_table({"device": [good], "family": [{"provider": "aws", "pattern": "^x", "cpu": "nope"}]})
    assert np.isclose(parse_table({"device": [good]}).device("X").throughput("int8"), 4)


def test_variant_precision_comes_from_config_else_from_its_name():
    models = {"m": {"variants": {"int8": {"accuracy": 0.9}, "bf16-distilled": {"accuracy": 0.9},
                                 "small": {"accuracy": 0.9}, "q": {"accuracy": 0.9, "precision": "int8"}}}}
    variants = parse_targets(Settings(models=models)).models["m"].variants
    assert {k: v.precision for k, v in variants.items()} == {"int8": "int8", "bf16-distilled": "fp16",
                                                             "small": "fp32", "q": "int8"}


def test_a_gpu_the_table_does_not_know_is_unknown_and_asks_for_a_profile():
    res, _, snap = fraud_estate()
    cat = estate.catalog()
    cat.add_instance(InstanceSpec("aws", "p2.xlarge", "p2", "xlarge", 2, 4, 61.0, 1, "K80", 12.0, gpu_tflops=8.7))
    hw_k80 = hardware(cat, "aws", "p2.xlarge")
    assert hw_k80.has_gpu and hw_k80.accelerator is None
    assert service_scale(_gpu("ml.g4dn.xlarge"), hw_k80, None, None, None, P) is None
    cand = estate.candidate(res, "rightsizing.gpu", "p2", {"type": "p2.xlarge"}, 10.0)
    rec = assess([cand], snap, Settings(**FRAUD), cat)[0]
    assert rec.slo.status == "unknown"
    assert any('no row for the accelerator of p2.xlarge; add a measured profile ([models.fraud-detector.profiles."p2.xlarge"]'
               in r for r in rec.slo.reasons), rec.slo.reasons


def test_a_profile_without_a_variant_belongs_to_the_deployed_variant():
    prof = Profile("ml.g5.xlarge", p50_ms=5.0)
    fp32, int8 = ModelVariant("m", "fp32"), ModelVariant("m", "int8", precision="int8")
    model = Model("m", {"fp32": fp32, "int8": int8}, "fp32", profiles={"ml.g5.xlarge": prof})
    assert model.profile("ml.g5.xlarge", fp32, fp32) is prof
    assert model.profile("ml.g5.xlarge", int8, fp32) is None  # measured for fp32, not int8
    assert model.profile("ml.g5.xlarge", int8, int8) is prof  # a workload that deploys int8


def test_config_workers_carry_over_by_devices_but_not_between_gpu_and_cpu():
    wl = Workload("w", workers_per_instance=3)
    gpu, cpu = _gpu("ml.g4dn.xlarge"), hardware(estate.catalog(), "aws", "c5.4xlarge")
    assert workers_per_instance(cpu, wl, P, reference=gpu) == 8  # one per core, not 3 x 8 / 1
    assert workers_per_instance(hardware(None, "aws", "c5.xlarge", {"vcpu": 4}), wl, P, reference=cpu) == 1  # 3 x 2/8


def test_a_cpu_family_the_table_lacks_uses_catalog_relative_speed_with_lower_confidence_basis():
    m5a = hardware(None, "aws", "m5a.large", {"vcpu": 2, "relative_speed": 0.8})
    assert m5a.cpu is None
    scale = service_scale(hardware(estate.catalog(), "aws", "c5.2xlarge"), m5a, None, None, None, P)
    assert scale.factor == pytest.approx(1.0 / 0.8) and scale.basis == "catalog"
