"""kubectl JSON into a KubeInventory: by kind and in any order, and one located ``hacalc: error:`` line for a bad file.

The fixtures in tests/fixtures/kubernetes are kubectl's shape (``kubectl get … -o json`` writes a v1 ``List`` whose
items name their kind; the raw API writes ``NodeList`` whose items do not), written by
scenarios/kubernetes/generate_kubernetes.py. Bad input goes through the reader and the message the CLI prints
for an InputError (``as_cli``), held to the CLI contract by ``assert_bad_input``.
"""

from __future__ import annotations

import copy
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from contract import assert_bad_input
from hacalc.core.errors import InputError
from hacalc.core.platforms.kubernetes import check_kubernetes
from hacalc.core.text import visible
from hacalc.readers.kubectl import load_kubernetes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kubernetes"
SEPARATE = [str(FIXTURES / name) for name in ("nodes.json", "pods.json", "pdbs.json")]
GiB, MiB, KiB = 2**30, 2**20, 2**10


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def as_cli(sources) -> Result:
    """What the CLI shows for a read: ``hacalc: error: <visible(str(error))>`` on stderr and exit 2."""
    try:
        load_kubernetes([str(source) for source in sources])
    except InputError as error:
        return Result(2, "", f"hacalc: error: {visible(str(error))}\n")
    return Result(0, "read", "")


