"""Test data for the search receivers' tests."""

import uuid


def make_events(n, namespace="kv-search", message=None, start_rv=1000):
    """n core/v1 Event objects as the API server would send them."""
    out = []
    for i in range(n):
        out.append({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"web-{i}.17c0", "namespace": namespace, "uid": str(uuid.uuid4()),
                         "resourceVersion": str(start_rv + i),
                         "creationTimestamp": "2024-05-01T10:00:00Z"},
            "involvedObject": {"kind": "Pod", "namespace": namespace, "name": f"web-{i}",
                               "apiVersion": "v1"},
            "reason": "BackOff", "message": message(i) if message else f"event {i}",
            "type": "Warning", "count": 1,
            "firstTimestamp": "2024-05-01T10:00:00Z", "lastTimestamp": "2024-05-01T10:00:00Z",
            "source": {"component": "kubelet"},
        })
    return out
