"""The energy meter (RAPL on a fake sysfs tree, NVML on a fake pynvml, apportioning by CPU share on a fake
/proc/stat, the host account, the CPU-time estimate, nesting, Dask workers on one host) and carbon conversion."""

import os
import resource
import sys
import time
import types

import pytest

from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.ledger.carbon import WORLD_AVERAGE, co2e_kg, grid_intensity, load_intensities
from qenergy.ledger.meter import CompositeSource, CpuTimeEstimate, HostCpuTime, Meter, NvmlSource, RaplSource, cpu_share, default_source, measure


def zone(root, name, label, energy, span=262143328850):
    d = root / name
    d.mkdir(parents=True)
    (d / "name").write_text(label + "\n")
    (d / "energy_uj").write_text(f"{energy}\n")
    (d / "max_energy_range_uj").write_text(f"{span}\n")
    return d


def fake_powercap(tmp_path):
    """The kernel's layout: packages intel-rapl:N with subzones intel-rapl:N:M (core, uncore, dram), psys, mmio."""
    root = tmp_path / "powercap"
    zone(root, "intel-rapl:0", "package-0", 1_000_000, span=10_000_000)
    zone(root, "intel-rapl:0:0", "core", 500_000)
    zone(root, "intel-rapl:0:1", "dram", 200_000)
    zone(root, "intel-rapl:1", "package-1", 3_000_000)
    zone(root, "intel-rapl:2", "psys", 9_000_000)  # platform: would double count
    zone(root, "intel-rapl-mmio:0", "package-0", 1_000_000)  # duplicate of package-0
    (root / "dtpm").mkdir()  # unrelated zone type
    return root


def set_energy(root, name, value):
    (root / name / "energy_uj").write_text(f"{value}\n")


def test_rapl_reads_packages_and_dram_with_wraparound(tmp_path):
    root = fake_powercap(tmp_path)
    src = RaplSource(root)
    assert [z.name for z in src.zones] == ["intel-rapl:0", "intel-rapl:0:1", "intel-rapl:1"]
    assert src.read_j() == 0.0
    set_energy(root, "intel-rapl:0", 9_500_000)  # +8.5 J
    set_energy(root, "intel-rapl:0:1", 700_000)  # +0.5 J
    set_energy(root, "intel-rapl:1", 4_000_000)  # +1.0 J
    set_energy(root, "intel-rapl:0:0", 9_999_999)  # core is inside the package: ignored
    set_energy(root, "intel-rapl:2", 99_000_000)  # psys: ignored
    assert src.read_j() == pytest.approx(10.0)
    set_energy(root, "intel-rapl:0", 500_000)  # wrapped at 10 J: +1.0 J
    assert src.read_j() == pytest.approx(11.0)
    assert src.basis == "measured" and "intel-rapl:0" in src.describe()


class FakeHost:
    """A fake /proc/stat (host busy CPU time) and per-worker process clocks, advanced by known amounts."""

    # fields after "cpu": user nice system idle iowait irq softirq steal guest guest_nice; idle, iowait and guest are not added
    def __init__(self, tmp_path, powercap):
        self.powercap = powercap
        self.stat = tmp_path / "stat"
        self.tck = os.sysconf("SC_CLK_TCK")
        self.busy_ticks = 10_000
        self.energy_uj = 3_000_000  # intel-rapl:1 of fake_powercap
        self.clocks = {}
        self._write()

    def _write(self):
        user = self.busy_ticks - 5  # nice 1 + system 2 + irq 1 + softirq 1 make up the rest
        self.stat.write_text(f"cpu  {user} 1 2 777777 5555 1 1 0 999 0\ncpu0 {user} 1 2 777777 5555 1 1 0 999 0\nintr 1 2 3\n")

    def cpu_time(self, worker):
        self.clocks[worker] = 0.0
        return HostCpuTime(self.stat, process_cpu_s=lambda: self.clocks[worker])

    def run(self, joules, busy_s, **workers_s):
        """The host spends ``joules`` and ``busy_s`` CPU-seconds, of which each named worker ``worker_s``."""
        self.energy_uj += int(round(joules * 1e6))
        set_energy(self.powercap, "intel-rapl:1", self.energy_uj)
        self.busy_ticks += int(round(busy_s * self.tck))
        self._write()
        for worker, seconds in workers_s.items():
            self.clocks[worker] += seconds