def by_name(objects) -> list:
    return sorted(objects, key=lambda each: (getattr(each, "namespace", ""), each.name))


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def written(tmp_path: Path, data: dict, name: str = "edited.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=4), encoding="utf-8")
    return path


def test_the_three_files_read_in_any_order_alike():
    forward = load_kubernetes(SEPARATE)
    backward = load_kubernetes(SEPARATE[::-1])
    assert {node.name for node in forward.nodes} == {"cp-1", "worker-1", "worker-2", "worker-3", "gpu-1"}
    assert (len(forward.pods), len(forward.pdbs)) == (21, 3)
    assert by_name(forward.nodes) == by_name(backward.nodes) and by_name(forward.pods) == by_name(backward.pods)


def test_one_list_holding_everything_reads_like_the_three_files_plus_the_replica_set():
    together = load_kubernetes([str(FIXTURES / "all-in-one.json")])
    apart = load_kubernetes(SEPARATE)
    for kind in ("nodes", "pods", "pdbs"):
        assert by_name(getattr(together, kind)) == by_name(getattr(apart, kind))
    assert list(together.replicas.values()) == [8]
    skipped = [warning for warning in together.warnings if warning.kind == "items-skipped"]
    assert skipped[0].count == 1 and "1 Service" in skipped[0].message


def test_the_raw_api_node_list_reads_like_kubectls_list():
    raw = load_kubernetes([str(FIXTURES / "nodes-raw-api.json")])
    assert raw.nodes == load_kubernetes([SEPARATE[0]]).nodes


def test_node_values_are_the_allocatable_quantities_in_scheduler_units():
    nodes = {node.name: node for node in load_kubernetes(SEPARATE).nodes}
    assert nodes["cp-1"].allocatable["cpu"] == 3800 and nodes["cp-1"].allocatable["memory"] == 7901508 * KiB
    assert nodes["worker-1"].allocatable["pods"] == 110 and nodes["worker-1"].labels["disktype"] == "ssd"
    assert [(taint.key, taint.effect) for taint in nodes["gpu-1"].taints] == [("nvidia.com/gpu", "NoSchedule")]


def test_pod_requests_take_init_containers_and_defaults_from_limits():
    pods = {pod.name: pod for pod in load_kubernetes(SEPARATE).pods}
    api = pods["api-5f6d7c8b9-4kq9w"]
    assert api.requests == {"cpu": 2000, "memory": 3 * GiB}  # the 2-CPU init container outweighs the 1.5-CPU app
    assert api.node_selector == {"disktype": "ssd"}
    assert pods["coredns-76f75df574-9fjxl"].requests == {"cpu": 100, "memory": 70 * MiB}  # the request, not the 170Mi limit
    assert pods["kube-proxy-7xk2p"].requests == {} and pods["kube-proxy-7xk2p"].owner.kind == "DaemonSet"
    assert pods["db-0"].ignored == ("pod-affinity",) and pods["debug-shell"].owner is None
    assert pods["report-28597080-v2k9s"].phase == "Succeeded"


def test_a_limit_alone_is_the_request_as_the_api_server_defaults_it(tmp_path):
    data = fixture("pods.json")
    data["items"] = [data["items"][0]]
    data["items"][0]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1.5", "memory": "1Gi"}}
    [pod] = load_kubernetes([SEPARATE[0], str(written(tmp_path, data))]).pods
    assert pod.requests == {"cpu": 1500, "memory": GiB}


def test_the_example_fails_only_when_the_single_gpu_node_goes():
    report = check_kubernetes(load_kubernetes(SEPARATE), 1)
    assert [result.nodes for result in report.failing] == [("gpu-1",)]
    assert [pod.name for pod in report.failing[0].unplaced] == ["train-28597140-q8z4k"]
    web = next(pdb for pdb in report.pdbs if pdb.name == "web")
    assert (web.expected_pods, web.desired_healthy, web.disruptions_allowed) == (6, 3, 3)  # 34% of 6 rounds up to 3


def test_known_replicas_are_the_base_of_a_percentage():
    """With the ReplicaSet's spec.replicas = 8: maxUnavailable 34% of 8 rounds up to 3, so 5 must stay and 6 - 5 = 1 may go."""
    report = check_kubernetes(load_kubernetes([str(FIXTURES / "all-in-one.json")]), 1)
    web = next(pdb for pdb in report.pdbs if pdb.name == "web")
    assert (web.expected_pods, web.desired_healthy, web.current_healthy, web.disruptions_allowed, web.expected_from) == (8, 5, 6, 1, "replicas")


def test_nodes_not_ready_and_cordoned_are_counted_in_warnings(tmp_path):
    data = fixture("nodes.json")
    data["items"][3]["status"]["conditions"][-1]["status"] = "Unknown"
    data["items"][2]["spec"]["unschedulable"] = True
    inventory = load_kubernetes([str(written(tmp_path, data)), *SEPARATE[1:]])
    kinds = {warning.kind: warning for warning in inventory.warnings}
    assert kinds["nodes-not-ready"].examples == ("worker-3",) and kinds["nodes-cordoned"].examples == ("worker-2",)


def test_stdin_is_read_once_as_a_source():
    text = (FIXTURES / "nodes.json").read_text(encoding="utf-8")
    inventory = load_kubernetes(["-", SEPARATE[1]], stdin=io.StringIO(text))
    assert len(inventory.nodes) == 5 and len(inventory.pods) == 21


# Bad input -----------------------------------------------------------------------------------------


def edited(tmp_path, name, change):
    data = copy.deepcopy(fixture(name))
    change(data)
    return written(tmp_path, data, name)


def test_a_bad_quantity_names_the_file_line_and_json_path(tmp_path):
    def change(data):
        data["items"][5]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "1.5 cores"

    path = edited(tmp_path, "pods.json", change)
    line = assert_bad_input(as_cli([path]))
    assert line.startswith("bad quantity '1.5 cores': '1.5 cores' is not a quantity, in ")
    assert f"in {path} line " in line and "(items[5].spec.containers[0].resources.requests.cpu)" in line
    assert line.endswith("write a Kubernetes quantity such as 500m, 2, 1.5, 512Mi, 1Gi, 1G or 3e8")


def test_a_negative_request_is_refused(tmp_path):
    path = edited(tmp_path, "pods.json", lambda data: data["items"][5]["spec"]["containers"][0]["resources"]["requests"].update(memory="-1Gi"))
    assert "negative quantity '-1Gi'" in assert_bad_input(as_cli([path]))


def test_a_file_that_is_not_kubectl_output_says_what_to_give(tmp_path):
    path = written(tmp_path, {"hosts": []})
    line = assert_bad_input(as_cli([path]))
    assert line == f"not kubectl JSON: kind is missing, in {path}, give the output of kubectl get nodes -o json, kubectl get pods -A -o json or kubectl get pdb -A -o json"


def test_an_item_of_another_kind_in_a_typed_list_is_refused(tmp_path):
    data = fixture("nodes-raw-api.json")
    data["items"][1]["kind"] = "Pod"
    line = assert_bad_input(as_cli([written(tmp_path, data)]))
    assert line.startswith("a 'Pod' item in a NodeList, in ") and "(items[1].kind)" in line


def test_an_object_given_twice_names_both_places(tmp_path):
    line = assert_bad_input(as_cli([SEPARATE[0], FIXTURES / "nodes-raw-api.json"]))
    assert line.startswith(f"Node cp-1 is given twice (first in {SEPARATE[0]} line ")
    assert "give each object once" in line


def test_a_node_without_allocatable_pods_is_refused(tmp_path):
    path = edited(tmp_path, "nodes.json", lambda data: data["items"][0]["status"]["allocatable"].pop("pods"))
    line = assert_bad_input(as_cli([path]))
    assert line.startswith("node cp-1 has no allocatable pods, in ") and "(items[0].status.allocatable)" in line


@pytest.mark.parametrize(
    "name, change, message, where",
    [
        ("pdbs.json", lambda data: data["items"][0]["spec"].update(maxUnavailable="34"), "'34' is neither an integer nor a percentage", "items[0].spec.maxUnavailable"),
        ("pdbs.json", lambda data: data["items"][1]["spec"].update(minAvailable=True), "expected an integer or a string, found True", "items[1].spec.minAvailable"),
        ("pods.json", lambda data: data["items"][0]["spec"]["tolerations"][0].update(operator="Equals"), "unknown toleration operator 'Equals'", "items[0].spec.tolerations[0].operator"),
        ("pods.json", lambda data: data["items"][0]["metadata"]["labels"].update(tier=3), "expected a string, found 3", "items[0].metadata.labels.tier"),
        ("pods.json", lambda data: data["items"][0].update(spec=[]), "expected an object, found []", "items[0].spec"),
        ("nodes.json", lambda data: data["items"][0]["metadata"].pop("name"), "an object without metadata.name", "items[0].metadata"),
        ("nodes.json", lambda data: data.update(items={}), "items is not a list", "items"),
    ],
)
def test_malformed_fields_name_their_path(tmp_path, name, change, message, where):
    path = edited(tmp_path, name, change)
    sources = [path] if name == "nodes.json" else [SEPARATE[0], path]
    line = assert_bad_input(as_cli(sources))
    assert line.startswith(message + ", in ") and f"({where})" in line


def test_no_nodes_at_all_is_an_error():
    line = assert_bad_input(as_cli([SEPARATE[1]]))
    assert line == f"no nodes in the input, in {SEPARATE[1]}, add the output of kubectl get nodes -o json"


def test_invalid_json_names_its_line(tmp_path):
    path = tmp_path / "pods.json"
    path.write_text('{"kind": "List", "items": [\n{"kind": "Pod",}\n]}', encoding="utf-8")
    line = assert_bad_input(as_cli([path]))
    assert line.startswith("cannot read JSON: ") and f"in {path} line 2" in line
