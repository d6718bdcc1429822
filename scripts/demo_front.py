"""The demo's AWS endpoint (`demo_upstream.py --front`): what moto lacks, answered in the wire
format of the AWS API reference (the app's real aws-sdk-rust parses it); every other call is
passed through to moto untouched. The region of a call is its SigV4 credential scope's.

API Gateway (REST JSON; errors {"message": ...} with x-amzn-ErrorType):
  GET /usageplans/{id}/usage      GetUsage: per key of the plan, one [used, remaining] pair per day
                                  from startDate to endDate, consistent with the plan's quota
                                  (remaining counts down through each quota period; the plan's first
                                  key runs close to its quota), the same numbers on every call;
                                  BadRequestException when endDate is before startDate or the
                                  range is longer than 120 days (90 and some slack).
  GET /restapis/{id}/stages/{stage}/exports/oas30
                                  GetExport as OpenAPI 3.0.1, built from moto's API (resources and
                                  methods with their request parameters, models and method
                                  responses; models as components.schemas; API keys, Cognito, IAM
                                  and Lambda authorizers as securitySchemes), the documentation
                                  parts below merged in (by API Gateway's location and
                                  inheritance rules); `extensions=integrations|apigateway` adds
                                  x-amazon-apigateway-integration; Accept application/yaml is
                                  answered as JSON text (valid YAML). `swagger` exports pass through.
  /restapis/{id}/documentation/parts[/{part}]
                                  Create (POST, 201), GetDocumentationParts (GET, `item` and
                                  `position`), GetDocumentationPart, UpdateDocumentationPart
                                  (PATCH /properties), DeleteDocumentationPart (202): kept here in
                                  memory per region and API (moto has none of them).
API Gateway v2 (REST JSON):
  GET /v2/apis/{id}/exports/OAS30 ExportApi as OpenAPI 3.0.1 from moto's HTTP API: routes,
                                  integrations, JWT/Lambda/IAM authorization (the authorizers the
                                  routes use: moto has no v2 GetAuthorizers), the stage as server;
                                  outputType YAML is answered as JSON text (valid YAML).
CloudTrail (JSON 1.1, X-Amz-Target CloudTrail_20131101.LookupEvents):
  LookupEvents                    the events of the trail log files the region's trails (moto's
                                  DescribeTrails) wrote to moto's S3 (every *.json.gz under
                                  [prefix/]AWSLogs/), newest first, filtered by time range and one
                                  lookup attribute, 50 a page with NextToken; 2 calls/s (burst 5)
                                  per region, ThrottlingException beyond.
Cognito (JSON 1.1, X-Amz-Target AWSCognitoIdentityProviderService.*):
  Add/List/DeleteUserPoolClientSecret
                                  the two-secret model, in memory here and shared with the token
                                  endpoint of demo_upstream.py: a client's first secret is moto's
                                  ClientSecret; at most two; the last cannot be deleted.
                                  DeleteUserPoolClient/DeleteUserPool pass through and drop that
                                  state.
Every answer logs one line to stderr with its operation (never a secret value); whatever goes
wrong answers 500 InternalFailure rather than dropping the connection.
"""

import base64
import datetime
import gzip
import hashlib
import hmac
import http.client
import json
import re
import secrets as random_source
import string
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

from botocore.exceptions import ClientError

JSON11 = "application/x-amz-json-1.1"
CLOUDTRAIL = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
COGNITO = "AWSCognitoIdentityProviderService."
UTC = datetime.timezone.utc


class ApiError(Exception):
    """An error answer: HTTP status, AWS error code, message."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def log(op, detail):
    print(f"demo_front: {op} {detail}", file=sys.stderr, flush=True)


def code_of(e: ClientError) -> str:
    return e.response.get("Error", {}).get("Code", "")


def region_of(authorization, default):
    m = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/", authorization)
    return m.group(1) if m else default


def encode_token(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def decode_token(token: str):
    """The dict a token encodes, or None when it is not one of ours."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return data if isinstance(data, dict) else None
    except Exception:
        return None


def epoch(value):
    """An awsJson timestamp (epoch seconds; ISO 8601 accepted too) as float, None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("not a timestamp")
    if isinstance(value, (int, float)):
        return float(value)
    return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def number(t: float):
    return int(t) if float(t).is_integer() else t


# ---------------------------------------------------------------- GetUsage


USAGE_MAX_DAYS = 120


def period_start(day, period):
    if period == "DAY":
        return day
    if period == "WEEK":
        return day - datetime.timedelta(days=day.weekday())
    return day.replace(day=1)


def daily(key, days, limit, period, near):
    """[used, remaining] per day: a steady weekday load with quieter weekends, the same for the
    same key; `near` uses about 90 % of its quota by the end of each period (weekends are quieter), the
    others 15-50 %."""
    seed = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    per_period_days = {"DAY": 1, "WEEK": 7}.get(period, 30)
    # A daily quota is near when most days use 70-100 % of it; a longer one when its period ends near it.
    share = (0.85 if period == "DAY" else 1.12) if near else 0.2 + (seed % 40) / 100
    base = (limit * share / per_period_days) if limit else 100 + seed % 900
    out, used_in_period, current = [], 0, None
    for d in days:
        p = period_start(d, period)
        if p != current:
            current, used_in_period = p, 0
        wobble = 0.8 + ((seed >> (d.toordinal() % 16)) % 40) / 100
        weekend = 0.5 if d.weekday() >= 5 else 1.0
        used = int(base * wobble * weekend)
        if limit:
            used = min(used, max(0, limit - used_in_period))
        used_in_period += used
        out.append([used, max(0, limit - used_in_period) if limit else 0])
    return out


# ---------------------------------------------------------------- CloudTrail


class TokenBucket:
    def __init__(self, rate, burst):
        self.rate, self.burst, self.tokens, self.at = rate, burst, float(burst), time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False


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
    another's; the throttle's buckets have a lock of their own, never held across a call to moto."""

    def __init__(self, estate):
        self.estate = estate
        self.lock = threading.Lock()  # the dicts below only, never held across a call to moto
        self.region_locks = {}
        self.by_region = {}
        self.files = {}
        self.buckets_lock = threading.Lock()
        self.buckets = {}

    def bucket(self, region) -> TokenBucket:
        with self.buckets_lock:
            return self.buckets.setdefault(region, TokenBucket(2.0, 5))

    def events(self, region):
        """[(time, id, Event)] of the region, newest first."""
        with self.lock:
            region_lock = self.region_locks.setdefault(region, threading.Lock())
        with region_lock:
            with self.lock:
                hit = self.by_region.get(region)
            if hit and time.time() - hit[0] < 2.0:
                return hit[1]
            events = self.load(region)
            with self.lock:
                self.by_region[region] = (time.time(), events)
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


