"""The same decompress-parse-filter as `portcullis bench-parse`, with Python's gzip and json.

usage: parse_trail.py DIR   (prints one JSON line: files, events, matching, seconds, eventsPerSecond)
"""
import gzip
import json
import os
import sys
import time

SOURCES = {"apigateway.amazonaws.com", "cognito-idp.amazonaws.com"}


def main():
    paths = [os.path.join(d, f) for d, _, fs in os.walk(sys.argv[1]) for f in fs if f.endswith(".json.gz")]
    start = time.perf_counter()
    events = matching = 0
    for p in paths:
        with gzip.open(p, "rb") as fh:
            records = json.load(fh)["Records"]
        events += len(records)
        matching += sum(1 for r in records if r.get("eventSource") in SOURCES and r.get("eventID") and r.get("eventTime"))
    secs = time.perf_counter() - start
    print(json.dumps({"files": len(paths), "events": events, "matching": matching, "seconds": secs, "eventsPerSecond": events / secs}))


if __name__ == "__main__":
    main()
