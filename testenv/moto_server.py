"""moto_server with one speed fix, started by testenv/moto.sh.

moto's SQS recomputes every message's visibility and delay on each
SendMessage (the queue's attribute map counts them) and on each
Receive/Delete, and reads the clock for that through a datetime round trip
(about 10 us a call). A queue of a few thousand messages then takes seconds
per call, which makes 5,000-event receiver tests impractical. The clock
below returns the same value (milliseconds since the epoch, UTC) from
time.time(); nothing else in moto changes, so SigV4/IAM enforcement and
the APIs' behaviour are moto's own. A datetime argument keeps moto's path.
"""
import sys
import time

import moto.sqs.models as sqs_models
from moto.server import main

_moto_unix_time_millis = sqs_models.unix_time_millis


def _unix_time_millis(dt=None):
    if dt is not None:
        return _moto_unix_time_millis(dt)
    return time.time() * 1000.0


sqs_models.unix_time_millis = _unix_time_millis

if __name__ == "__main__":
    sys.exit(main())