# ---------------------------------------------------------------- Cognito client secrets


def generated_secret() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(random_source.choice(alphabet) for _ in range(51))


SECRET_VALUE = re.compile(r"[\w+]{24,64}", re.ASCII)
NAME_STAMP = re.compile(r"/(\d{8}T\d{6}Z)$")


class ClientSecrets:
    """App clients' secrets (at most two active), seeded from moto on first touch."""

    def __init__(self, estate):
        self.estate = estate
        self.lock = threading.Lock()
        self.state = {}  # (pool, client id) -> {"secrets": [{id, created, value}], "issued": set()}

    def describe(self, region, pool, client_id):
        """moto's DescribeUserPoolClient, ResourceNotFoundException when the pool or client is not there."""
        c = self.estate.client("cognito-idp", region)
        try:
            return c.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)["UserPoolClient"]
        except ClientError as e:
            if code_of(e) in ("ResourceNotFoundException", "InvalidParameterException"):
                self.drop(pool, client_id)
                raise ApiError(400, "ResourceNotFoundException", f"User pool client {client_id} does not exist.")
            raise

    def entry(self, described):
        """The client's state, seeded from its description (lock held)."""
        key = (described["UserPoolId"], described["ClientId"])
        if key not in self.state:
            secrets = []
            if described.get("ClientSecret"):
                m = NAME_STAMP.search(described.get("ClientName") or "")
                if m:
                    created = datetime.datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
                elif isinstance(described.get("CreationDate"), datetime.datetime):
                    created = described["CreationDate"].timestamp()
                else:
                    created = time.time()  # moto's app clients have no CreationDate
                secrets.append({"id": f"{key[1]}--{int(created)}", "created": int(created), "value": described["ClientSecret"]})
            self.state[key] = {"secrets": secrets, "issued": {s["id"] for s in secrets}}
        return self.state[key]

    def listing(self, described):
        with self.lock:
            return [dict(s) for s in sorted(self.entry(described)["secrets"], key=lambda s: (s["created"], s["id"]))]

    def add(self, described, value):
        with self.lock:
            entry = self.entry(described)
            if not entry["secrets"]:
                raise ApiError(400, "InvalidParameterException", "Client secrets can only be added to a confidential app client (one generated with a secret).")
            if len(entry["secrets"]) >= 2:
                raise ApiError(400, "LimitExceededException", "An app client can have at most 2 client secrets; delete one first.")
            now = int(time.time())
            n = now
            while f"{described['ClientId']}--{n}" in entry["issued"]:
                n += 1
            secret = {"id": f"{described['ClientId']}--{n}", "created": now, "value": value}
            entry["secrets"].append(secret)
            entry["issued"].add(secret["id"])
            return dict(secret)

    def delete(self, described, secret_id):
        with self.lock:
            entry = self.entry(described)
            hit = next((s for s in entry["secrets"] if s["id"] == secret_id), None)
            if hit is None:
                raise ApiError(400, "ResourceNotFoundException", f"Client secret {secret_id} does not exist.")
            if len(entry["secrets"]) == 1:
                raise ApiError(400, "InvalidParameterException", "The last client secret of an app client cannot be deleted.")
            entry["secrets"].remove(hit)

    def accepts(self, described, value) -> bool:
        """Whether `value` is one of the client's active secrets (the token endpoint's check)."""
        with self.lock:
            active = [s["value"] for s in self.entry(described)["secrets"]]
        return any(hmac.compare_digest(v.encode(), (value or "").encode()) for v in active)

    def drop(self, pool, client_id=None):
        with self.lock:
            for key in [k for k in self.state if k[0] == pool and (client_id is None or k[1] == client_id)]:
                del self.state[key]


# ---------------------------------------------------------------- documentation parts

LOCATION_FIELDS = {
    "API": (),
    "AUTHORIZER": ("name",),
    "MODEL": ("name",),
    "RESOURCE": ("path",),
    "METHOD": ("path", "method"),
    "PATH_PARAMETER": ("path", "method", "name"),
    "QUERY_PARAMETER": ("path", "method", "name"),
    "REQUEST_HEADER": ("path", "method", "name"),
    "REQUEST_BODY": ("path", "method"),
    "RESPONSE": ("path", "method", "statusCode"),
    "RESPONSE_HEADER": ("path", "method", "statusCode", "name"),
    "RESPONSE_BODY": ("path", "method", "statusCode"),
}
LOCATION_DEFAULTS = {"path": "/", "method": "*", "statusCode": "*"}


def bad_request(message):
    return ApiError(400, "BadRequestException", message)


def normalized_location(location):
    """The location with only the fields its type has, defaults filled in (API Gateway's rules)."""
    if not isinstance(location, dict) or location.get("type") not in LOCATION_FIELDS:
        kinds = ", ".join(LOCATION_FIELDS)
        raise bad_request(f"Invalid documentation part location type; must be one of [{kinds}]")
    out = {"type": location["type"]}
    for field in LOCATION_FIELDS[location["type"]]:
        value = location.get(field)
        if value in (None, ""):
            if field == "name":
                raise bad_request(f"Documentation part location of type {location['type']} requires a name")
            value = LOCATION_DEFAULTS[field]
        if not isinstance(value, str):
            raise bad_request(f"Invalid location {field}")
        out[field] = value.upper() if field == "method" else value
    return out


def object_properties(text):
    try:
        props = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        props = None
    if not isinstance(props, dict):
        raise bad_request("Documentation part properties must be a JSON object")
    return props


