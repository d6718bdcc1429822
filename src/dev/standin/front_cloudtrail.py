"""The front's CloudTrail LookupEvents, from the trails' log files in moto's S3."""

from front_common import *  # noqa: F401,F403  (the shared names: errors, log, tokens)

# ---------------------------------------------------------------- CloudTrail


# LookupEvents' 2 calls a second per region is the proxy's (src/dev/standin/limits.rs).
LOOKUP_KEYS = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId")

# requestParameters/responseElements members naming a resource, and the type CloudTrail gives it.
RESOURCE_KEYS = {
    "apiKey": "AWS::ApiGateway::ApiKey",
    "apiKeyId": "AWS::ApiGateway::ApiKey",
    "keyId": "AWS::ApiGateway::ApiKey",
    "usagePlanId": "AWS::ApiGateway::UsagePlan",
    "restApiId": "AWS::ApiGateway::RestApi",
    "apiId": "AWS::ApiGatewayV2::Api",
    "stageName": "AWS::ApiGateway::Stage",
    "userPoolId": "AWS::Cognito::UserPool",
    "clientId": "AWS::Cognito::UserPoolClient",
    "clientSecretId": "AWS::Cognito::UserPoolClientSecret",
    "secretId": "AWS::SecretsManager::Secret",
}


def record_resources(record):
    """The event's Resources: the record's own `resources`, else the ids its parameters name."""
    if isinstance(record.get("resources"), list) and record["resources"]:
        out = []
        for r in record["resources"]:
            if isinstance(r, dict) and (r.get("ARN") or r.get("type")):
                out.append({"ResourceType": r.get("type", ""), "ResourceName": r.get("ARN", "")})
        return out
    found = []

    def scan(value, depth):
        if depth > 3:
            return
        if isinstance(value, dict):
            for k, v in value.items():
                kind = RESOURCE_KEYS.get(k)
                # keyId is KMS's word too: an API key only in API Gateway's records.
                if kind and k == "keyId" and record.get("eventSource") != "apigateway.amazonaws.com":
                    kind = None
                if kind and isinstance(v, str) and v and not v.startswith("HIDDEN_DUE_TO"):
                    found.append({"ResourceType": kind, "ResourceName": v})
                else:
                    scan(v, depth + 1)
        elif isinstance(value, list):
            for v in value:
                scan(v, depth + 1)

    scan(record.get("requestParameters"), 0)
    scan(record.get("responseElements"), 0)
    seen, out = set(), []
    for r in found:
        if (r["ResourceType"], r["ResourceName"]) not in seen:
            seen.add((r["ResourceType"], r["ResourceName"]))
            out.append(r)
    return out


def record_username(ui):
    if ui.get("userName"):
        return ui["userName"]
    arn = ui.get("arn") or ""
    if "/" in arn:
        return arn.rsplit("/", 1)[-1]
    issuer = (ui.get("sessionContext") or {}).get("sessionIssuer") or {}
    if issuer.get("userName"):
        return issuer["userName"]
    if ui.get("type") == "Root":
        return "root"
    return ui.get("invokedBy")


def event_of(record):
    """LookupEvents' Event for a trail record, with its time; None when the record has no id or time."""
    try:
        t = epoch(record["eventTime"])
        event_id = record["eventID"]
    except Exception:
        return None
    ui = record.get("userIdentity") or {}
    read_only = record.get("readOnly")
    if read_only is None:
        read_only = str(record.get("eventName", "")).startswith(("Get", "List", "Describe", "Lookup"))
    e = {
        "EventId": event_id,
        "EventName": record.get("eventName", ""),
        "ReadOnly": str(read_only).lower(),
        "EventTime": number(t),
        "EventSource": record.get("eventSource", ""),
        "Resources": record_resources(record),
        "CloudTrailEvent": json.dumps(record),
    }
    if ui.get("accessKeyId"):
        e["AccessKeyId"] = ui["accessKeyId"]
    username = record_username(ui)
    if username:
        e["Username"] = username
    return t, event_id, e


def event_matches(e, key, value):
    if key in ("ResourceType", "ResourceName"):
        return any(r.get(key) == value for r in e["Resources"])
    if key == "ReadOnly":
        return e["ReadOnly"] == value.lower()
    return e.get(key) == value