def test_host_busy_time_from_proc_stat(tmp_path):
    host = FakeHost(tmp_path, fake_powercap(tmp_path))
    clock = host.cpu_time("a")
    assert clock.host_busy_s() == pytest.approx(10_000 / host.tck)  # user+nice+system+irq+softirq+steal only
    host.run(0.0, 2.5, a=1.25)
    assert clock.read() == pytest.approx((1.25, 10_000 / host.tck + 2.5))
    host.stat.write_text("intr 1 2 3\n")
    with pytest.raises(OSError, match="aggregate 'cpu' line"):
        clock.host_busy_s()
    with pytest.raises(OSError):
        HostCpuTime(tmp_path / "missing").host_busy_s()


def test_cpu_share_is_clamped():
    assert cpu_share(1.0, 4.0) == 0.25
    assert cpu_share(5.0, 4.0) == 1.0  # tick granularity: never more than the host
    assert cpu_share(-1.0, 4.0) == 0.0
    assert cpu_share(0.5, 0.0) == 1.0 and cpu_share(0.0, 0.0) == 0.0


def test_measure_apportions_rapl_by_cpu_share(tmp_path):
    root = fake_powercap(tmp_path)
    host = FakeHost(tmp_path, root)
    ledger = Ledger()
    with measure(ledger, "work", source=RaplSource(root), cpu_time=host.cpu_time("me")) as w:
        host.run(10.0, 4.0, me=1.0)  # 10 J on the host, this process used 1 of its 4 busy CPU-seconds
    assert w.basis == "measured" and w.host_exclusive_j == pytest.approx(10.0)
    assert w.exclusive_j == pytest.approx(2.5) == w.inclusive_j
    (c,) = ledger.charges
    assert c.account == "meter" and c.basis == "measured" and c.energy_j == pytest.approx(2.5) and c.label == "work"
    assert "RAPL intel-rapl:0" in c.provenance and "10 J whole-host energy" in c.provenance
    assert "apportioned by this process's CPU-time share 0.25 (1 of 4 busy CPU-s" in c.provenance
    assert "host" not in ledger.totals_j()
    # a share of a whole-host reading is labelled so, never passed off as a direct reading
    assert w.apportioned and c.provenance.startswith("apportioned: true (a CPU-time share of a whole-host reading")


def test_a_direct_reading_is_not_labelled_apportioned_and_a_note_is_kept(tmp_path):
    class Counter:  # a per-process source read directly (no scope: this process's own)
        basis = "measured"
        j = 0.0

        def read_j(self):
            self.j += 1.5
            return self.j

        def describe(self):
            return "per-process counter"

    ledger = Ledger()
    with measure(ledger, "direct", source=Counter(), note="excludes the energy of remote workers") as w:
        pass
    (c,) = ledger.charges
    assert c.basis == "measured" and not w.apportioned and "apportioned" not in c.provenance
    assert c.provenance == "per-process counter; window 'direct'; excludes the energy of remote workers"
    root = fake_powercap(tmp_path)
    host = FakeHost(tmp_path, root)
    with measure(ledger, "shared", source=RaplSource(root), cpu_time=host.cpu_time("me"), note="the note") as w:
        host.run(10.0, 4.0, me=1.0)
    assert w.apportioned and ledger.charges[-1].provenance.startswith("apportioned: true")
    assert ledger.charges[-1].provenance.endswith("= 2.5 J; the note")