class DocumentationParts:
    def __init__(self):
        self.lock = threading.Lock()
        self.parts = {}  # (region, api) -> {id: part}

    def of(self, region, api_id):
        with self.lock:
            return [json.loads(json.dumps(p)) for p in self.parts.get((region, api_id), {}).values()]

    def create(self, region, api_id, location, properties):
        location = normalized_location(location)
        object_properties(properties)
        with self.lock:
            parts = self.parts.setdefault((region, api_id), {})
            if any(p["location"] == location for p in parts.values()):
                raise ApiError(409, "ConflictException", "Documentation part already exists for the specified location")
            while True:
                part_id = "".join(random_source.choice(string.ascii_lowercase + string.digits) for _ in range(6))
                if part_id not in parts:
                    break
            parts[part_id] = {"id": part_id, "location": location, "properties": properties}
            return dict(parts[part_id])

    def get(self, region, api_id, part_id):
        with self.lock:
            part = self.parts.get((region, api_id), {}).get(part_id)
            if part is None:
                raise ApiError(404, "NotFoundException", "Invalid Documentation part identifier specified")
            return json.loads(json.dumps(part))

    def update(self, region, api_id, part_id, operations):
        with self.lock:
            part = self.parts.get((region, api_id), {}).get(part_id)
            if part is None:
                raise ApiError(404, "NotFoundException", "Invalid Documentation part identifier specified")
            for op in operations or []:
                if op.get("op") != "replace" or op.get("path") != "/properties":
                    raise bad_request(f"Invalid patch path {op.get('path')}")
                object_properties(op.get("value"))
                part["properties"] = op["value"]
            return json.loads(json.dumps(part))

    def delete(self, region, api_id, part_id):
        with self.lock:
            if self.parts.get((region, api_id), {}).pop(part_id, None) is None:
                raise ApiError(404, "NotFoundException", "Invalid Documentation part identifier specified")

    def drop(self, region, api_id):
        with self.lock:
            self.parts.pop((region, api_id), None)


# ---------------------------------------------------------------- OpenAPI exports

REQUEST_PARAMETER = re.compile(r"(?:method|route)\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)")
PARAMETER_IN = {"path": "path", "querystring": "query", "multivaluequerystring": "query", "header": "header", "multivalueheader": "header"}
BUILT_IN_MODELS = {
    "Empty": {"title": "Empty Schema", "type": "object"},
    "Error": {"title": "Error Schema", "type": "object", "properties": {"message": {"type": "string"}}},
}
SIGV4 = {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}


def operation_key(method):
    return "x-amazon-apigateway-any-method" if method.upper() in ("ANY", "$DEFAULT", "*") else method.lower()


def path_parameters(path, plus_in_name):
    """A required string parameter for each {name} / {name+} segment."""
    out = []
    for name in re.findall(r"\{([^}]+)\}", path):
        if not plus_in_name:
            name = name.rstrip("+")
        out.append({"name": name, "in": "path", "required": True, "schema": {"type": "string"}})
    return out


def request_parameters(params, existing):
    """OpenAPI parameters for API Gateway's `method.request.<where>.<name>: required` map."""
    out = list(existing)
    for key, required in (params or {}).items():
        m = REQUEST_PARAMETER.fullmatch(key)
        if not m:
            continue
        where, name = PARAMETER_IN[m.group(1)], m.group(2)
        if isinstance(required, dict):  # apigatewayv2: {"Required": bool}
            required = required.get("Required", False)
        if any(p["name"] == name and p["in"] == where for p in out):
            continue
        out.append({"name": name, "in": where, "required": True if where == "path" else bool(required), "schema": {"type": "string"}})
    return out


def header_of(identity_source, default="Authorization"):
    for part in re.split(r"\s*,\s*", identity_source or ""):
        m = re.fullmatch(r"(?:method\.request|\$request)\.header\.(.+)", part.strip())
        if m:
            return m.group(1)
    return default


