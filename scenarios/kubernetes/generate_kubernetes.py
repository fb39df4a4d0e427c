"""Write kubectl-shaped JSON (``kubectl get nodes/pods/pdb -o json``) for a small example or a large synthetic cluster.

Run: python scenarios/kubernetes/generate_kubernetes.py [--nodes 500 --pods 20000] [--output DIR]

Without sizes it writes the example beside this script (nodes.json, pods.json, pdbs.json): a control-plane
node, three workers, a GPU node, and the workloads a small shop runs, shaped as kubectl writes them (a
``List`` of items that name their kind, defaulted tolerations, owner references, status conditions). With
sizes it writes a synthetic cluster of that many nodes and pods (the benchmark's inventory), seeded, with the
pods one file per namespace as ``kubectl get pods -n NS -o json`` writes them (one file of 20,000 pods would
pass the readers' 32 MiB limit).
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
CREATED = "2024-05-06T09:12:44Z"


def node(name: str, cpu: str, memory: str, *, labels: dict | None = None, taints: list | None = None, ready: bool = True, unschedulable: bool = False) -> dict:
    spec: dict = {"podCIDR": "10.244.0.0/24", "providerID": f"kind://docker/shop/{name}"}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    allocatable = {"cpu": cpu, "ephemeral-storage": "95491281146", "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": memory, "pods": "110"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
            "creationTimestamp": CREATED,
            "labels": {"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", **(labels or {})},
            "name": name,
            "resourceVersion": "48213",
            "uid": str(uuid.uuid5(uuid.NAMESPACE_DNS, name)),
        },
        "spec": spec,
        "status": {
            "allocatable": allocatable,
            "capacity": {**allocatable, "cpu": str(int(cpu.rstrip("m")) // 1000 + 1) if cpu.endswith("m") else cpu},
            "conditions": [
                _condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                _condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                _condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                _condition("Ready", "True", "KubeletReady", "kubelet is posting ready status")
                if ready
                else _condition("Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."),
            ],
            "nodeInfo": {"architecture": "amd64", "containerRuntimeVersion": "containerd://1.7.15", "kubeletVersion": "v1.30.0", "operatingSystem": "linux"},
        },
    }


def _condition(kind: str, status: str, reason: str, message: str) -> dict:
    return {"lastHeartbeatTime": "2024-05-07T08:01:12Z", "lastTransitionTime": CREATED, "message": message, "reason": reason, "status": status, "type": kind}


DEFAULT_TOLERATIONS = [
    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
]


def pod(
    name: str,
    namespace: str,
    node_name: str | None,
    requests: dict,
    *,
    owner: tuple[str, str] | None = None,
    labels: dict | None = None,
    limits: dict | None = None,
    phase: str = "Running",
    tolerations: list | None = None,
    node_selector: dict | None = None,
    affinity: dict | None = None,
    init_requests: dict | None = None,
) -> dict:
    container = {"image": f"registry.example.com/{name.rsplit('-', 2)[0]}:1.4.2", "imagePullPolicy": "IfNotPresent", "name": "main", "resources": {}}
    if requests:
        container["resources"]["requests"] = requests
    if limits:
        container["resources"]["limits"] = limits
    spec: dict = {
        "containers": [container],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "tolerations": (tolerations or []) + DEFAULT_TOLERATIONS,
    }
    if init_requests:
        spec["initContainers"] = [{"image": "busybox:1.36", "name": "migrate", "resources": {"requests": init_requests}}]
    if node_name:
        spec["nodeName"] = node_name
    if node_selector:
        spec["nodeSelector"] = node_selector
    if affinity:
        spec["affinity"] = affinity
    metadata: dict = {"creationTimestamp": CREATED, "labels": labels or {}, "name": name, "namespace": namespace, "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{namespace}/{name}"))}
    if owner:
        kind, owner_name = owner
        metadata["ownerReferences"] = [
            {"apiVersion": "batch/v1" if kind == "Job" else "apps/v1", "blockOwnerDeletion": True, "controller": True, "kind": kind, "name": owner_name, "uid": _uid(namespace, kind, owner_name)}
        ]
    running = phase == "Running"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": spec,
        "status": {
            "conditions": [
                {"lastProbeTime": None, "lastTransitionTime": CREATED, "status": "True", "type": "PodScheduled"},
                {"lastProbeTime": None, "lastTransitionTime": CREATED, "status": "True" if running else "False", "type": "Ready"},
            ],
            "phase": phase,
            "qosClass": "Burstable" if requests else "BestEffort",
        },
    }


def _uid(namespace: str, kind: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{namespace}/{kind}/{name}"))


def pdb(name: str, namespace: str, labels: dict, *, min_available=None, max_unavailable=None) -> dict:
    spec: dict = {"selector": {"matchLabels": labels}}
    if min_available is not None:
        spec["minAvailable"] = min_available
    if max_unavailable is not None:
        spec["maxUnavailable"] = max_unavailable
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"creationTimestamp": CREATED, "name": name, "namespace": namespace, "uid": _uid(namespace, "PodDisruptionBudget", name)}, "spec": spec}


def as_list(items: list[dict]) -> dict:
    """What ``kubectl get … -o json`` prints: a v1 List whose items name their own kind."""
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


CONTROL_PLANE_TAINT = {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}
GPU_TAINT = {"effect": "NoSchedule", "key": "nvidia.com/gpu", "value": "present"}


def example() -> tuple[list[dict], list[dict], list[dict]]:
    """A small shop: 3 workers, a control plane and a GPU node; web, api, a 3-replica database, a GPU job."""
    nodes = [
        node("cp-1", "3800m", "7901508Ki", labels={"node-role.kubernetes.io/control-plane": ""}, taints=[CONTROL_PLANE_TAINT]),
        node("worker-1", "7800m", "31850364Ki", labels={"disktype": "ssd", "topology.kubernetes.io/zone": "a"}),
        node("worker-2", "7800m", "31850364Ki", labels={"disktype": "ssd", "topology.kubernetes.io/zone": "b"}),
        node("worker-3", "7800m", "31850364Ki", labels={"disktype": "hdd", "topology.kubernetes.io/zone": "c"}),
        node("gpu-1", "15800m", "63700728Ki", labels={"nvidia.com/gpu.present": "true"}, taints=[GPU_TAINT]),
    ]
    everywhere = [{"operator": "Exists"}]
    pods = [pod(f"kube-proxy-{suffix}", "kube-system", name, {}, owner=("DaemonSet", "kube-proxy"), labels={"k8s-app": "kube-proxy"}, tolerations=everywhere)
            for suffix, name in zip(("7xk2p", "b4n8q", "cq9rt", "f2w5z", "h8v3m"), ("cp-1", "worker-1", "worker-2", "worker-3", "gpu-1"))]
    pods += [pod(f"coredns-76f75df574-{suffix}", "kube-system", name, {"cpu": "100m", "memory": "70Mi"}, limits={"memory": "170Mi"},
                 owner=("ReplicaSet", "coredns-76f75df574"), labels={"k8s-app": "kube-dns"}, tolerations=[CONTROL_PLANE_TAINT])
             for suffix, name in (("9fjxl", "cp-1"), ("kq2mn", "worker-1"))]
    web = {"app": "web"}
    pods += [pod(f"web-6b7c9d8f5-{suffix}", "shop", name, {"cpu": "500m", "memory": "1Gi"}, owner=("ReplicaSet", "web-6b7c9d8f5"), labels=web)
             for suffix, name in (("2lq8x", "worker-1"), ("5mt7c", "worker-1"), ("8nb4v", "worker-2"), ("d9s6k", "worker-2"), ("h3p2w", "worker-3"), ("x7r5j", "worker-3"))]
    api = {"app": "api"}
    pods += [pod(f"api-5f6d7c8b9-{suffix}", "shop", name, {"cpu": "1500m", "memory": "3Gi"}, owner=("ReplicaSet", "api-5f6d7c8b9"), labels=api, node_selector={"disktype": "ssd"},
                 init_requests={"cpu": "2", "memory": "512Mi"})
             for suffix, name in (("4kq9w", "worker-1"), ("7hx2c", "worker-2"))]
    anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}]}}
    pods += [pod(f"db-{index}", "shop", f"worker-{index + 1}", {"cpu": "2", "memory": "12Gi"}, owner=("StatefulSet", "db"), labels={"app": "db"}, affinity=anti) for index in range(3)]
    pods += [
        pod("train-28597140-q8z4k", "ml", "gpu-1", {"cpu": "8", "memory": "48Gi"}, owner=("Job", "train-28597140"), labels={"job-name": "train-28597140"},
            tolerations=[GPU_TAINT], node_selector={"nvidia.com/gpu.present": "true"}),
        pod("report-28597080-v2k9s", "shop", "worker-3", {"cpu": "500m", "memory": "1Gi"}, owner=("Job", "report-28597080"), phase="Succeeded"),
        pod("debug-shell", "shop", "worker-3", {"cpu": "250m", "memory": "256Mi"}),
    ]
    pdbs = [
        pdb("web", "shop", web, max_unavailable="34%"),
        pdb("api", "shop", api, min_available=1),
        pdb("db", "shop", {"app": "db"}, min_available="60%"),
    ]
    return nodes, pods, pdbs


def synthetic(node_count: int, pod_count: int, seed: int = 15) -> tuple[list[dict], list[dict], list[dict]]:
    """``node_count`` 16-core nodes and ``pod_count`` pods of Deployments of 50; 40 pods a node fill about 70 % of CPU."""
    rng = random.Random(seed)
    nodes = [node(f"node-{index:04d}", "15800m", "63700728Ki", labels={"topology.kubernetes.io/zone": "abc"[index % 3]}) for index in range(node_count)]
    shapes = [("100m", "128Mi"), ("250m", "256Mi"), ("250m", "512Mi"), ("500m", "1Gi"), ("250m", "1Gi")]  # 270m on average
    per_node_cpu = 15800 * 0.7
    load = [0.0] * node_count
    pods = []
    deployments = max(1, pod_count // 50)
    for index in range(pod_count):
        deployment = index % deployments
        cpu, memory = shapes[deployment % len(shapes)]
        millis = int(float(cpu.rstrip("m")) if cpu.endswith("m") else float(cpu) * 1000)
        where = min(rng.sample(range(node_count), 2), key=lambda position: load[position])
        if load[where] + millis > per_node_cpu:
            where = min(range(node_count), key=lambda position: load[position])
        load[where] += millis
        name = f"app-{deployment:03d}-7d9f8c6b5"
        pods.append(pod(f"{name}-{index:05d}", f"team-{deployment % 20:02d}", nodes[where]["metadata"]["name"], {"cpu": cpu, "memory": memory},
                        owner=("ReplicaSet", name), labels={"app": f"app-{deployment:03d}"}))
    pdbs = [pdb(f"app-{deployment:03d}", f"team-{deployment % 20:02d}", {"app": f"app-{deployment:03d}"}, max_unavailable="25%") for deployment in range(deployments)]
    return nodes, pods, pdbs


def write(directory: Path, nodes: list[dict], pods: list[dict], pdbs: list[dict], *, per_namespace: bool = False) -> list[Path]:
    """The files, indented as kubectl writes them; ``per_namespace`` writes pods as ``kubectl get pods -n NS`` would, one file each."""
    directory.mkdir(parents=True, exist_ok=True)
    groups: dict[str, list[dict]] = {"nodes": nodes, "pdbs": pdbs}
    if per_namespace:
        for item in pods:
            groups.setdefault(f"pods-{item['metadata']['namespace']}", []).append(item)
    else:
        groups["pods"] = pods
    paths = []
    for name, items in groups.items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(as_list(items), indent=4) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int)
    parser.add_argument("--pods", type=int)
    parser.add_argument("--output", type=Path, default=HERE)
    args = parser.parse_args()
    if args.nodes and args.pods:
        write(args.output, *synthetic(args.nodes, args.pods), per_namespace=True)
    else:
        write(args.output, *example())


if __name__ == "__main__":
    main()
