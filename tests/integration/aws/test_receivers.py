"""The six AWS receivers (sns, sqs, eventbridge, kinesis, firehose,
cloudwatchlogs) end to end: events from the test control plane go through
kubevents to moto (testenv/moto.sh), and are read back with boto3.

Resources are created with auth off; then moto's SigV4 + IAM enforcement is
switched on and kubevents signs with an IAM user's key (allow-all policy),
so every request kubevents makes is verified by moto (botocore's signature
check). Reading back uses the same key. A wrong secret must give
SignatureDoesNotMatch, reported and dead-lettered, not retried.

What moto cannot show: EventBridge partial failures (FailedEntryCount) and
throttling; those are covered by tests/unit/sinks/aws (response parsers, and
an in-process HTTP server answering a documented partial-failure response)."""

import collections
import json
import os
import pathlib
import sys
import threading
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "peers"))

from receivers_support import (  # noqa: E402
    Aws, assume_role, create_bus_rule_to_queue, create_delivery_stream, create_iam_user, create_queue,
    create_role, create_stream, create_topic_to_queue, drain_queue, enforced_auth, kubevents_env,
    read_bucket_lines, read_log_stream, read_stream, receiver_config, unique)

BULK = int(os.environ.get("KUBEVENTS_AWS_BULK", "5000"))  # smaller for a quick local run
# 5,000 events through sns/sqs take about a minute each against moto (with
# testenv/moto_server.py's clock; without it, minutes). A deadline, not a
# speed check.
READ_TIMEOUT = 900


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """No AWS_* from the caller reaches kubevents (the harness copies os.environ)."""
    import os
    for k in list(os.environ):
        if k.startswith("AWS_"):
            monkeypatch.delenv(k)
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def iam(moto):
    """Keys of a fresh IAM user with an allow-all policy (made while auth is off)."""
    made = create_iam_user(Aws(moto))
    return made["key_id"], made["secret"]


def start(kubevents_factory, namespace, block, key_id, secret, home, extra_env=None):
    env = kubevents_env(key_id, secret, home)
    env.update(extra_env or {})
    kv = kubevents_factory(receiver_config(namespace, block), extra_env=env)
    kv.wait_watching()
    return kv


def create_while_reading(cluster, namespace, names, read, **create_kwargs):
    """Creates the events while `read` (a read-back loop) already runs, so
    queues are drained as they fill (moto slows down as a queue grows).
    Returns what `read` returned."""
    result, errors = [], []

    def reader():
        try:
            result.append(read())
        except Exception as e:  # reported below
            errors.append(e)

    t = threading.Thread(target=reader)
    t.start()
    cluster.create_events(namespace, names, **create_kwargs)
    t.join()
    if errors:
        raise errors[0]
    return result[0]


def bulk_names(n, prefix="ev"):
    return [f"{prefix}-{i:05d}" for i in range(n)]


def assert_all_events(events, namespace, names):
    """Every created event arrived, as full event JSON, once per name at least."""
    got = collections.Counter(e["metadata"]["name"] for e in events
                              if e.get("metadata", {}).get("namespace") == namespace)
    missing = [n for n in names if got[n] == 0]
    assert not missing, f"{len(missing)} events missing, e.g. {missing[:5]}"
    for e in events[:20]:
        assert e["involvedObject"]["kind"] == "Pod"
        assert e["reason"] == "BulkTest"
        assert e["message"].startswith("bulk test message ")
        assert e["clusterName"] == "aws-test"


def no_retry_warnings(kv):
    log = kv.log()
    return "delivery failing" not in log and "retry " not in log


# ---------------------------------------------------------------- seed path