def test_nested_and_overlapping_windows_add_up(tmp_path):
    root = fake_powercap(tmp_path)
    host = FakeHost(tmp_path, root)
    ledger = Ledger()
    src, clock = RaplSource(root), host.cpu_time("me")

    def burn(joules, share=0.5):
        host.run(joules, 2.0, me=2.0 * share)

    with measure(ledger, "outer", source=src, cpu_time=clock) as outer:
        burn(1.0)
        with measure(ledger, "inner", source=src, cpu_time=clock) as inner:
            burn(2.0, share=0.25)
        burn(0.5)
    assert inner.exclusive_j == pytest.approx(0.5) and inner.host_exclusive_j == pytest.approx(2.0)
    assert outer.exclusive_j == pytest.approx(0.75) and outer.inclusive_j == pytest.approx(1.25)
    assert outer.host_inclusive_j == pytest.approx(3.5)
    assert ledger.totals_j()["meter"]["measured"] == pytest.approx(outer.inclusive_j)  # nothing counted twice

    a = measure(ledger, "a", source=src, cpu_time=clock).__enter__()
    burn(1.0, share=1.0)
    b = measure(ledger, "b", source=src, cpu_time=clock).__enter__()
    burn(1.0, share=1.0)
    a.__exit__(None, None, None)
    burn(1.0, share=1.0)
    b.__exit__(None, None, None)
    assert a.inclusive_j == pytest.approx(2.0) and b.inclusive_j == pytest.approx(2.0)
    assert a.exclusive_j + b.exclusive_j == pytest.approx(3.0)  # the union of both windows


def test_workers_on_one_host_count_its_energy_once(tmp_path):
    """Two Dask workers on one host: each reads the same RAPL counters, each is charged only its CPU share."""
    root = fake_powercap(tmp_path)
    host = FakeHost(tmp_path, root)
    workers = {name: (Ledger(), RaplSource(root), host.cpu_time(name)) for name in ("a", "b")}

    def window(name):
        ledger, src, clock = workers[name]
        return measure(ledger, f"point {name}", source=src, cpu_time=clock)

    wa = window("a").__enter__()
    host.run(2.0, 1.0, a=1.0)  # a alone; the host spends 2 J per busy CPU-second throughout
    wb = window("b").__enter__()
    host.run(12.0, 6.0, a=2.0, b=4.0)  # both busy, together all of the host's busy time
    wa.__exit__(None, None, None)
    host.run(4.0, 2.0, b=2.0)  # b alone
    wb.__exit__(None, None, None)
    assert wa.host_inclusive_j + wb.host_inclusive_j == pytest.approx(14.0 + 16.0)  # what whole-package charging gave
    charged = {name: ledger.totals_j()["meter"]["measured"] for name, (ledger, _, _) in workers.items()}
    assert charged["a"] == pytest.approx(14.0 * 3 / 7) and charged["b"] == pytest.approx(16.0 * 6 / 8)
    assert sum(charged.values()) == pytest.approx(18.0)  # the host's energy, once

    # other processes busy too: the workers' charges stay below the host's energy
    for ledger, _, _ in workers.values():
        ledger.detach(Meter)  # fresh meters: forget the counters of the first part
    wa, wb = window("a").__enter__(), window("b").__enter__()
    host.run(12.0, 10.0, a=2.0, b=4.0)
    wa.__exit__(None, None, None)
    wb.__exit__(None, None, None)
    assert wa.exclusive_j == pytest.approx(2.4) and wb.exclusive_j == pytest.approx(4.8)
    assert wa.exclusive_j + wb.exclusive_j < 12.0