def iso(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def without_extensions(value):
    if isinstance(value, dict):
        return {k: without_extensions(v) for k, v in value.items() if not k.startswith("x-amazon-apigateway")}
    return value


def server_of(api_id, region, base_path):
    return {
        "url": f"https://{api_id}.execute-api.{region}.amazonaws.com/{{basePath}}",
        "variables": {"basePath": {"default": base_path}},
    }


def lower_first(key):
    return key[:1].lower() + key[1:]


def rest_integration(i):
    """x-amazon-apigateway-integration for a REST method's integration."""
    out = {"type": i.get("type", "MOCK").lower()}
    for src, dst in (("httpMethod", "httpMethod"), ("uri", "uri"), ("credentials", "credentials"), ("connectionType", "connectionType"),
                     ("connectionId", "connectionId"), ("requestParameters", "requestParameters"), ("requestTemplates", "requestTemplates"),
                     ("contentHandling", "contentHandling"), ("timeoutInMillis", "timeoutInMillis"), ("cacheNamespace", "cacheNamespace"),
                     ("cacheKeyParameters", "cacheKeyParameters")):
        if i.get(src) not in (None, "", [], {}):
            out[dst] = i[src]
    if i.get("passthroughBehavior"):
        out["passthroughBehavior"] = i["passthroughBehavior"].lower()
    responses = {}
    for code, r in (i.get("integrationResponses") or {}).items():
        entry = {"statusCode": r.get("statusCode", code)}
        for k in ("responseParameters", "responseTemplates", "contentHandling"):
            if r.get(k):
                entry[k] = r[k]
        responses[r.get("selectionPattern") or "default"] = entry
    if responses:
        out["responses"] = responses
    return out


def schema_of(model, api_id):
    try:
        schema = json.loads(model.get("schema") or "{}")
    except ValueError:
        schema = {}
    if not isinstance(schema, dict):
        schema = {}
    schema.pop("$schema", None)
    # Models name each other by URL; the export names them as components.
    prefix = re.compile(r"https://apigateway\.amazonaws\.com/restapis/[^/]+/models/")

    def refs(v):
        if isinstance(v, dict):
            return {k: (prefix.sub("#/components/schemas/", x) if k == "$ref" and isinstance(x, str) else refs(x)) for k, x in v.items()}
        if isinstance(v, list):
            return [refs(x) for x in v]
        return v

    return refs(schema)


# Content inheritance (API Gateway's "Representation of API documentation" and DocumentationPartLocation):
# these types apply to every entity whose path their path is a prefix of (by whole segments), whose
# method is theirs or any (`*`) and whose status code is theirs or any; the most specific part wins
# (path over method over statusCode). The others (API, AUTHORIZER, METHOD, MODEL, REQUEST_BODY,
# RESOURCE) document their own location only.
INHERITING = ("PATH_PARAMETER", "QUERY_PARAMETER", "REQUEST_HEADER", "RESPONSE", "RESPONSE_HEADER", "RESPONSE_BODY")
PARAMETER_TYPES = {"PATH_PARAMETER": "path", "QUERY_PARAMETER": "query", "REQUEST_HEADER": "header"}


def path_segments(path):
    return [s for s in (path or "/").split("/") if s]


def own_method(part_method, verb):
    """Whether a non-inheriting part's method names the operation's: exactly, `*` (any method)
    naming the ANY method only."""
    m = (part_method or "*").upper()
    return m == verb or (m == "*" and verb == "ANY")


def inherited(parts, kind, path, verb, status=None, name=None):
    """The properties of the one `kind` part that applies to the entity, None when none does."""
    if kind not in INHERITING:
        return None
    segments, best, best_rank = path_segments(path), None, None
    for loc, props in parts:
        if loc["type"] != kind or (name is not None and loc.get("name") != name):
            continue
        prefix = path_segments(loc.get("path"))
        method, code = loc.get("method", "*"), loc.get("statusCode", "*")
        if segments[: len(prefix)] != prefix or method not in ("*", verb) or (status is not None and code not in ("*", status)):
            continue
        rank = (len(prefix), method != "*", code != "*")
        if best_rank is None or rank > best_rank:
            best, best_rank = props, rank
    return best


def merge_documentation(doc, parts, operations):
    """API Gateway's documentation parts into the export, by its location rules (above)."""
    located = []
    for part in parts:
        try:
            props = json.loads(part["properties"])
        except (TypeError, ValueError):
            continue
        if isinstance(props, dict):
            located.append((part["location"], props))
    components = doc.get("components", {})
    for loc, props in located:
        kind = loc["type"]
        if kind == "API":
            doc["info"].update(props)
        elif kind == "MODEL":
            schema = components.get("schemas", {}).get(loc["name"])
            if schema is not None and "description" in props:
                schema["description"] = props["description"]
        elif kind == "AUTHORIZER":
            scheme = components.get("securitySchemes", {}).get(loc["name"])
            if scheme is not None and "description" in props:
                scheme["description"] = props["description"]
        # RESOURCE has no place of its own in an OpenAPI 3 operation.
    # A METHOD or REQUEST_BODY part documents its own path and method only (`*`, any method, being
    # the ANY method's; the ANY method's own part over it).
    own = sorted(located, key=lambda lp: lp[0].get("method", "*") != "*")
    for (path, verb), op in operations.items():
        for loc, props in own:
            if loc["type"] not in ("METHOD", "REQUEST_BODY") or path_segments(loc.get("path")) != path_segments(path):
                continue
            if not own_method(loc.get("method"), verb):
                continue
            if loc["type"] == "METHOD":
                for k in ("summary", "description", "tags", "deprecated", "externalDocs"):
                    if k in props:
                        op[k] = props[k]
            elif loc["type"] == "REQUEST_BODY" and "requestBody" in op and "description" in props:
                op["requestBody"]["description"] = props["description"]
        for p in op.get("parameters", []):
            kind = next((k for k, where in PARAMETER_TYPES.items() if where == p["in"]), None)
            props = inherited(located, kind, path, verb, name=p["name"]) if kind else None
            if props and "description" in props:
                p["description"] = props["description"]
        for code, response in op.get("responses", {}).items():
            props = inherited(located, "RESPONSE", path, verb, status=code)
            if props and "description" in props:
                response["description"] = props["description"]
            for header, value in response.get("headers", {}).items():
                props = inherited(located, "RESPONSE_HEADER", path, verb, status=code, name=header)
                if props and "description" in props:
                    value["description"] = props["description"]
        # RESPONSE_BODY has no place of its own in OpenAPI 3's objects.


# ---------------------------------------------------------------- the listener


class Front(BaseHTTPRequestHandler):
    """The demo's AWS endpoint: what moto lacks answered here, the rest passed through."""

    protocol_version = "HTTP/1.1"
    estate = None
    secrets: ClientSecrets = None
    trail: TrailLog = None
    docs: DocumentationParts = None
    account_id = None

    @classmethod
    def install(cls, estate, secrets):
        cls.estate, cls.secrets = estate, secrets
        cls.trail, cls.docs = TrailLog(estate), DocumentationParts()

    def log_message(self, *args):
        pass

    # ---- answers

    def send_body(self, status, data: bytes, content_type, headers=None):
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_json(self, status, payload, headers=None, content_type="application/json"):
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_body(status, data, content_type, headers)

    def send_error_answer(self, e: ApiError):
        if self.json_protocol:
            self.send_json(e.status, {"__type": e.code, "message": e.message}, content_type=JSON11)
        else:
            self.send_json(e.status, {"message": e.message}, {"x-amzn-ErrorType": e.code})

    def region(self):
        return region_of(self.headers.get("authorization", ""), self.estate.regions[0])

    def account(self):
        if Front.account_id is None:
            try:
                Front.account_id = self.estate.client("sts", self.estate.regions[0]).get_caller_identity()["Account"]
            except Exception:
                return "123456789012"
        return Front.account_id

    # ---- dispatch

    def read_body(self):
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        n = int(self.headers.get("content-length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self):
        body = self.read_body()
        target = self.headers.get("x-amz-target", "")
        self.json_protocol = bool(target)
        op = target.rsplit(".", 1)[-1] if target else f"{self.command} {urlsplit(self.path).path}"
        try:
            handler = self.route(target, urlsplit(self.path))
            if handler is None:
                return self.pass_through(body)
            op, fn = handler
            fn(body)
        except ApiError as e:
            log(op, f"{self.region()} {e.status} {e.code}: {e.message}")
            self.send_error_answer(e)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the caller went away mid-answer: nobody to answer
        except Exception as e:
            log(op, f"{self.command} {self.path}: {e!r}")
            self.send_error_answer(ApiError(500, "InternalFailure", "Internal server error"))

    def route(self, target, url):
        """(operation name, handler of the body) for what is answered here, None to pass through."""
        if target:
            name = target.rsplit(".", 1)[-1]
            # botocore sends the long prefix, the Rust SDK `CloudTrail_20131101.` alone: both are CloudTrail's.
            if target in (CLOUDTRAIL + "LookupEvents", CLOUDTRAIL.split(".")[-2] + ".LookupEvents"):
                return name, self.lookup_events
            if target in (COGNITO + "AddUserPoolClientSecret", COGNITO + "ListUserPoolClientSecrets", COGNITO + "DeleteUserPoolClientSecret"):
                return name, lambda body: self.client_secrets(name, body)
            if target in (COGNITO + "DeleteUserPoolClient", COGNITO + "DeleteUserPool"):
                return name, lambda body: self.deleting_app_client(body)
            return None
        path, q = url.path, {k: v[0] for k, v in parse_qs(url.query).items()}
        segments = [unquote(s) for s in path.split("/")[1:]]
        if self.command == "GET" and re.fullmatch(r"/usageplans/[^/]+/usage", path):
            return "GetUsage", lambda body: self.usage(segments[1], q)
        if self.command == "GET" and re.fullmatch(r"/v2/apis/[^/]+/exports/[^/]+", path):
            return "ExportApi", lambda body: self.export_api(segments[2], segments[4], q)
        m = re.fullmatch(r"/restapis/[^/]+/stages/[^/]+/exports/([^/]+)/?", path)
        if self.command == "GET" and m and unquote(m.group(1)).lower() == "oas30":
            return "GetExport", lambda body: self.rest_export(segments[1], segments[3], q)
        if re.fullmatch(r"/restapis/[^/]+/documentation/parts/?", path):
            if self.command == "POST":
                return "CreateDocumentationPart", lambda body: self.create_part(segments[1], body)
            if self.command == "GET":
                return "GetDocumentationParts", lambda body: self.list_parts(segments[1], q)
        if re.fullmatch(r"/restapis/[^/]+/documentation/parts/[^/]+", path):
            name = {"GET": "GetDocumentationPart", "DELETE": "DeleteDocumentationPart", "PATCH": "UpdateDocumentationPart"}.get(self.command)
            if name:
                return name, lambda body: self.one_part(name, segments[1], segments[4], body)
        if self.command == "DELETE" and re.fullmatch(r"/restapis/[^/]+", path):
            return "DeleteRestApi", lambda body: self.deleting_rest_api(segments[1], body)
        return None

    def pass_through(self, body):
        """The call sent on to moto as it came (http.client: urllib would add a form content type
        to a body without one, and moto would then read an S3 XML body as a form)."""
        skip = ("host", "connection", "content-length", "transfer-encoding", "expect")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        target = urlsplit(self.estate.moto)
        conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=60)
        try:
            conn.request(self.command, self.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            status, rheaders, data = resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()
        self.send_response(status)
        # A HEAD answer's body is empty but its Content-Length is the resource's: moto's, unchanged.
        dropped = ("connection", "transfer-encoding", "server", "date") + (() if self.command == "HEAD" else ("content-length",))
        for k, v in rheaders:
            if k.lower() not in dropped:
                self.send_header(k, v)
        if self.command != "HEAD":
            self.send_header("content-length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        return status

    def json_body(self, body):
        try:
            value = json.loads(body or b"{}")
        except ValueError:
            raise ApiError(400, "SerializationException", "The request body is not valid JSON")
        if not isinstance(value, dict):
            raise ApiError(400, "SerializationException", "The request body is not a JSON object")
        return value

    # ---- GetUsage

    def usage(self, plan_id, q):
        """GetUsage's JSON: {usagePlanId, startDate, endDate, values: {keyId: [[used, remaining], ...]}}."""
        gw = self.estate.client("apigateway", self.region())
        try:
            plan = gw.get_usage_plan(usagePlanId=plan_id)
        except ClientError as e:
            if code_of(e) == "NotFoundException":
                raise ApiError(404, "NotFoundException", "Invalid Usage Plan ID specified")
            raise
        try:
            start = datetime.date.fromisoformat(q["startDate"])
            end = datetime.date.fromisoformat(q["endDate"])
        except (KeyError, ValueError):
            raise bad_request("Invalid date")
        if end < start:
            raise bad_request("The end date must not be before the start date")
        # GetUsage serves the last 90 days (the app asks for at most 90, today included); some slack.
        if (end - start).days + 1 > USAGE_MAX_DAYS:
            raise bad_request(f"The date range must not be longer than {USAGE_MAX_DAYS} days")
        keys = sorted(k["id"] for k in gw.get_usage_plan_keys(usagePlanId=plan_id, limit=500).get("items", []))
        # The plan's first key runs close to its quota, whether or not one key is asked for.
        near = keys[0] if keys else None
        if q.get("keyId"):
            keys = [k for k in keys if k == q["keyId"]]
        quota = plan.get("quota") or {}
        limit, period = quota.get("limit", 0), quota.get("period", "MONTH")
        days = [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]
        items = {key: daily(key, days, limit, period, near=(key == near)) for key in keys}
        # The wire name of GetUsage's `items` is `values` (the API reference's JSON).
        self.send_json(200, {"usagePlanId": plan_id, "startDate": q["startDate"], "endDate": q["endDate"], "values": items})
        log("GetUsage", f"{self.region()} 200 plan {plan_id}: {len(items)} keys, {len(days)} days")

    # ---- CloudTrail LookupEvents

    def lookup_events(self, body):
        region = self.region()
        if not self.trail.bucket(region).take():
            raise ApiError(400, "ThrottlingException", "Rate exceeded")
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

    # ---- Cognito client secrets

    def client_secrets(self, op, body):
        region = self.region()
        req = self.json_body(body)
        for member in ("UserPoolId", "ClientId") + (("ClientSecretId",) if op == "DeleteUserPoolClientSecret" else ()):
            if not isinstance(req.get(member), str) or not req[member]:
                raise ApiError(400, "InvalidParameterException", f"1 validation error detected: Value at '{member[0].lower() + member[1:]}' failed to satisfy constraint: Member must not be null")
        pool, client_id = req["UserPoolId"], req["ClientId"]
        described = self.secrets.describe(region, pool, client_id)
        if op == "ListUserPoolClientSecrets":
            listing = [{"ClientSecretId": s["id"], "ClientSecretCreateDate": s["created"]} for s in self.secrets.listing(described)]
            offset, size = 0, req.get("MaxResults") or len(listing) or 1
            if req.get("NextToken") is not None:
                token = decode_token(str(req["NextToken"]))
                o = token.get("o") if token else None
                if isinstance(o, bool) or not isinstance(o, int) or o < 0:
                    raise ApiError(400, "InvalidParameterException", "Invalid NextToken")
                offset = token["o"]
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise ApiError(400, "InvalidParameterException", "MaxResults must be at least 1")
            out = {"ClientSecrets": listing[offset : offset + size]}
            if offset + size < len(listing):
                out["NextToken"] = encode_token({"o": offset + size})
            log(op, f"{region} 200 client {client_id}: {len(out['ClientSecrets'])} secrets")
            return self.send_json(200, out, content_type=JSON11)
        if op == "AddUserPoolClientSecret":
            value, generated = req.get("ClientSecret"), False
            if value is None:
                value, generated = generated_secret(), True
            elif not isinstance(value, str) or not SECRET_VALUE.fullmatch(value):
                raise ApiError(400, "InvalidParameterException", "1 validation error detected: Value at 'clientSecret' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+ and length 24-64")
            s = self.secrets.add(described, value)
            descriptor = {"ClientSecretId": s["id"], "ClientSecretCreateDate": s["created"]}
            if generated:
                descriptor["ClientSecretValue"] = s["value"]
            log(op, f"{region} 200 client {client_id}: secret {s['id']} ({'generated' if generated else 'given'})")
            return self.send_json(200, {"ClientSecretDescriptor": descriptor}, content_type=JSON11)
        self.secrets.delete(described, req["ClientSecretId"])
        log(op, f"{region} 200 client {client_id}: secret {req['ClientSecretId']} deleted")
        self.send_json(200, {}, content_type=JSON11)

    def deleting_app_client(self, body):
        try:
            req = self.json_body(body)
        except ApiError:
            req = {}  # moto answers that one
        status = self.pass_through(body)
        if 200 <= status < 300 and isinstance(req.get("UserPoolId"), str):
            self.secrets.drop(req["UserPoolId"], req.get("ClientId"))

    # ---- documentation parts

    def rest_api(self, region, api_id):
        gw = self.estate.client("apigateway", region)
        try:
            return gw.get_rest_api(restApiId=api_id)
        except ClientError as e:
            if code_of(e) == "NotFoundException":
                raise ApiError(404, "NotFoundException", f"Invalid API identifier specified {self.account()}:{api_id}")
            raise

    def create_part(self, api_id, body):
        region = self.region()
        self.rest_api(region, api_id)
        req = self.json_body(body)
        if "properties" not in req or "location" not in req:
            raise bad_request("location and properties are required")
        part = self.docs.create(region, api_id, req["location"], req["properties"])
        log("CreateDocumentationPart", f"{region} 201 api {api_id}: {part['id']} {part['location']['type']}")
        self.send_json(201, part)

    def list_parts(self, api_id, q):
        region = self.region()
        self.rest_api(region, api_id)
        parts = self.docs.of(region, api_id)
        if q.get("type"):
            parts = [p for p in parts if p["location"]["type"] == q["type"]]
        if q.get("path"):
            parts = [p for p in parts if p["location"].get("path") == q["path"]]
        if q.get("name"):
            parts = [p for p in parts if q["name"].lower() in (p["location"].get("name") or "").lower()]
        if q.get("locationStatus") == "UNDOCUMENTED":
            parts = []  # every part kept here documents its location
        try:
            limit = int(q.get("limit", 25))
            offset = int(base64.urlsafe_b64decode(q["position"]).decode()) if q.get("position") else 0
        except ValueError:
            raise bad_request("Invalid limit or position")
        if not 1 <= limit <= 500:
            raise bad_request("limit must be between 1 and 500")
        out = {"item": parts[offset : offset + limit]}
        if offset + limit < len(parts):
            out["position"] = base64.urlsafe_b64encode(str(offset + limit).encode()).decode()
        log("GetDocumentationParts", f"{region} 200 api {api_id}: {len(out['item'])} parts")
        self.send_json(200, out)

    def one_part(self, op, api_id, part_id, body):
        region = self.region()
        self.rest_api(region, api_id)
        if op == "GetDocumentationPart":
            self.send_json(200, self.docs.get(region, api_id, part_id))
        elif op == "UpdateDocumentationPart":
            self.send_json(200, self.docs.update(region, api_id, part_id, self.json_body(body).get("patchOperations")))
        else:
            self.docs.delete(region, api_id, part_id)
            self.send_json(202, None)
        log(op, f"{region} api {api_id}: {part_id}")

    def deleting_rest_api(self, api_id, body):
        if 200 <= self.pass_through(body) < 300:
            self.docs.drop(self.region(), api_id)

    # ---- API Gateway GetExport (oas30)

    def rest_export(self, api_id, stage_name, q):
        region = self.region()
        gw = self.estate.client("apigateway", region)
        api = self.rest_api(region, api_id)
        try:
            stage = gw.get_stage(restApiId=api_id, stageName=stage_name)
        except ClientError as e:
            if code_of(e) == "NotFoundException":
                raise ApiError(404, "NotFoundException", "Invalid stage identifier specified")
            raise
        extensions = {x.strip() for x in q.get("extensions", "").split(",") if x.strip()}
        with_integrations = bool(extensions & {"integrations", "apigateway"})
        version = api.get("version")
        if not version or version == "V1":  # moto's placeholder for an API created without one
            try:
                version = iso(gw.get_deployment(restApiId=api_id, deploymentId=stage["deploymentId"])["createdDate"])
            except Exception:
                version = iso(api["createdDate"])
        info = {"title": api.get("name", "")}
        if api.get("description"):
            info["description"] = api["description"]
        info["version"] = version
        doc = {"openapi": "3.0.1", "info": info, "servers": [server_of(api_id, region, stage_name)], "paths": {}}

        models = {m["name"]: schema_of(m, api_id) for m in gw.get_models(restApiId=api_id, limit=500).get("items", [])}
        authorizers = {a["id"]: a for a in gw.get_authorizers(restApiId=api_id, limit=500).get("items", [])}
        resources, position = [], None
        while True:
            kw = {"position": position} if position else {}
            page = gw.get_resources(restApiId=api_id, limit=500, embed=["methods"], **kw)
            resources += page.get("items", [])
            position = page.get("position")
            if not position:
                break
        schemes, operations = {}, {}

        schemas = dict(models)  # every model of the API, as API Gateway exports them

        def model_ref(name):
            if name not in schemas and name in BUILT_IN_MODELS:
                schemas[name] = dict(BUILT_IN_MODELS[name])
            return {"$ref": f"#/components/schemas/{name}"} if name in schemas else None

        def model_content(models_by_type):
            """{content type: {"schema": ref}} for the models that exist (requestModels, responseModels)."""
            refs = {ctype: model_ref(name) for ctype, name in (models_by_type or {}).items()}
            return {ctype: {"schema": ref} for ctype, ref in refs.items() if ref}

        for r in sorted(resources, key=lambda r: r.get("path", "/")):
            path = r.get("path", "/")
            for verb, m in sorted((r.get("resourceMethods") or {}).items()):
                op = {}
                if m.get("operationName"):
                    op["operationId"] = m["operationName"]
                params = request_parameters(m.get("requestParameters"), [])
                declared = {p["name"] for p in params if p["in"] == "path"}
                params = [p for p in path_parameters(path, plus_in_name=False) if p["name"] not in declared] + params
                params.sort(key=lambda p: {"path": 0, "query": 1, "header": 2}[p["in"]])
                if params:
                    op["parameters"] = params
                content = model_content(m.get("requestModels"))
                if content:
                    op["requestBody"] = {"content": content, "required": True}
                responses = {}
                for code, mr in sorted((m.get("methodResponses") or {}).items()):
                    response = {"description": f"{code} response"}
                    headers = {}
                    for key in (mr.get("responseParameters") or {}):
                        hm = re.fullmatch(r"method\.response\.header\.(.+)", key)
                        if hm:
                            headers[hm.group(1)] = {"schema": {"type": "string"}}
                    if headers:
                        response["headers"] = headers
                    rcontent = model_content(mr.get("responseModels"))
                    if rcontent:
                        response["content"] = rcontent
                    responses[code] = response
                op["responses"] = responses
                requirement = {}
                if m.get("apiKeyRequired"):
                    schemes["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
                    requirement["api_key"] = []
                kind = m.get("authorizationType", "NONE")
                if kind == "AWS_IAM":
                    schemes["sigv4"] = dict(SIGV4)
                    requirement["sigv4"] = []
                elif kind in ("COGNITO_USER_POOLS", "CUSTOM") and m.get("authorizerId") in authorizers:
                    name = authorizers[m["authorizerId"]]["name"]
                    requirement[name] = list(m.get("authorizationScopes") or []) if kind == "COGNITO_USER_POOLS" else []
                if requirement:
                    op["security"] = [requirement]
                if with_integrations and m.get("methodIntegration"):
                    op["x-amazon-apigateway-integration"] = rest_integration(m["methodIntegration"])
                doc["paths"].setdefault(path, {})[operation_key(verb)] = op
                operations[(path, verb.upper())] = op
        for a in authorizers.values():
            header = header_of(a.get("identitySource"), "Authorization")
            if a.get("type") == "COGNITO_USER_POOLS":
                schemes[a["name"]] = {
                    "type": "apiKey",
                    "name": header,
                    "in": "header",
                    "x-amazon-apigateway-authtype": "cognito_user_pools",
                    "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": a.get("providerARNs", [])},
                }
            else:
                authorizer = {"type": (a.get("type") or "TOKEN").lower()}
                for k in ("authorizerUri", "authorizerCredentials", "authorizerResultTtlInSeconds", "identityValidationExpression"):
                    if a.get(k) is not None:
                        authorizer[k] = a[k]
                if authorizer["type"] == "request" and a.get("identitySource"):
                    authorizer["identitySource"] = a["identitySource"]
                schemes[a["name"]] = {"type": "apiKey", "name": header, "in": "header", "x-amazon-apigateway-authtype": "custom", "x-amazon-apigateway-authorizer": authorizer}
        components = {}
        if schemas:
            components["schemas"] = dict(sorted(schemas.items()))
        if schemes:
            components["securitySchemes"] = schemes
        if components:
            doc["components"] = components
        if "apigateway" in extensions and api.get("apiKeySource"):
            doc["x-amazon-apigateway-api-key-source"] = api["apiKeySource"]
        parts = self.docs.of(region, api_id)
        merge_documentation(doc, parts, operations)

        # application/yaml is answered as JSON text: JSON is valid YAML.
        accept = (self.headers.get("accept") or "application/json").lower()
        content_type = "application/yaml" if "yaml" in accept else "application/json"
        extension = "yaml" if "yaml" in accept else "json"
        disposition = f'attachment; filename="oas30_{version}.{extension}"'
        self.send_body(200, json.dumps(doc, indent=2).encode(), content_type, {"content-disposition": disposition})
        log("GetExport", f"{region} 200 api {api_id} stage {stage_name}: oas30, {len(operations)} operations, {len(parts)} documentation parts")

    # ---- API Gateway v2 ExportApi

    def export_api(self, api_id, specification, q):
        region = self.region()
        if specification != "OAS30":
            raise bad_request(f"Unsupported specification {specification}; the only one is OAS30")
        output = q.get("outputType")
        if output not in ("JSON", "YAML"):
            raise bad_request("outputType must be JSON or YAML")
        if q.get("exportVersion") not in (None, "1.0"):
            raise bad_request("exportVersion must be 1.0")
        extensions = q.get("includeExtensions", "true").lower() != "false"
        g = self.estate.client("apigatewayv2", region)
        try:
            api = g.get_api(ApiId=api_id)
        except ClientError as e:
            if code_of(e) == "NotFoundException":
                raise ApiError(404, "NotFoundException", f"Invalid API identifier specified {self.account()}:{api_id}")
            raise
        if api.get("ProtocolType") != "HTTP":
            raise bad_request("Export is only supported for HTTP APIs")
        stage_name = q.get("stageName")
        stage = None
        if stage_name:
            stage = next((s for s in self.pages(g.get_stages, ApiId=api_id) if s["StageName"] == stage_name), None)
            if stage is None:
                raise ApiError(404, "NotFoundException", f"Invalid stage identifier specified {stage_name}")
        routes = self.pages(g.get_routes, ApiId=api_id)
        integrations = {i["IntegrationId"]: i for i in self.pages(g.get_integrations, ApiId=api_id)}
        # One GetAuthorizer per authorizer the routes name: moto has no GetAuthorizers for v2
        # (an authorizer no route uses is left out of securitySchemes).
        authorizers = {}
        for auth_id in sorted({r["AuthorizerId"] for r in routes if r.get("AuthorizerId")}):
            authorizers[auth_id] = g.get_authorizer(ApiId=api_id, AuthorizerId=auth_id)
        stamp = stage["LastUpdatedDate"] if stage and stage.get("LastUpdatedDate") else api["CreatedDate"]
        info = {"title": api.get("Name", "")}
        if api.get("Description"):
            info["description"] = api["Description"]
        info["version"] = api.get("Version") or stamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SUTC")
        base = "" if not stage_name or stage_name == "$default" else stage_name
        doc = {"openapi": "3.0.1", "info": info, "servers": [server_of(api_id, region, base)], "paths": {}}
        schemes = {}
        for a in authorizers.values():
            source = ",".join(a.get("IdentitySource") or [])
            if a.get("AuthorizerType") == "JWT":
                jwt = a.get("JwtConfiguration") or {}
                schemes[a["Name"]] = {
                    "type": "oauth2",
                    "flows": {},
                    "x-amazon-apigateway-authorizer": {
                        "identitySource": source,
                        "jwtConfiguration": {"audience": jwt.get("Audience", []), "issuer": jwt.get("Issuer", "")},
                        "type": "jwt",
                    },
                }
            else:
                authorizer = {"type": "request", "identitySource": source}
                for src in ("AuthorizerUri", "AuthorizerPayloadFormatVersion", "AuthorizerResultTtlInSeconds", "EnableSimpleResponses", "AuthorizerCredentialsArn"):
                    if a.get(src) is not None:
                        authorizer[lower_first(src)] = a[src]
                schemes[a["Name"]] = {"type": "apiKey", "name": header_of(source), "in": "header", "x-amazon-apigateway-authorizer": authorizer}
        for r in sorted(routes, key=lambda r: r["RouteKey"]):
            key = r["RouteKey"]
            method, _, path = key.partition(" ")
            if key == "$default":
                method, path = "ANY", "$default"
            op = {}
            if r.get("OperationName"):
                op["operationId"] = r["OperationName"]
            params = request_parameters(r.get("RequestParameters"), path_parameters(path, plus_in_name=True))
            for p in params:
                if p["in"] == "path":
                    p.setdefault("description", f"Generated path parameter for {p['name']}")
            if params:
                op["parameters"] = params
            op["responses"] = {"default": {"description": f"Default response for {key}"}}
            kind = r.get("AuthorizationType", "NONE")
            if kind in ("JWT", "CUSTOM") and r.get("AuthorizerId") in authorizers:
                op["security"] = [{authorizers[r["AuthorizerId"]]["Name"]: list(r.get("AuthorizationScopes") or [])}]
            elif kind == "AWS_IAM":
                schemes["sigv4"] = dict(SIGV4)
                op["security"] = [{"sigv4": []}]
            target = (r.get("Target") or "").rpartition("/")[2]
            i = integrations.get(target)
            if extensions and i:
                integ = {"type": i.get("IntegrationType", "").lower()}
                if i.get("IntegrationMethod") or i.get("IntegrationType") == "AWS_PROXY":
                    integ["httpMethod"] = i.get("IntegrationMethod") or "POST"
                for src in ("IntegrationUri", "PayloadFormatVersion", "ConnectionType", "ConnectionId", "CredentialsArn", "IntegrationSubtype", "RequestParameters"):
                    if i.get(src):
                        integ[{"IntegrationUri": "uri", "CredentialsArn": "credentials"}.get(src, lower_first(src))] = i[src]
                integ.setdefault("connectionType", "INTERNET")
                op["x-amazon-apigateway-integration"] = integ
            doc["paths"].setdefault(path, {})[operation_key(method)] = op
        if schemes:
            doc["components"] = {"securitySchemes": schemes if extensions else without_extensions(schemes)}
        if extensions:
            cors = api.get("CorsConfiguration")
            if cors:
                doc["x-amazon-apigateway-cors"] = {lower_first(k): v for k, v in cors.items()}
            doc["x-amazon-apigateway-importexport-version"] = "1.0"
        # outputType YAML is answered as JSON text too: JSON is valid YAML.
        self.send_body(200, json.dumps(doc, indent=2).encode(), "application/json")
        log("ExportApi", f"{region} 200 api {api_id} stage {stage_name or '-'}: {len(routes)} routes, {output}")

    @staticmethod
    def pages(call, **kw):
        items, token = [], None
        while True:
            page = call(MaxResults="500", **({"NextToken": token} if token else {}), **kw)
            items += page.get("Items", [])
            token = page.get("NextToken")
            if not token:
                return items

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any
