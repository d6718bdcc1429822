#!/usr/bin/env python3
"""The stand-in for API Gateway's data plane, in front of the sample estate in moto.

moto serves API Gateway's control plane only: nothing answers a stage's invoke URL, and Cognito
has no /oauth2/token. This server does both, for `scripts/demo` and the end-to-end test:

  /{api_id}/{stage}/{path}   the API's stage (the demo config's [invoke_urls] point here). The
                             method or route is matched as API Gateway does (literal segments
                             before {parameters}, ANY last), and its auth enforced as API Gateway
                             does, read from moto (keys, plans and app clients at most a second
                             old, so a key or client made in the TUI works at once; the APIs'
                             methods and authorizers at most 30 s old):
                             - API key required: `x-api-key` must be an enabled key in a usage
                               plan covering this API and stage, else 403 Forbidden;
                             - COGNITO_USER_POOLS (REST) / JWT (HTTP): a bearer access token that
                               this server issued (RS256, our JWKS), unexpired, from the
                               authorizer's user pool (issuer), carrying one of the method's
                               scopes; a REST method without scopes wants an ID token, which
                               client credentials never give: 401 Unauthorized;
                               an HTTP JWT authorizer also needs the token's client_id in its
                               audience (API Gateway's rule when the token has no aud);
                             - AWS_IAM: SigV4 for `execute-api` in the API's region, recomputed
                               with botocore for the demo's credentials: 403 with API Gateway's
                               messages when the scope or the signature is wrong;
                             - CUSTOM (a Lambda authorizer, which moto cannot run): the identity
                               source header must be present, else 401.
                             Errors carry API Gateway's shapes: {"message": ...} and
                             x-amzn-ErrorType. A call that passes gets realistic JSON for its
                             operation (a list, one item, a created item, 204 for DELETE).
  /{pool_id}/oauth2/token    Cognito's token endpoint for client credentials ([token_urls]):
                             HTTP basic auth, the secret checked against the app client's active
                             secrets (front.ClientSecrets: moto's ClientSecret to begin with,
                             then whatever Add/DeleteUserPoolClientSecret through the front left;
                             a deleted secret is refused), `grant_type=client_credentials`,
                             `scope` (each must be allowed to the client; none asks for all of
                             them). Answers Cognito's JSON: access_token, expires_in, token_type.
  /{pool_id}/.well-known/jwks.json   the public key the tokens are signed with.

An API or stage the cache does not know is looked up again in moto when the cache is over a
second old, so an estate built after this server started is served at once.

With --front PROXY, a second listener is the front (front.py): it answers what moto lacks in the
wire format of the AWS API reference and passes everything else through to moto untouched. It
answers API Gateway GetUsage, GetExport (oas30) and the documentation parts (create, list, get,
update, delete), API Gateway v2 ExportApi (OAS30), CloudTrail LookupEvents (from the trails' log
files in moto's S3) and Cognito Add/List/DeleteUserPoolClientSecret (the two-secret model the
token endpoint above checks against). In front of it runs the proxy (PROXY is the portcullis-dev
binary: `portcullis-dev proxy --lookup-events-limit`), which names each call's operation for the
front and imposes CloudTrail's rate; the proxy is the AWS endpoint the callers get.

Usage:
  upstream.py --moto URL --regions "us-east-1 eu-west-1" [--config-out FILE] [--port 0] [--front PROXY]
      serve: prints FRONT_PORT=<port> (the proxy's, in front of the front) first with --front,
      then UPSTREAM_PORT=<port>, once listening; with --config-out, writes the [invoke_urls] and
      [token_urls] tables for every API stage and user pool at start to FILE; exits when its
      parent dies (like moto_run.py), and the proxy with it.
  upstream.py --only-config BASE_URL --moto URL --regions R --config-out FILE
      writes those tables for the upstream already listening at BASE_URL
      (http://127.0.0.1:PORT) and exits: the demo starts the server before it builds the
      estate, and writes the config once the estate is there.
"""