def test_host_account_is_charged_once_and_inclusive(tmp_path):
    root = fake_powercap(tmp_path)
    host = FakeHost(tmp_path, root)
    ledger = Ledger()
    src, clock = RaplSource(root), host.cpu_time("me")
    with measure(ledger, "sweep", source=src, cpu_time=clock, host=True) as top:
        host.run(4.0, 2.0, me=1.0)
        with measure(ledger, "point", source=src, cpu_time=clock):
            host.run(6.0, 3.0, me=3.0)
        with pytest.raises(InputError, match=r"host=True\) for 'again' inside another host window is not allowed; allowed: one host"):
            with measure(ledger, "again", source=src, cpu_time=clock, host=True):
                pass
    totals = ledger.totals_j()
    assert totals["host"]["measured"] == pytest.approx(10.0) == top.host_inclusive_j
    assert totals["meter"]["measured"] == pytest.approx(2.0 + 6.0)
    (h,) = [c for c in ledger.charges if c.account == "host"]
    assert h.basis == "measured" and h.label == "sweep" and "never add the two" in h.provenance


def test_the_meter_state_is_a_meter_attached_to_its_ledger(tmp_path):
    """Nested windows on one ledger share one Meter (attached to the ledger), other ledgers have their own;
    the book carries no meter field, and a meter given to measure() is used as it is."""
    root = fake_powercap(tmp_path)
    host = FakeHost(tmp_path, root)
    src, clock = RaplSource(root), host.cpu_time("me")
    ledger, other = Ledger(), Ledger()
    assert not hasattr(ledger, "meter_state")
    with measure(ledger, "outer", source=src, cpu_time=clock) as outer:
        with measure(ledger, "inner") as inner:  # no source: shares the ledger's meter
            assert inner.meter is outer.meter is Meter.of(ledger)
            assert outer.meter.open_windows == [outer, inner]
        with measure(other, "elsewhere", source=src, cpu_time=clock) as elsewhere:
            assert elsewhere.meter is not outer.meter and elsewhere.meter is Meter.of(other)
    assert outer.meter.open_windows == [] and ledger.attachment(Meter, lambda: pytest.fail("made anew")) is outer.meter
    kept = outer.meter
    with measure(ledger, "same source", source=src, cpu_time=clock) as again:
        assert again.meter is kept  # the same source and clock: the attached meter is kept
    with measure(ledger, "new source", source=RaplSource(root), cpu_time=clock) as changed:
        assert changed.meter is not kept and Meter.of(ledger) is changed.meter  # another source, no window open: replaced

    shared = Meter(RaplSource(root), host.cpu_time("shared"))  # one meter for two ledgers: each window charges its own
    first, second = Ledger(), Ledger()
    with measure(first, "a", meter=shared) as a:
        host.run(4.0, 2.0, shared=2.0)
        with measure(second, "b", meter=shared) as b:
            host.run(6.0, 3.0, shared=3.0)
    assert a.meter is b.meter is shared and first.detach(Meter) is None  # never attached to the ledgers
    assert a.exclusive_j == pytest.approx(4.0) and b.exclusive_j == pytest.approx(6.0) and a.inclusive_j == pytest.approx(10.0)
    assert first.energy_j("meter") == pytest.approx(4.0) and second.energy_j("meter") == pytest.approx(6.0)
    with pytest.raises(InputError, match=r"measure\(meter=…\) for 'x' with source or cpu_time is not allowed"):
        measure(first, "x", meter=shared, source=src)


def test_sweep_points_charge_the_meter_share_never_the_host(tmp_path, monkeypatch):
    from qenergy.app.sweep import SweepSpec, run_point

    root = fake_powercap(tmp_path)  # a whole-host source chosen here, not whatever this machine can read
    monkeypatch.setattr("qenergy.ledger.meter.default_source", lambda: RaplSource(root))
    _, charges = run_point(SweepSpec(ns=(3,), repeats=1), 3, 0)
    meter = [c for c in charges if c.model == "meter"]
    assert [c.account for c in meter] == ["meter"] and meter[0].label == "n=3 repeat=0"
    assert meter[0].basis == "measured" and meter[0].provenance.startswith("apportioned: true")


