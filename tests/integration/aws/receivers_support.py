"""Helpers for the AWS receiver tests (test_receivers.py): boto3 calls run in
moto's venv (testenv/moto.sh pins boto3/botocore there; the pytest
interpreter need not have them), an IAM user whose keys kubevents signs with
while moto enforces SigV4, and read-back loops for each AWS service.

Every boto3 snippet runs in a fresh `python -c` with the endpoint and keys
in its environment and prints one JSON value on stdout."""

import contextlib
import json
import os
import subprocess
import textwrap
import uuid

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account

PRELUDE = textwrap.dedent('''
    import json, os, sys, time
    import boto3
    from botocore.config import Config
    def client(name):
        return boto3.client(name, endpoint_url=os.environ["MOTO_URL"], region_name="us-east-1",
                            aws_access_key_id=os.environ["KEY_ID"],
                            aws_secret_access_key=os.environ["SECRET"],
                            config=Config(retries={"max_attempts": 10, "mode": "standard"}))
    ARGS = json.loads(os.environ["ARGS"])
''')


class Aws:
    """boto3 against moto with the given keys ("testing" works while moto's
    auth is off; the IAM user's keys once it is on)."""

    def __init__(self, moto, key_id="testing", secret="testing"):
        self.moto = moto
        self.key_id = key_id
        self.secret = secret

    def run(self, body, timeout=600, **args):
        env = dict(os.environ, MOTO_URL=self.moto.url, KEY_ID=self.key_id, SECRET=self.secret,
                   ARGS=json.dumps(args))
        for k in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            env.pop(k, None)
        out = subprocess.run([self.moto.python, "-c", PRELUDE + textwrap.dedent(body)], env=env,
                             capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise AssertionError(f"boto3 snippet failed:\n{out.stderr[-4000:]}")
        return json.loads(out.stdout)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create_iam_user(aws, action="*"):
    """An IAM user with an access key and a policy allowing `action` on
    everything ("*" by default): what kubevents and the read-back calls sign
    with once moto enforces auth."""
    return aws.run('''
        iam = client("iam")
        arn = iam.create_user(UserName=ARGS["user"])["User"]["Arn"]
        iam.put_user_policy(UserName=ARGS["user"], PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": ARGS["action"], "Resource": "*"}]}))
        key = iam.create_access_key(UserName=ARGS["user"])["AccessKey"]
        print(json.dumps({"key_id": key["AccessKeyId"], "secret": key["SecretAccessKey"], "arn": arn}))
    ''', user=unique("kubevents"), action=action)


def create_role(aws, principal="arn:aws:iam::123456789012:root"):
    """A role `principal` (default: any principal of moto's account) may
    assume, allowed everything."""
    return aws.run('''
        iam = client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": ARGS["principal"]}}]}
        arn = iam.create_role(RoleName=ARGS["role"], AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        iam.put_role_policy(RoleName=ARGS["role"], PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        print(json.dumps(arn))
    ''', role=unique("kubevents-role"), principal=principal)


def assume_role(aws, role_arn):
    """Session credentials moto issued for `role_arn`, in the shape IMDS serves."""
    return aws.run('''
        c = client("sts").assume_role(RoleArn=ARGS["arn"], RoleSessionName="imds")["Credentials"]
        print(json.dumps({"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
                          "Token": c["SessionToken"]}))
    ''', arn=role_arn)


@contextlib.contextmanager
def enforced_auth(moto):
    """moto checks every request's SigV4 signature and IAM policy inside."""
    moto.set_auth(True)
    try:
        yield
    finally:
        moto.set_auth(False)


# ----------------------------------------------------------- resources

def create_queue(aws, name):
    return aws.run('''
        sqs = client("sqs")
        attrs = {"FifoQueue": "true"} if ARGS["name"].endswith(".fifo") else {}
        url = sqs.create_queue(QueueName=ARGS["name"], Attributes=attrs)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        print(json.dumps({"url": url, "arn": arn}))
    ''', name=name)


def create_topic_to_queue(aws, topic, queue):
    """An SNS topic with an SQS subscription using raw message delivery, so
    the queue receives the published message body unchanged."""
    q = create_queue(aws, queue)
    out = aws.run('''
        sns = client("sns")
        arn = sns.create_topic(Name=ARGS["topic"])["TopicArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=ARGS["queue_arn"],
                      Attributes={"RawMessageDelivery": "true"})
        print(json.dumps(arn))
    ''', topic=topic, queue_arn=q["arn"])
    return out, q


def create_bus_rule_to_queue(aws, bus, source, queue):
    q = create_queue(aws, queue)
    aws.run('''
        ev = client("events")
        ev.create_event_bus(Name=ARGS["bus"])
        ev.put_rule(Name="to-sqs", EventBusName=ARGS["bus"],
                    EventPattern=json.dumps({"source": [ARGS["source"]]}))
        ev.put_targets(Rule="to-sqs", EventBusName=ARGS["bus"],
                       Targets=[{"Id": "q", "Arn": ARGS["queue_arn"]}])
        print("null")
    ''', bus=bus, source=source, queue_arn=q["arn"])
    return q


def create_stream(aws, name, shards=2):
    aws.run('''
        k = client("kinesis")
        k.create_stream(StreamName=ARGS["name"], ShardCount=ARGS["shards"])
        k.get_waiter("stream_exists").wait(StreamName=ARGS["name"], WaiterConfig={"Delay": 1})
        print("null")
    ''', name=name, shards=shards)


def create_delivery_stream(aws, name, bucket):
    aws.run('''
        client("s3").create_bucket(Bucket=ARGS["bucket"])
        client("firehose").create_delivery_stream(
            DeliveryStreamName=ARGS["name"], DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                "BucketARN": "arn:aws:s3:::" + ARGS["bucket"],
                "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})
        print("null")
    ''', name=name, bucket=bucket)


# ----------------------------------------------------------- read-back
# Each loop runs inside one snippet until it has `want` items or its
# deadline passes, and returns what it got (the test asserts on it).

def drain_queue(aws, url, want, timeout=240):
    """Bodies (and attributes) of every message, deleted as read."""
    return aws.run('''
        sqs = client("sqs")
        got = []
        deadline = time.monotonic() + ARGS["deadline"]
        while len(got) < ARGS["want"] and time.monotonic() < deadline:
            r = sqs.receive_message(QueueUrl=ARGS["url"], MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                    MessageAttributeNames=["All"])
            msgs = r.get("Messages", [])
            for m in msgs:
                attrs = {k: v.get("StringValue") for k, v in m.get("MessageAttributes", {}).items()}
                got.append({"body": m["Body"], "attributes": attrs})
            if msgs:
                sqs.delete_message_batch(QueueUrl=ARGS["url"], Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])
        print(json.dumps(got))
    ''', timeout=timeout + 120, url=url, want=want, deadline=timeout)


def read_stream(aws, name, want, timeout=240):
    """Every record of every shard, in each shard's order:
    [{"shard", "key", "data"}]."""
    return aws.run('''
        k = client("kinesis")
        deadline = time.monotonic() + ARGS["deadline"]
        shards = [s["ShardId"] for s in k.list_shards(StreamName=ARGS["name"])["Shards"]]
        while True:
            got = []
            for shard in shards:
                it = k.get_shard_iterator(StreamName=ARGS["name"], ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                while it:
                    r = k.get_records(ShardIterator=it, Limit=10000)
                    for rec in r["Records"]:
                        got.append({"shard": shard, "key": rec["PartitionKey"],
                                    "seq": rec["SequenceNumber"], "data": rec["Data"].decode()})
                    it = r.get("NextShardIterator") if r["Records"] else None
            if len(got) >= ARGS["want"] or time.monotonic() > deadline:
                break
            time.sleep(1)
        print(json.dumps(got))
    ''', timeout=timeout + 120, name=name, want=want, deadline=timeout)


def read_bucket_lines(aws, bucket, want, timeout=240):
    """Every line of every object in the bucket (Firehose's S3 output)."""
    return aws.run('''
        s3 = client("s3")
        deadline = time.monotonic() + ARGS["deadline"]
        while True:
            lines, objects, torn = [], 0, 0
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=ARGS["bucket"]):
                for o in page.get("Contents", []):
                    objects += 1
                    data = s3.get_object(Bucket=ARGS["bucket"], Key=o["Key"])["Body"].read().decode()
                    if data and not data.endswith("\\n"):
                        torn += 1
                    lines.extend(l for l in data.split("\\n") if l)
            if len(lines) >= ARGS["want"] or time.monotonic() > deadline:
                break
            time.sleep(1)
        print(json.dumps({"lines": lines, "objects": objects, "torn": torn}))
    ''', timeout=timeout + 120, bucket=bucket, want=want, deadline=timeout)


def read_log_stream(aws, group, stream, want, timeout=240):
    return aws.run('''
        logs = client("logs")
        deadline = time.monotonic() + ARGS["deadline"]
        while True:
            got, token = [], None
            while True:
                kw = dict(logGroupName=ARGS["group"], logStreamName=ARGS["stream"], startFromHead=True)
                if token:
                    kw["nextToken"] = token
                try:
                    r = logs.get_log_events(**kw)
                except logs.exceptions.ResourceNotFoundException:
                    break
                got.extend({"timestamp": e["timestamp"], "message": e["message"]} for e in r["events"])
                if not r["events"] or r.get("nextForwardToken") == token:
                    break
                token = r.get("nextForwardToken")
            if len(got) >= ARGS["want"] or time.monotonic() > deadline:
                break
            time.sleep(1)
        print(json.dumps(got))
    ''', timeout=timeout + 120, group=group, stream=stream, want=want, deadline=timeout)


# ----------------------------------------------------------- kubevents

def receiver_config(namespace, receiver_yaml, cluster_name="aws-test"):
    """A kubevents config sending every event of `namespace` to one AWS
    receiver named `aws` (receiver_yaml: the kind's block, indented 4)."""
    return f"""
logLevel: info
clusterName: {cluster_name}
route:
  routes:
    - match: [{{namespace: "^{namespace}$", receiver: aws}}]
receivers:
  - name: aws
{receiver_yaml}
"""


def kubevents_env(key_id, secret, home):
    """Only these keys are visible to kubevents' credential chain."""
    env = {"AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": REGION,
           "AWS_EC2_METADATA_DISABLED": "true", "HOME": str(home),
           "AWS_CONFIG_FILE": str(home / "no-config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials")}
    return env

