"""`kubevents redrive`: dead letters sent again once their cause is fixed
(issue #13, section 2), against the real control plane and a webhook peer.

The issue's scenario is an OpenSearch whose mapping is fixed between the
steps; a webhook that answers 400 to some documents, then accepts them,
stands for it here."""

import json
import os
import subprocess
import time

from harness import Kubevents, wait_for

from test_delivery import key_of, webhook_keys


def redrive(kv, *args):
    env = dict(os.environ, KUBEVENTS_DATA_DIR=str(kv.folder / "data"))
    return subprocess.run([Kubevents.binary(), "redrive", "--receiver", "hook", "--config",
                           str(kv.config_path), *args], capture_output=True, text=True,
                          timeout=60, env=env)


def test_dead_letters_are_delivered_once_after_a_redrive(cluster, namespace, webhook_peer,
                                                         kubevents_factory):
    config = f"""
logLevel: info
route:
  routes:
    - match: [{{namespace: "^{namespace}$", receiver: hook}}]
receivers:
  - name: hook
    webhook:
      endpoint: {webhook_peer.url}
"""
    webhook_peer.start()
    webhook_peer.control(reject_if_contains="MAPPING-CONFLICT")
    kv = kubevents_factory(config)
    kv.wait_watching()
    bad = [f"bad-{i}" for i in range(4)]
    for name in bad:
        cluster.create_event(namespace, name, message="field MAPPING-CONFLICT here")
    for i in range(3):
        cluster.create_event(namespace, f"good-{i}")
    dead = kv.folder / "data" / "deadletter" / "hook.jsonl"
    wait_for(lambda: dead.exists() and len(dead.read_text().splitlines()) == 4, timeout=60,
             what="four dead letters")
    wait_for(lambda: len(webhook_keys(webhook_peer, namespace)) >= 3, timeout=60,
             what="the good events")
    dead_keys = [json.loads(line)["idempotencyKey"] for line in dead.read_text().splitlines()]
    assert dead_keys == [key_of(json.loads(line)["event"]) for line in dead.read_text().splitlines()]

    # Refused while the instance holds the data dir.
    res = redrive(kv)
    assert res.returncode == 1, res.stderr
    assert "in use by another kubevents process" in res.stderr
    kv.stop()

    # The cause is fixed; a dry run changes nothing.
    webhook_peer.control(reject_if_contains=None)
    before = dead.read_text()
    res = redrive(kv, "--dry-run")
    assert res.returncode == 0, res.stderr
    assert f"would queue again 4 dead-lettered events (first key {dead_keys[0]}, " \
           f"last key {dead_keys[-1]})" in res.stdout, res.stdout
    assert dead.read_text() == before

    res = redrive(kv)
    assert res.returncode == 0, res.stderr
    assert "queued again 4 dead-lettered events" in res.stderr, res.stderr
    assert dead.read_text() == ""
    assert len(list(dead.parent.glob("hook.jsonl.redriven-*"))) == 1

    # The next run delivers them, each once, with its original key.
    again = Kubevents(cluster, kv.folder, config)
    again.start()
    try:
        again.wait_watching()
        wait_for(lambda: len(webhook_keys(webhook_peer, namespace)) >= 7, timeout=60,
                 what="the redriven events")
        time.sleep(3)  # anything doubled would come now
        got = webhook_keys(webhook_peer, namespace)
        assert sorted(got) == sorted(set(got)), got
        assert set(dead_keys) <= set(got)
        assert len(got) == 7
        names = {rec.get("body", rec.get("event", rec))["metadata"]["name"]
                 for rec in webhook_peer.received()}
        assert set(bad) <= names
    finally:
        again.stop()
    assert dead.read_text() == ""
