#!/usr/bin/env python3
"""Calls and AWS's limits, for scripts/bench catalog.

usage: bench_calls.py ENDPOINT REGION WORKDIR

1. Through a counting proxy (portcullis-dev proxy), how many control-plane calls
   `portcullis apis --detail` and the sequential boto3 script make on the same estate.
2. Through a proxy that imposes API Gateway's account bucket (10 requests/s, burst 40,
   HTTP 429 TooManyRequestsException) and 60 ms of latency per request: the time of
   portcullis with --pace-rps 10, with the pacing it uses against AWS (8/s, burst 20), and of
   boto3; the throttled responses each caused; and the floor, (calls - burst) / rate.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

RATE, BURST, LATENCY_MS = 10.0, 40, 60


def proxy(endpoint, work, *args):
    url_file = os.path.join(work, "proxy.url")
    if os.path.exists(url_file):
        os.remove(url_file)
    p = subprocess.Popen(
        ["target/release/portcullis-dev", "proxy", "--upstream", endpoint, "--url-file", url_file, *args]
    )
    for _ in range(200):
        if os.path.exists(url_file) and os.path.getsize(url_file) > 0:
            break
        time.sleep(0.05)
    with open(url_file) as f:
        return p, f.read().strip()


def counts(url):
    with urllib.request.urlopen(url + "/_proxy/counts") as r:
        return json.load(r)


def reset(url):
    urllib.request.urlopen(urllib.request.Request(url + "/_proxy/reset", method="POST")).read()


def portcullis(url, region, pace_args):
    cmd = ["target/release/portcullis", "--endpoint-url", url, "--region", region, *pace_args,
           "apis", "--detail", "--output", "json"]
    return cmd


def boto3(url, region):
    return [".venv/bin/python", "scripts/bench_boto3.py", url, region]


def timed(cmd):
    """Seconds the command took, or None when it failed."""
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start if done.returncode == 0 else None


def main():
    endpoint, region, work = sys.argv[1:4]
    aws_pacing = os.path.join(work, "aws-pacing.toml")
    with open(aws_pacing, "w") as f:
        f.write("[pacing]\napigateway_rps = 8.0\napigateway_burst = 20\n")

    p, url = proxy(endpoint, work)
    try:
        calls = {}
        for name, cmd in (("portcullis", portcullis(url, region, ["--pace-rps", "0"])), ("boto3", boto3(url, region))):
            reset(url)
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            calls[name] = counts(url)
    finally:
        p.kill()
    print("\ncontrol-plane calls for `apis --detail` (counted at a local proxy):")
    for name, c in calls.items():
        auth = sum(v for k, v in c["operations"].items() if k.endswith("/authorizers"))
        print(f"  {name:12}{c['requests']:6} calls  ({auth} GetAuthorizers)")
    if calls["portcullis"]["requests"] > calls["boto3"]["requests"]:
        print("  NOTE: portcullis made more calls than the sequential boto3 script")

    limited = ["--rps", str(RATE), "--burst", str(BURST), "--latency-ms", str(LATENCY_MS)]
    runs = (
        ("portcullis --pace-rps 10", lambda u: portcullis(u, region, ["--pace-rps", "10"])),
        ("portcullis, AWS pacing 8/s", lambda u: portcullis(u, region, ["--config", aws_pacing])),
        ("boto3 (sequential)", lambda u: boto3(u, region)),
    )
    print(f"\nthrough API Gateway's account bucket ({RATE:g}/s, burst {BURST}) and {LATENCY_MS} ms per request:")
    print(f"  {'':28}{'seconds':>9}{'calls':>7}{'429s':>6}{'floor s':>9}")
    for name, make in runs:
        p, url = proxy(endpoint, work, *limited)
        try:
            # A fresh proxy (a full bucket) for each run.
            seconds = timed(make(url))
            c = counts(url)
        finally:
            p.kill()
        floor = max(0, c["forwarded"] - BURST) / RATE
        took = f"{seconds:9.2f}" if seconds is not None else "   FAILED"
        print(f"  {name:28}{took}{c['forwarded']:7}{c['throttled']:6}{floor:9.2f}")


if __name__ == "__main__":
    main()
