"""Write gzipped CloudTrail log files in the trail layout, for scripts/bench.

usage: gen_trail.py DIR FILES EVENTS_PER_FILE
"""
import gzip
import json
import os
import random
import sys

SOURCES = ["apigateway.amazonaws.com", "cognito-idp.amazonaws.com", "ec2.amazonaws.com", "s3.amazonaws.com"]
NAMES = ["CreateApiKey", "GetRestApis", "UpdateStage", "DeleteApiKey", "CreateUsagePlanKey", "DescribeUserPoolClient"]


def record(i, day):
    source = SOURCES[i % len(SOURCES)]
    r = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:jane", "arn": "arn:aws:sts::123456789012:assumed-role/Admin/jane",
                         "accountId": "123456789012", "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin"}}},
        "eventTime": f"2026-11-{day:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
        "eventSource": source,
        "eventName": NAMES[i % len(NAMES)],
        "awsRegion": "eu-west-1",
        "sourceIPAddress": f"203.0.113.{i % 250}",
        "userAgent": "aws-cli/2.15.0 Python/3.11",
        "requestParameters": {"restApiId": f"api{i % 97:05d}", "usagePlanId": f"plan{i % 13}"},
        "responseElements": None if i % 3 else {"id": f"k{i}", "name": f"key-{i}", "enabled": True},
        "requestID": f"req-{day}-{i}",
        "eventID": f"ev-{day}-{i:08d}",
        "readOnly": NAMES[i % len(NAMES)].startswith(("Get", "Describe")),
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "123456789012",
        "eventCategory": "Management",
    }
    if i % 17 == 0:
        r["errorCode"] = "AccessDenied"
        r["errorMessage"] = "User is not authorized to perform this operation"
    return r


def main():
    out, files, per_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    random.seed(7)
    for f in range(files):
        day = 1 + f % 28
        folder = os.path.join(out, "AWSLogs", "123456789012", "CloudTrail", "eu-west-1", "2026", "11", f"{day:02d}")
        os.makedirs(folder, exist_ok=True)
        records = [record(f * per_file + i, day) for i in range(per_file)]
        name = f"123456789012_CloudTrail_eu-west-1_202611{day:02d}T1000Z_{f:05d}.json.gz"
        with gzip.open(os.path.join(folder, name), "wt") as fh:
            json.dump({"Records": records}, fh)


if __name__ == "__main__":
    main()
