"""scenarios/generate_cluster.py: every output format decodes to the same valid cluster, reproducibly."""

import importlib.util
import io
import json
from pathlib import Path

from hypothesis import given, settings, strategies as st

from hacalc.readers.cluster import load_cluster

GENERATOR = Path(__file__).resolve().parents[2] / "scenarios" / "generate_cluster.py"
_spec = importlib.util.spec_from_file_location("generate_cluster", GENERATOR)
generate_cluster = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate_cluster)


def written(data, file_format):
    stream = io.StringIO()
    if file_format == "json":
        json.dump(data, stream)
    else:
        (generate_cluster.write_toml if file_format == "toml" else generate_cluster.write_yaml)(data, stream)
    return load_cluster("-", input_format=file_format, stdin=io.StringIO(stream.getvalue()))


def test_every_format_decodes_to_the_same_cluster():
    data = generate_cluster.build(6, 200, fill=0.5, tolerate=2, policy="slot", seed=3)
    toml, yaml, json_cluster = (written(data, file_format) for file_format in ("toml", "yaml", "json"))
    assert toml == yaml == json_cluster
    assert (len(toml.hosts), len(toml.vms), toml.settings.tolerate) == (6, 200, 2)


def test_the_same_seed_gives_the_same_file():
    assert generate_cluster.build(4, 50, fill=0.5, tolerate=1, policy="percentage", seed=7) == generate_cluster.build(
        4, 50, fill=0.5, tolerate=1, policy="percentage", seed=7
    )


@settings(max_examples=15, deadline=None)
@given(hosts=st.integers(1, 8), vms=st.integers(0, 60), fill=st.floats(0.05, 1.0), seed=st.integers(0, 1000))
def test_placed_reservations_stay_within_the_fill_target(hosts, vms, fill, seed):
    cluster = written(generate_cluster.build(hosts, vms, fill=fill, tolerate=1, policy="slot", seed=seed), "toml")
    for host in cluster.hosts:
        placed = [vm for vm in cluster.vms if vm.host == host.name]
        assert sum(vm.memory_reservation_mb + vm.memory_overhead_mb for vm in placed) <= host.memory_mb * fill
        assert sum(vm.cpu_reservation_mhz for vm in placed) <= host.cpu_mhz * fill
    assert all(vm.powered_on == (vm.host is not None) for vm in cluster.vms)