def test_missing_host_cpu_time_falls_back_to_the_estimate(tmp_path):
    ledger = Ledger()
    with measure(ledger, "work", source=RaplSource(fake_powercap(tmp_path)), cpu_time=HostCpuTime(tmp_path / "no-stat")) as w:
        sum(i * i for i in range(10_000))
    (c,) = ledger.charges
    assert w.basis == c.basis == "estimated" and w.host_inclusive_j == 0.0 and not w.apportioned
    assert c.provenance.startswith("estimate: this process's CPU time") and "RAPL intel-rapl:0" in c.provenance
    assert "readable but not the host's CPU time" in c.provenance and "no-stat" in c.provenance


class FakeNvml(types.ModuleType):
    """Just enough of pynvml: devices with a total-energy counter in millijoules."""

    class NVMLError(Exception):
        pass

    def __init__(self, energies_mj, fail_init=False):
        super().__init__("pynvml")
        self.energies_mj = energies_mj
        self.fail_init = fail_init

    def nvmlInit(self):
        if self.fail_init:
            raise self.NVMLError("Driver Not Loaded")

    def nvmlDeviceGetCount(self):
        return len(self.energies_mj)

    def nvmlDeviceGetHandleByIndex(self, i):
        return i

    def nvmlDeviceGetTotalEnergyConsumption(self, handle):
        return self.energies_mj[handle]


def test_nvml_adds_to_rapl(tmp_path, monkeypatch):
    root = fake_powercap(tmp_path)
    nvml = FakeNvml([5_000, 70_000])
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    src = default_source(root)
    assert isinstance(src, CompositeSource) and src.basis == "measured" and src.scope == "host"
    assert src.describe() == "RAPL intel-rapl:0, intel-rapl:0:1, intel-rapl:1 + NVML 2 device(s)"
    assert src.read_j() == 0.0
    set_energy(root, "intel-rapl:1", 4_000_000)  # +1 J on the CPU
    nvml.energies_mj[1] += 2_500  # +2.5 J on a GPU
    assert src.read_j() == pytest.approx(3.5)

    alone = default_source(tmp_path / "no-rapl")
    assert isinstance(alone, NvmlSource) and alone.describe() == "NVML 2 device(s)"
    nvml.energies_mj[0] += 1_000
    assert alone.read_j() == pytest.approx(1.0)

    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml([1], fail_init=True))
    assert isinstance(default_source(root), RaplSource)
    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml([]))  # no device
    assert isinstance(default_source(tmp_path / "no-rapl"), CpuTimeEstimate)


def _burn_cpu(seconds):
    t0 = os.times()
    while (lambda t: t.user + t.system - t0.user - t0.system)(os.times()) < seconds:
        sum(i * i for i in range(20_000))