def test_sns_seed_path_with_imdsv2_credentials(cluster, namespace, kubevents_factory, moto, iam,
                                                aws_env):
    """Acceptance 1: an event from the control plane reaches an SNS topic and,
    through a raw-delivery SQS subscription, a queue, with the full event JSON
    intact. kubevents' credentials come from IMDSv2 (the metadata peer),
    which hands out session credentials moto's STS issued (AssumeRole), so
    moto verifies the session-token signature and the role's policy too."""
    from aws_metadata_peer import MetadataPeer
    aws = Aws(moto)
    topic_arn, queue = create_topic_to_queue(aws, unique("seed"), unique("seed-q"))
    key_id, secret = iam
    session = assume_role(Aws(moto, key_id, secret), create_role(aws))
    peer = MetadataPeer(region="us-east-1")

    def moto_session():
        with peer._lock:
            peer.issued.append(session["AccessKeyId"])
        return dict(session, Expiration=time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                      time.gmtime(time.time() + 3600)))

    peer._new_credentials = moto_session
    peer.start()
    try:
        with enforced_auth(moto):
            block = f"    sns:\n      topicARN: {topic_arn}\n      endpoint: {moto.url}\n"
            env = {"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": peer.url}
            kv = kubevents_factory(receiver_config(namespace, block), extra_env={
                **{k: v for k, v in kubevents_env("", "", aws_env).items()
                   if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}, **env})
            kv.wait_watching()
            created = cluster.create_event(namespace, "seed-event", reason="SeedReason",
                                           message="seed message <&> \u00e9", object_name="seed-pod")
            got = drain_queue(Aws(moto, key_id, secret), queue["url"], 1, timeout=90)
    finally:
        peer.stop()
    assert len(got) == 1, kv.log()
    body = json.loads(got[0]["body"])
    assert body["metadata"]["uid"] == created["metadata"]["uid"]
    assert body["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    assert body["message"] == "seed message <&> \u00e9"
    assert body["reason"] == "SeedReason"
    assert body["involvedObject"]["name"] == "seed-pod"
    assert body["clusterName"] == "aws-test"
    assert got[0]["attributes"]["reason"] == "SeedReason"
    assert "/latest/api/token" in peer.paths("PUT"), "kubevents did not use IMDSv2"


# ---------------------------------------------------------------- 5k each

def test_sns_5k(cluster, namespace, kubevents_factory, moto, iam, aws_env):
    aws = Aws(moto)
    topic_arn, queue = create_topic_to_queue(aws, unique("bulk"), unique("bulk-q"))
    key_id, secret = iam
    names = bulk_names(BULK)
    with enforced_auth(moto):
        start(kubevents_factory, namespace,
                   f"    sns:\n      topicARN: {topic_arn}\n      endpoint: {moto.url}\n",
                   key_id, secret, aws_env)
        got = create_while_reading(cluster, namespace, names, lambda: drain_queue(
            Aws(moto, key_id, secret), queue["url"], BULK, timeout=READ_TIMEOUT))
    assert_all_events([json.loads(m["body"]) for m in got], namespace, names)


def test_sqs_5k(cluster, namespace, kubevents_factory, moto, iam, aws_env):
    queue_name = unique("direct")
    queue = create_queue(Aws(moto), queue_name)
    key_id, secret = iam
    names = bulk_names(BULK)
    with enforced_auth(moto):
        start(kubevents_factory, namespace,
                   f"    sqs:\n      queueName: {queue_name}\n      region: us-east-1\n"
                   f"      endpoint: {moto.url}\n",
                   key_id, secret, aws_env)
        got = create_while_reading(cluster, namespace, names, lambda: drain_queue(
            Aws(moto, key_id, secret), queue["url"], BULK, timeout=READ_TIMEOUT))
    assert_all_events([json.loads(m["body"]) for m in got], namespace, names)
    assert got[0]["attributes"]["type"] == "Normal"


def test_sqs_without_endpoint_delivers_to_aws_endpoint_url_sqs(cluster, namespace,
                                                                kubevents_factory, moto, iam,
                                                                aws_env):
    """No `endpoint` in the receiver: AWS_ENDPOINT_URL_SQS (moto) is used, as
    the AWS SDKs use it, and wins over AWS_ENDPOINT_URL (a closed port)."""
    queue_name = unique("envurl")
    queue = create_queue(Aws(moto), queue_name)
    key_id, secret = iam
    names = bulk_names(20, "envurl")
    with enforced_auth(moto):
        start(kubevents_factory, namespace,
              f"    sqs:\n      queueName: {queue_name}\n      region: us-east-1\n",
              key_id, secret, aws_env,
              extra_env={"AWS_ENDPOINT_URL_SQS": moto.url, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
        got = create_while_reading(cluster, namespace, names, lambda: drain_queue(
            Aws(moto, key_id, secret), queue["url"], len(names), timeout=120))
    assert_all_events([json.loads(m["body"]) for m in got], namespace, names)


def test_sqs_fifo_carries_group_and_dedup_ids(cluster, namespace, kubevents_factory, moto, iam,
                                              aws_env):
    queue_name = unique("fifo") + ".fifo"
    queue = create_queue(Aws(moto), queue_name)
    key_id, secret = iam
    names = bulk_names(50, "fifo")
    with enforced_auth(moto):
        start(kubevents_factory, namespace,
                   f"    sqs:\n      queueName: {queue_name}\n      endpoint: {moto.url}\n",
                   key_id, secret, aws_env)
        cluster.create_events(namespace, names, threads=1)
        got = Aws(moto, key_id, secret).run('''
            sqs = client("sqs")
            got, deadline = [], time.monotonic() + 90
            while len(got) < ARGS["want"] and time.monotonic() < deadline:
                r = sqs.receive_message(QueueUrl=ARGS["url"], MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                        AttributeNames=["MessageGroupId", "MessageDeduplicationId"])
                for m in r.get("Messages", []):
                    got.append({"body": m["Body"], "group": m["Attributes"]["MessageGroupId"],
                                "dedup": m["Attributes"]["MessageDeduplicationId"]})
                    sqs.delete_message(QueueUrl=ARGS["url"], ReceiptHandle=m["ReceiptHandle"])
            print(json.dumps(got))
        ''', url=queue["url"], want=len(names))
    events = [json.loads(m["body"]) for m in got]
    assert_all_events(events, namespace, names)
    for m, e in zip(got, events):
        io = e["involvedObject"]
        assert m["group"] == f"Pod/{namespace}/{io['name']}"  # no uid on these test events
        assert len(m["dedup"]) == 64
    assert len({m["dedup"] for m in got}) == len(got)


def test_eventbridge_5k(cluster, namespace, kubevents_factory, moto, iam, aws_env):
    bus = unique("bus")
    queue = create_bus_rule_to_queue(Aws(moto), bus, "kubevents.test", unique("eb-q"))
    key_id, secret = iam
    names = bulk_names(BULK)
    with enforced_auth(moto):
        start(kubevents_factory, namespace,
                   f"    eventbridge:\n      source: kubevents.test\n      detailType: KubernetesEvent\n"
                   f"      eventBusName: {bus}\n      region: us-east-1\n      endpoint: {moto.url}\n",
                   key_id, secret, aws_env)
        got = create_while_reading(cluster, namespace, names, lambda: drain_queue(
            Aws(moto, key_id, secret), queue["url"], BULK, timeout=READ_TIMEOUT))
    envelopes = [json.loads(m["body"]) for m in got]
    assert all(e["source"] == "kubevents.test" and e["detail-type"] == "KubernetesEvent"
               for e in envelopes)
    assert_all_events([e["detail"] for e in envelopes], namespace, names)


def test_kinesis_5k_keeps_each_objects_order(cluster, namespace, kubevents_factory, moto, iam,
                                             aws_env):
    """Records are read back per shard (GetRecords); within one partition
    key (the involved object) they must be in the order kubevents watched
    them, which is resourceVersion order."""
    stream = unique("stream")
    create_stream(Aws(moto), stream, shards=2)
    key_id, secret = iam
    names = bulk_names(BULK)
    with enforced_auth(moto):
        start(kubevents_factory, namespace,
                   f"    kinesis:\n      streamName: {stream}\n      region: us-east-1\n"
                   f"      endpoint: {moto.url}\n",
                   key_id, secret, aws_env)
        cluster.create_events(namespace, names)
        records = read_stream(Aws(moto, key_id, secret), stream, BULK, timeout=READ_TIMEOUT)
    events = [json.loads(r["data"]) for r in records]
    assert_all_events(events, namespace, names)
    by_key = collections.defaultdict(list)
    shard_of = {}
    for r, e in zip(records, events):
        io = e["involvedObject"]
        assert r["key"] == f"Pod/{namespace}/{io['name']}"
        assert shard_of.setdefault(r["key"], r["shard"]) == r["shard"], "one key, two shards"
        by_key[r["key"]].append(int(e["metadata"]["resourceVersion"]))
    assert len(by_key) == 10  # create_events spreads events over bulk-0..bulk-9
    for key, rvs in by_key.items():
        assert rvs == sorted(rvs), f"{key}: records out of watch order"
    assert len({r["shard"] for r in records}) == 2


def test_firehose_5k_to_s3_as_json_lines(cluster, namespace, kubevents_factory, moto, iam, aws_env):
    stream, bucket = unique("fh"), unique("fh-bucket")
    create_delivery_stream(Aws(moto), stream, bucket)
    key_id, secret = iam
    names = bulk_names(BULK)
    with enforced_auth(moto):
        start(kubevents_factory, namespace,
                   f"    firehose:\n      deliveryStreamName: {stream}\n      region: us-east-1\n"
                   f"      endpoint: {moto.url}\n      deDot: true\n",
                   key_id, secret, aws_env)
        cluster.create_events(namespace, names)
        out = read_bucket_lines(Aws(moto, key_id, secret), bucket, BULK, timeout=READ_TIMEOUT)
    assert out["torn"] == 0, "an S3 object does not end with a newline"
    assert out["objects"] >= 1
    assert_all_events([json.loads(l) for l in out["lines"]], namespace, names)


def test_cloudwatchlogs_5k_creates_group_and_stream(cluster, namespace, kubevents_factory, moto,
                                                    iam, aws_env):
    group = "/kubevents/" + unique("g")
    key_id, secret = iam
    names = bulk_names(BULK)
    with enforced_auth(moto):
        start(kubevents_factory, namespace,
                   f"    cloudwatchlogs:\n      logGroupName: {group}\n      logStreamName: events\n"
                   f"      region: us-east-1\n      endpoint: {moto.url}\n",
                   key_id, secret, aws_env)
        cluster.create_events(namespace, names)
        got = read_log_stream(Aws(moto, key_id, secret), group, "events", BULK, timeout=READ_TIMEOUT)
    events = [json.loads(e["message"]) for e in got]
    assert_all_events(events, namespace, names)
    for entry, e in zip(got[:50], events[:50]):
        # The log event's time is the Kubernetes event's lastTimestamp (seconds).
        assert entry["timestamp"] % 1000 == 0
        assert time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(entry["timestamp"] // 1000)) == \
            e["lastTimestamp"]


# ---------------------------------------------------------------- wrong secret

def test_wrong_secret_is_signature_does_not_match_reported_once_not_retried(
        cluster, namespace, kubevents_factory, moto, iam, aws_env):
    queue_name = unique("wrong")
    create_queue(Aws(moto), queue_name)
    key_id, _ = iam
    with enforced_auth(moto):
        kv = start(kubevents_factory, namespace,
                   f"    sqs:\n      queueName: {queue_name}\n      endpoint: {moto.url}\n",
                   key_id, "not-the-secret-0123456789abcdefghijklmnop", aws_env)
        cluster.create_event(namespace, "wrong-secret-1")
        kv.wait_log("SignatureDoesNotMatch", timeout=60)
        first = kv.log().count("SignatureDoesNotMatch")
        time.sleep(5)  # long enough for several retries, had there been any
        log = kv.log()
    assert log.count("SignatureDoesNotMatch") == first == 1, log[-3000:]
    assert "not retried" in log
    assert "not-the-secret" not in log
    assert no_retry_warnings(kv), log[-3000:]


def test_role_arn_assumes_the_role_at_moto_sts(cluster, namespace, kubevents_factory, moto, iam,
                                               aws_env):
    """`roleArn`: kubevents' own key (a user allowed sts:AssumeRole and
    nothing else) only calls STS AssumeRole (moto, via AWS_ENDPOINT_URL_STS);
    SQS accepts the messages because they are signed with the role's session."""
    queue_name = unique("role")
    queue = create_queue(Aws(moto), queue_name)
    assume_only = create_iam_user(Aws(moto), action="sts:AssumeRole")
    role_arn = create_role(Aws(moto), principal=assume_only["arn"])
    key_id, secret = iam
    names = bulk_names(20, "role")
    with enforced_auth(moto):
        start(kubevents_factory, namespace,
                   f"    sqs:\n      queueName: {queue_name}\n      endpoint: {moto.url}\n"
                   f"      roleArn: {role_arn}\n",
                   assume_only["key_id"], assume_only["secret"], aws_env,
                   extra_env={"AWS_ENDPOINT_URL_STS": moto.url})
        cluster.create_events(namespace, names, threads=2)
        got = drain_queue(Aws(moto, key_id, secret), queue["url"], len(names), timeout=90)
    assert_all_events([json.loads(m["body"]) for m in got], namespace, names)