import argparse
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
from botocore.config import Config
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ from importing front
from front import ClientSecrets, Front  # noqa: E402  (next to this file)
from front_common import CALLER, caller_key  # noqa: E402

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "portcullis-demo-1"
TOKEN_SECONDS = 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_jwt(claims: dict) -> str:
    header = {"alg": "RS256", "kid": KID, "typ": "JWT"}
    head = b64url(json.dumps(header, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = KEY.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64url(signature)}"


def verify_jwt(token: str):
    """The claims of a token this server signed, or None."""
    try:
        head, body, signature = token.split(".")
        KEY.public_key().verify(
            b64url_decode(signature), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        return json.loads(b64url_decode(body))
    except Exception:
        return None


def jwks() -> dict:
    numbers = KEY.public_key().public_numbers()
    as_bytes = lambda n: n.to_bytes((n.bit_length() + 7) // 8, "big")
    return {
        "keys": [
            {"kid": KID, "kty": "RSA", "alg": "RS256", "use": "sig", "n": b64url(as_bytes(numbers.n)), "e": b64url(as_bytes(numbers.e))}
        ]
    }


class Estate:
    """What API Gateway and Cognito in moto say, read on demand: keys, plans and app clients at
    most a second old, the APIs at most 30 s (a second when one asked for is not there)."""

    def __init__(self, moto: str, regions):
        self.moto, self.regions = moto, regions
        self.lock = threading.Lock()
        self.clients_lock = threading.Lock()
        self.clients = {}
        self.read_at, self.apis_at, self.apis, self.keys, self.plans = 0.0, 0.0, {}, {}, []
        self.callers, self.callers_at, self.sessions = [None], 0.0, {}

    def client(self, service, region):
        """A boto3 client to moto, one per service, region and caller (clients are thread-safe;
        making them on the default session is not, hence the lock). Within a request the front
        answers, the client signs with the caller's access key, so moto reads the caller's
        account (an assumed role's key is its account's); elsewhere, the credentials' own."""
        caller = caller_key()
        with self.clients_lock:
            key = (service, region, caller)
            if key not in self.clients:
                config = Config(s3={"addressing_style": "path"}) if service == "s3" else None
                as_caller = {} if caller is None else {"aws_access_key_id": caller, "aws_secret_access_key": "standin"}
                self.clients[key] = boto3.client(
                    service, endpoint_url=self.moto, region_name=region, config=config, **as_caller
                )
            return self.clients[key]

    def api(self, api_id, stage):
        """The API if it has that stage, read again from moto when not and the read is over a
        second old (the estate may have been built since), else None."""
        self.refresh()
        api = self.apis.get(api_id)
        if api is None or stage not in api["stages"]:
            self.refresh(apis_within=1.0)
            api = self.apis.get(api_id)
        return api if api is not None and stage in api["stages"] else None

    def accounts(self):
        """Who to read moto as: the credentials' own account (None), then a role session in each
        other ACTIVE account of the organisation, when there is one (the list asked every 30 s,
        each account's role assumed once: moto's sessions never end, and its calls land in that
        account)."""
        if time.time() - self.callers_at < 30.0:
            return self.callers
        callers = [None]
        try:
            sts = self.client("sts", self.regions[0])
            own = sts.get_caller_identity()["Account"]
            org = self.client("organizations", "us-east-1")
            for a in org.list_accounts().get("Accounts", []):
                if a["Id"] != own and a.get("Status", "ACTIVE") == "ACTIVE":
                    if a["Id"] not in self.sessions:
                        role = f"arn:aws:iam::{a['Id']}:role/PortcullisReadOnly"
                        creds = sts.assume_role(RoleArn=role, RoleSessionName="demo-upstream")["Credentials"]
                        self.sessions[a["Id"]] = creds["AccessKeyId"]
                    callers.append(self.sessions[a["Id"]])
        except Exception:
            pass  # no organisation: the one account
        self.callers, self.callers_at = callers, time.time()
        return callers

    def refresh(self, apis_within=30.0):
        with self.lock:
            apis_due = time.time() - self.apis_at >= apis_within
            if not apis_due and time.time() - self.read_at < 1.0:
                return
            # The APIs' methods every 30 s; keys and plans (what the TUI changes) every second;
            # in every account of the organisation.
            apis, keys, plans = self.apis, {}, []
            before = caller_key()
            callers = self.accounts()
            try:
                if apis_due:
                    apis = {}
                    for caller in callers:
                        CALLER.key = caller
                        for region in self.regions:
                            gw, gw2 = self.client("apigateway", region), self.client("apigatewayv2", region)
                            for api in gw.get_rest_apis(limit=500).get("items", []):
                                apis[api["id"]] = self.rest_api(gw, api, region)
                            for api in gw2.get_apis().get("Items", []):
                                apis[api["ApiId"]] = self.http_api(gw2, api, region)
                    self.apis_at = time.time()
                for caller in callers:
                    CALLER.key = caller
                    for region in self.regions:
                        gw = self.client("apigateway", region)
                        for k in gw.get_api_keys(includeValues=True, limit=500).get("items", []):
                            keys[k.get("value")] = {"id": k["id"], "enabled": k.get("enabled", False), "region": region}
                        for p in gw.get_usage_plans(limit=500).get("items", []):
                            ids = [k["id"] for k in gw.get_usage_plan_keys(usagePlanId=p["id"], limit=500).get("items", [])]
                            stages = {(s["apiId"], s["stage"]) for s in p.get("apiStages", [])}
                            plans.append({"stages": stages, "keys": set(ids)})
            finally:
                CALLER.key = before
            self.apis, self.keys, self.plans, self.read_at = apis, keys, plans, time.time()

    def rest_api(self, gw, api, region):
        ops = []
        for r in gw.get_resources(restApiId=api["id"], limit=500, embed=["methods"]).get("items", []):
            for verb in r.get("resourceMethods", {}) or {}:
                m = gw.get_method(restApiId=api["id"], resourceId=r["id"], httpMethod=verb)
                ops.append(
                    {
                        "method": verb,
                        "path": r["path"],
                        "auth": m.get("authorizationType", "NONE"),
                        "authorizer": m.get("authorizerId"),
                        "key": m.get("apiKeyRequired", False),
                        "scopes": m.get("authorizationScopes", []),
                    }
                )
        authorizers = {}
        for a in gw.get_authorizers(restApiId=api["id"]).get("items", []):
            pools = [arn.rsplit("/", 1)[-1] for arn in a.get("providerARNs", [])]
            source = a.get("identitySource", "method.request.header.Authorization").rsplit(".", 1)[-1]
            authorizers[a["id"]] = {"pools": pools, "header": source, "audience": None}
        stages = [s["stageName"] for s in gw.get_stages(restApiId=api["id"]).get("item", [])]
        return {"kind": "rest", "name": api["name"], "region": region, "ops": ops, "authorizers": authorizers, "stages": stages}

    def http_api(self, gw2, api, region):
        ops = []
        for r in gw2.get_routes(ApiId=api["ApiId"]).get("Items", []):
            method, _, path = r["RouteKey"].partition(" ")
            ops.append(
                {
                    "method": method,
                    "path": path or r["RouteKey"],
                    "auth": r.get("AuthorizationType", "NONE"),
                    "authorizer": r.get("AuthorizerId"),
                    "key": r.get("ApiKeyRequired", False),
                    "scopes": r.get("AuthorizationScopes", []),
                }
            )
        authorizers = {}
        # One GetAuthorizer per authorizer the routes name (moto has no GetAuthorizers for v2).
        for auth_id in sorted({o["authorizer"] for o in ops if o["authorizer"]}):
            a = gw2.get_authorizer(ApiId=api["ApiId"], AuthorizerId=auth_id)
            jwt = a.get("JwtConfiguration", {})
            issuer = jwt.get("Issuer", "")
            authorizers[a["AuthorizerId"]] = {
                "pools": [issuer.rstrip("/").rsplit("/", 1)[-1]] if issuer else [],
                "header": "Authorization",
                "audience": jwt.get("Audience", []),
            }
        stages = [s["StageName"] for s in gw2.get_stages(ApiId=api["ApiId"]).get("Items", [])]
        return {"kind": "http", "name": api["Name"], "region": region, "ops": ops, "authorizers": authorizers, "stages": stages}

    def key_covers(self, value, api_id, stage):
        key = self.keys.get(value)
        if not key or not key["enabled"]:
            return False
        return any((api_id, stage) in p["stages"] and key["id"] in p["keys"] for p in self.plans)

    def client_of(self, pool, client_id):
        for region in self.regions:
            try:
                c = self.client("cognito-idp", region)
                return region, c.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)["UserPoolClient"]
            except Exception:
                continue
        return None, None


def matches(template, path):
    t = [s for s in template.split("/") if s]
    p = [s for s in path.split("/") if s]
    if t and t[-1].endswith("+}"):
        return len(p) >= len(t) - 1 and all(a == b or a.startswith("{") for a, b in zip(t[:-1], p))
    return len(t) == len(p) and all(a == b or a.startswith("{") for a, b in zip(t, p))


def find_op(api, method, path):
    hits = [o for o in api["ops"] if o["method"] in (method, "ANY") and o["path"] != "$default" and matches(o["path"], path)]
    literal = lambda o: (sum(1 for s in o["path"].split("/") if s and not s.startswith("{")), o["method"] != "ANY")
    if hits:
        return max(hits, key=literal)
    return next((o for o in api["ops"] if o["path"] == "$default" or o["method"] == "$default"), None)


def sample(api, op, path, body):
    """Realistic JSON for the operation: a list, one item, a created one."""
    segments = [s for s in path.split("/") if s]
    noun = next((s for s in reversed(op["path"].split("/")) if s and not s.startswith("{")), "items")
    ids = [s for t, s in zip([x for x in op["path"].split("/") if x], segments) if t.startswith("{")]
    seed = int(hashlib.sha256(path.encode()).hexdigest()[:8], 16)
    item = lambda i: {
        "id": f"{noun[:3]}-{(seed + i) % 100000:05d}",
        "status": ["active", "pending", "settled", "shipped"][(seed + i) % 4],
        "amount": {"value": ((seed + i) % 9000) / 100 + 10, "currency": "EUR"},
        "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - ((seed + i) % 86400))),
        "links": {"self": f"/{'/'.join(segments)}/{noun[:3]}-{(seed + i) % 100000:05d}"},
    }
    if noun == "health":
        return 200, {"status": "ok", "api": api["name"], "checks": {"database": "up", "queue": "up"}}
    method = op["method"] if op["method"] not in ("ANY", "$default") else "GET"
    if method == "DELETE":
        return 204, None
    if method in ("POST", "PUT", "PATCH"):
        created = {"id": f"{noun[:3]}-{uuid.uuid4().hex[:8]}", "status": "accepted", "received": body}
        return (201 if method == "POST" else 200), created
    if ids and segments and segments[-1] == ids[-1]:
        one = item(0)
        one["id"] = ids[-1]
        return 200, one
    return 200, {noun: [item(i) for i in range(3)], "nextToken": None, "count": 3}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    estate: Estate = None
    secrets: ClientSecrets = None
    secret_key = ""
    access_key = ""

    def log_message(self, *args):
        pass

    def reply(self, status, payload=None, error_type=None, extra=None):
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("content-length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self):
        # Whatever goes wrong here still gets an answer (API Gateway's shape), never a dropped
        # connection.
        try:
            self.route()
        except Exception as e:
            print(f"upstream: {self.command} {self.path}: {e!r}", file=sys.stderr)
            self.reply(500, {"message": "Internal server error"}, "InternalServerErrorException")

    def route(self):
        url = urlsplit(self.path)
        parts = url.path.split("/")
        raw = self.body()
        if len(parts) >= 4 and parts[2] == "oauth2" and parts[3] == "token":
            return self.token(parts[1], raw)
        if len(parts) >= 4 and parts[2] == ".well-known":
            return self.reply(200, jwks())
        if len(parts) < 3:
            return self.reply(404, {"message": "Not Found"})
        api_id, stage = parts[1], unquote(parts[2])
        path = "/" + "/".join(parts[3:])
        api = self.estate.api(api_id, stage)
        if api is None:
            return self.reply(403, {"message": "Forbidden"}, "ForbiddenException")
        op = find_op(api, self.command, path)
        if op is None:
            if api["kind"] == "rest":
                return self.reply(403, {"message": "Missing Authentication Token"}, "MissingAuthenticationTokenException")
            return self.reply(404, {"message": "Not Found"})
        denied = self.check_auth(api, api_id, stage, op, url, raw)
        if denied:
            return self.reply(*denied)
        text = raw.decode("utf-8", "replace")
        try:
            received = json.loads(text) if text else None
        except ValueError:
            return self.reply(400, {"message": "Invalid request body"}, "BadRequestException")
        status, payload = sample(api, op, path, received)
        return self.reply(status, payload)

    def check_auth(self, api, api_id, stage, op, url, raw):
        if op["key"] and not self.estate.key_covers(self.headers.get("x-api-key"), api_id, stage):
            return 403, {"message": "Forbidden"}, "ForbiddenException"
        auth = op["auth"]
        if auth in ("COGNITO_USER_POOLS", "JWT"):
            return self.check_token(api, op)
        if auth == "AWS_IAM":
            return self.check_sigv4(api, url, raw)
        if auth == "CUSTOM":
            a = api["authorizers"].get(op["authorizer"] or "", {})
            if not self.headers.get(a.get("header", "Authorization")):
                return 401, {"message": "Unauthorized"}, "UnauthorizedException"
        return None

    def check_token(self, api, op):
        a = api["authorizers"].get(op["authorizer"] or "", {"pools": [], "header": "Authorization", "audience": None})
        value = self.headers.get(a["header"]) or ""
        token = value[7:] if value.lower().startswith("bearer ") else value
        unauthorized = (401, {"message": "Unauthorized"}, "UnauthorizedException")
        claims = verify_jwt(token) if token else None
        if not claims or claims.get("exp", 0) < time.time():
            return unauthorized
        if claims.get("iss", "").rsplit("/", 1)[-1] not in a["pools"]:
            return unauthorized
        if api["kind"] == "rest" and not op["scopes"]:
            # No scopes on the method: API Gateway wants an ID token here.
            return unauthorized if claims.get("token_use") != "id" else None
        if a.get("audience") is not None and claims.get("client_id") not in a["audience"]:
            return unauthorized
        if op["scopes"] and not set(claims.get("scope", "").split()) & set(op["scopes"]):
            return 403, {"message": "Forbidden"}, "ForbiddenException"
        return None

    def check_sigv4(self, api, url, raw):
        value = self.headers.get("authorization", "")
        m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)", value)
        if not m:
            return 403, {"message": "Missing Authentication Token"}, "MissingAuthenticationTokenException"
        akid, _, region, service, signed, signature = m.groups()
        if service != "execute-api":
            return 403, {"message": f"Credential should be scoped to correct service: 'execute-api'. "}, "InvalidSignatureException"
        if region != api["region"]:
            return 403, {"message": f"Credential should be scoped to a valid region. "}, "InvalidSignatureException"
        if akid != self.access_key:
            return 403, {"message": "The security token included in the request is invalid."}, "UnrecognizedClientException"
        names = signed.split(";")
        headers = {n: self.headers.get(n, "") for n in names}
        request = AWSRequest(method=self.command, url=f"http://{self.headers.get('host')}{self.path}", data=raw, headers=headers)
        request.context["timestamp"] = self.headers.get("x-amz-date", "")
        signer = SigV4Auth(Credentials(self.access_key, self.secret_key, self.headers.get("x-amz-security-token")), "execute-api", region)
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if expected != signature:
            message = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
            return 403, {"message": message}, "InvalidSignatureException"
        return None

    def token(self, pool, raw):
        bad = lambda error: self.reply(400, {"error": error})
        if self.command != "POST":
            return self.reply(405, {"error": "invalid_request"})
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return bad("unsupported_grant_type")
        basic = self.headers.get("authorization", "")
        try:
            client_id, _, secret = base64.b64decode(basic.split(" ", 1)[1]).decode().partition(":")
        except Exception:
            return bad("invalid_client")
        region, client = self.estate.client_of(pool, client_id)
        # Any active secret of the client (the front's two-secret store, seeded from moto).
        if not client or not self.secrets.accepts(client, secret):
            return bad("invalid_client")
        if "client_credentials" not in client.get("AllowedOAuthFlows", []):
            return bad("unauthorized_client")
        allowed = client.get("AllowedOAuthScopes", [])
        asked = form.get("scope", "").split() or allowed
        if not set(asked) <= set(allowed):
            return bad("invalid_scope")
        now = int(time.time())
        claims = {
            "sub": client_id,
            "client_id": client_id,
            "token_use": "access",
            "scope": " ".join(asked),
            "iss": f"https://cognito-idp.{region}.amazonaws.com/{pool}",
            "iat": now,
            "exp": now + TOKEN_SECONDS,
            "jti": str(uuid.uuid4()),
        }
        self.reply(200, {"access_token": sign_jwt(claims), "expires_in": TOKEN_SECONDS, "token_type": "Bearer"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


def toml_string(s):
    return json.dumps(s)


def write_config(path, estate, base):
    estate.refresh()
    lines = ["[invoke_urls]"]
    for api_id, api in sorted(estate.apis.items()):
        for stage in api["stages"]:
            lines.append(f"{toml_string(api_id + '/' + stage)} = {toml_string(base + '/' + api_id + '/' + stage)}")
    lines.append("")
    lines.append("[token_urls]")
    for region in estate.regions:
        for p in estate.client("cognito-idp", region).list_user_pools(MaxResults=60).get("UserPools", []):
            url = base + "/" + p["Id"] + "/oauth2/token"
            lines.append(f"{toml_string(p['Id'])} = {toml_string(url)}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def watch_parent(original):
    while True:
        time.sleep(0.5)
        if os.getppid() != original:
            os._exit(0)  # the proxy watches its own parent (this process) and exits too


def start_proxy(binary, front_port):
    """The proxy in front of the front (it names each call's operation, imposes CloudTrail's
    LookupEvents rate); its URL."""
    proc = subprocess.Popen(
        [binary, "proxy", "--upstream", f"http://127.0.0.1:{front_port}", "--lookup-events-limit", "--exit-with-parent"],
        stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        raise SystemExit(f"upstream.py: the proxy ({binary}) did not start: {url!r}")
    return url


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--moto", required=True)
    parser.add_argument("--regions", required=True)
    parser.add_argument("--config-out", help="write the [invoke_urls] and [token_urls] tables here")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--front", metavar="PROXY", help="also listen as the front, behind the proxy of this portcullis-dev binary")
    parser.add_argument("--only-config", metavar="BASE_URL", help="write --config-out for the upstream at BASE_URL and exit")
    args = parser.parse_args()
    estate = Estate(args.moto, args.regions.split())
    if args.only_config:
        if not args.config_out:
            parser.error("--only-config needs --config-out")
        write_config(args.config_out, estate, args.only_config.rstrip("/"))
        return 0
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    Handler.estate = estate
    Handler.secrets = ClientSecrets(estate)
    Handler.access_key = os.environ.get("AWS_ACCESS_KEY_ID", "testing")
    Handler.secret_key = os.environ.get("AWS_SECRET_ACCESS_KEY", "testing")
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]
    if args.config_out:
        write_config(args.config_out, estate, f"http://127.0.0.1:{port}")
    if args.front:
        # The same process: the token endpoint and the front share the app clients' secrets.
        Front.install(estate, Handler.secrets)
        front = ThreadingHTTPServer(("127.0.0.1", 0), Front)
        threading.Thread(target=front.serve_forever, daemon=True).start()
        proxy = start_proxy(args.front, front.server_address[1])
        print(f"FRONT_PORT={proxy.rsplit(':', 1)[1]}", flush=True)
    print(f"UPSTREAM_PORT={port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