class TrailLog:
    """The estate's trail log files in moto's S3, read per region (kept 2 s; files by ETag). One
    region's reading (its S3 listing and file fetches, under that region's lock) never waits for
    another's."""

    def __init__(self, estate):
        self.estate = estate
        self.lock = threading.Lock()  # the dicts below only, never held across a call to moto
        self.region_locks = {}
        self.by_region = {}
        self.files = {}

    def events(self, region):
        """[(time, id, Event)] of the region, newest first."""
        with self.lock:
            region_lock = self.region_locks.setdefault((caller_key(), region), threading.Lock())
        with region_lock:
            with self.lock:
                hit = self.by_region.get((caller_key(), region))
            if hit and time.time() - hit[0] < 2.0:
                return hit[1]
            events = self.load(region)
            with self.lock:
                self.by_region[(caller_key(), region)] = (time.time(), events)
            return events

    def load(self, region):
        ct = self.estate.client("cloudtrail", region)
        s3 = self.estate.client("s3", region)
        records, roots = {}, set()
        for trail in ct.describe_trails(includeShadowTrails=True).get("trailList", []):
            bucket = trail.get("S3BucketName")
            prefix = (trail.get("S3KeyPrefix") or "").strip("/")
            root = f"{prefix}/AWSLogs/" if prefix else "AWSLogs/"
            if not bucket or (bucket, root) in roots:
                continue
            roots.add((bucket, root))
            try:
                for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=root):
                    for obj in page.get("Contents", []):
                        if obj["Key"].endswith(".json.gz"):
                            for r in self.file(s3, bucket, obj["Key"], obj.get("ETag", "")):
                                if isinstance(r, dict) and r.get("awsRegion") == region and r.get("eventID"):
                                    records.setdefault(r["eventID"], r)
            except ClientError as e:
                log("LookupEvents", f"{region}: trail {trail.get('Name')}: bucket {bucket}: {code_of(e)}")
        events = [ev for ev in map(event_of, records.values()) if ev]
        events.sort(key=lambda ev: (-ev[0], ev[1]))
        return events

    def file(self, s3, bucket, key, etag):
        with self.lock:
            hit = self.files.get((bucket, key))
        if hit and hit[0] == etag:
            return hit[1]
        try:
            data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            records = json.loads(gzip.decompress(data)).get("Records", [])
            records = records if isinstance(records, list) else []
        except Exception as e:
            log("LookupEvents", f"s3://{bucket}/{key} unreadable: {e!r}")
            records = []
        with self.lock:
            self.files[(bucket, key)] = (etag, records)
        return records



class CloudTrailAnswers:
    """The answers of this part, mixed into the front's listener."""

    # ---- CloudTrail LookupEvents

    def lookup_events(self, body):
        region = self.region()
        req = self.json_body(body)
        invalid_attributes = lambda m: ApiError(400, "InvalidLookupAttributesException", m)
        attrs = req.get("LookupAttributes") or []
        if not isinstance(attrs, list):
            raise invalid_attributes("LookupAttributes must be a list")
        if len(attrs) > 1:
            raise invalid_attributes("You cannot specify more than one lookup attribute.")
        for a in attrs:
            if not isinstance(a, dict) or a.get("AttributeKey") not in LOOKUP_KEYS:
                raise invalid_attributes(f"Invalid lookup attribute key; must be one of {', '.join(LOOKUP_KEYS)}")
            if not isinstance(a.get("AttributeValue"), str) or not a["AttributeValue"]:
                raise invalid_attributes("The lookup attribute value cannot be empty.")
        category = req.get("EventCategory")
        if category not in (None, "insight"):
            raise ApiError(400, "InvalidEventCategoryException", "Invalid EventCategory; the only value is insight")
        size = req.get("MaxResults", 50)
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 50:
            raise ApiError(400, "InvalidMaxResultsException", "MaxResults must be between 1 and 50")
        try:
            start, end = epoch(req.get("StartTime")), epoch(req.get("EndTime"))
        except (ValueError, TypeError):
            raise ApiError(400, "InvalidTimeRangeException", "The start or end time is not a valid timestamp.")
        if start is not None and end is not None and start > end:
            raise ApiError(400, "InvalidTimeRangeException", "The start time must be before the end time.")
        shape = json.dumps([region, attrs, req.get("StartTime"), req.get("EndTime"), category], sort_keys=True)
        digest = hashlib.sha256(shape.encode()).hexdigest()[:16]
        after = None
        if req.get("NextToken") is not None:
            token = decode_token(str(req["NextToken"]))
            well_formed = token and isinstance(token.get("a"), list) and len(token["a"]) == 2
            well_formed = well_formed and all(isinstance(token.get(k), (int, float)) for k in ("s", "e"))
            if not well_formed or token.get("h") != digest:
                raise ApiError(400, "InvalidNextTokenException", "Invalid NextToken")
            start, end, after = token["s"], token["e"], (token["a"][0], token["a"][1])
        else:
            now = time.time()
            end = now if end is None else end
            start = end - 90 * 86400 if start is None else start
            if start > end:
                raise ApiError(400, "InvalidTimeRangeException", "The start time must be before the end time.")
        events = [] if category == "insight" else self.trail.events(region)
        hits = []
        for t, event_id, e in events:
            if not start <= t <= end:
                continue
            if after is not None and (-t, event_id) <= (-after[0], after[1]):
                continue
            if attrs and not event_matches(e, attrs[0]["AttributeKey"], attrs[0]["AttributeValue"]):
                continue
            hits.append((t, event_id, e))
            if len(hits) > size:
                break
        out = {"Events": [e for _, _, e in hits[:size]]}
        if len(hits) > size:
            last = hits[size - 1]
            out["NextToken"] = encode_token({"h": digest, "s": start, "e": end, "a": [last[0], last[1]]})
        self.send_json(200, out, content_type=JSON11)
        more = ", more" if "NextToken" in out else ""
        log("LookupEvents", f"{region} 200 {len(out['Events'])} events{more}")