def test_estimate_path_is_cpu_time_times_power_plus_memory(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import pynvml fails
    src = default_source(tmp_path / "no-rapl")
    assert type(src) is CpuTimeEstimate and src.basis == "estimated" and src.scope == "process"
    src = CpuTimeEstimate(package_w=40.0, cores=4, memory_w_per_gb=0.375)
    ledger = Ledger()
    t0, wall0 = os.times(), time.perf_counter()
    with measure(ledger, "busy", source=src) as w:
        _burn_cpu(0.3)
    t1, wall1 = os.times(), time.perf_counter()
    cpu_s = sum(t1[:4]) - sum(t0[:4])  # user, system, children's user and system
    tick_s = 1 / os.sysconf("SC_CLK_TCK")
    memory_max_j = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20 * 0.375 * (wall1 - wall0)
    (c,) = ledger.charges
    assert c.basis == "estimated" and c.energy_j == pytest.approx(w.exclusive_j, abs=1e-6)
    assert cpu_s >= 0.3 - 2 * tick_s  # os.times counts in clock ticks
    assert 10.0 * (cpu_s - 2 * tick_s) <= c.energy_j <= 10.0 * (cpu_s + 2 * tick_s) + memory_max_j
    assert "10 W/core (40 W over 4 cores)" in c.provenance


def test_decorator_charges_every_call():
    ledger = Ledger()
    est = CpuTimeEstimate(package_w=40.0, cores=4, memory_w_per_gb=0.0)

    @measure(ledger, "busy", source=est)
    def busy():
        _burn_cpu(0.05)
        return 7

    assert busy() == 7 and busy() == 7
    charges = [c for c in ledger.charges if c.label == "busy"]
    assert len(charges) == 2 and all(c.basis == "estimated" and c.energy_j >= 10.0 * 0.03 for c in charges)


def test_default_source_without_rapl_or_nvml_is_the_estimate(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)
    ledger = Ledger()
    with measure(ledger, "plain", source=default_source(tmp_path / "nothing")):
        _burn_cpu(0.02)
    (c,) = ledger.charges
    assert c.basis == "estimated" and c.energy_j > 0 and c.provenance.startswith("estimate: this process's CPU time x")
    with pytest.raises(OSError, match="no readable RAPL package or dram zone"):
        RaplSource(tmp_path / "nothing")


def _worker_window(root, sync, name):
    """On a Dask worker: one window over the shared fake RAPL tree, real /proc/stat and os.times."""
    ledger = Ledger()
    with measure(ledger, name, source=RaplSource(root)) as w:
        (sync / f"open-{name}").touch()
        _wait_for(sync / "go")
        _burn_cpu(0.3)
        (sync / f"done-{name}").touch()
        _wait_for(sync / "bumped")
    (c,) = ledger.charges
    return w.exclusive_j, w.host_inclusive_j, c.basis, c.provenance


def _wait_for(*paths, timeout_s=30.0):
    deadline = time.monotonic() + timeout_s
    while not all(p.exists() for p in paths):
        if time.monotonic() > deadline:
            raise TimeoutError(f"waiting for {paths}")
        time.sleep(0.01)


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs Linux /proc/stat")
def test_dask_workers_on_one_host_share_its_energy(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    import cloudpickle

    root = fake_powercap(tmp_path)
    sync = tmp_path / "sync"
    sync.mkdir()
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers need not import this test module
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
                distributed.Client(cluster) as client:
            addresses = list(client.scheduler_info()["workers"])
            futures = [client.submit(_worker_window, root, sync, name, workers=[addr], pure=False)
                       for name, addr in zip(("a", "b"), addresses)]
            _wait_for(sync / "open-a", sync / "open-b")
            (sync / "go").touch()
            _wait_for(sync / "done-a", sync / "done-b")
            set_energy(root, "intel-rapl:1", 103_000_000)  # +100 J while both windows are open
            (sync / "bumped").touch()
            results = client.gather(futures)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    for charged_j, host_j, basis, provenance in results:
        assert basis == "measured" and host_j == pytest.approx(100.0)  # each worker read the whole host
        assert "apportioned by this process's CPU-time share" in provenance and 0.0 < charged_j < 100.0
    assert sum(r[0] for r in results) <= 110.0  # counted once (up to clock-tick noise), not twice (200 J)


def test_carbon_intensity_and_co2e():
    table = load_intensities()
    assert len(table) > 200 and table["FRA"].g_per_kwh == pytest.approx(56.039) and table["FRA"].year == 2023
    assert co2e_kg(3.6e6, grid_intensity("fra")) == pytest.approx(0.056039)
    assert co2e_kg(3.6e6, grid_intensity(), pue=1.5) == pytest.approx(1.5 * 0.475)
    assert grid_intensity() is WORLD_AVERAGE and "CodeCarbon" in WORLD_AVERAGE.source
    assert co2e_kg(3.6e6, grid_intensity(g_per_kwh=100.0)) == pytest.approx(0.1)
    with pytest.raises(InputError, match="ISO-3"):
        grid_intensity("Atlantis")
    with pytest.raises(InputError, match="PUE"):
        co2e_kg(1.0, WORLD_AVERAGE, pue=0.5)
