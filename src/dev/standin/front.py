"""The front (`upstream.py --front`), behind the proxy (src/dev/standin/proxy.rs): what moto
lacks, answered in the wire format of the AWS API reference (the app's real aws-sdk-rust
parses it); every other call is passed through to moto untouched. Which operation a call is,
and its region, the proxy says (the `x-standin-operation` and `x-standin-region` headers, from
the stand-ins' one parser); a call it did not name is passed through.

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
                                  lookup attribute, 50 a page with NextToken (the proxy imposes the
                                  2 calls/s, burst 5, per region: ThrottlingException beyond).
Cognito (JSON 1.1, X-Amz-Target AWSCognitoIdentityProviderService.*):
  Add/List/DeleteUserPoolClientSecret
                                  the two-secret model, in memory here and shared with the token
                                  endpoint of upstream.py: a client's first secret is moto's
                                  ClientSecret; at most two; the last cannot be deleted.
                                  DeleteUserPoolClient/DeleteUserPool pass through and drop that
                                  state.
Every answer logs one line to stderr with its operation (never a secret value); whatever goes
wrong answers 500 InternalFailure rather than dropping the connection.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the stand-ins

from front_common import *  # noqa: F401,F403
from front_cloudtrail import CloudTrailAnswers, TrailLog
from front_cognito import ClientSecrets, CognitoAnswers  # noqa: F401  (upstream.py imports ClientSecrets from here)
from front_documentation import DocumentationAnswers, DocumentationParts
from front_exports import ExportAnswers, merge_documentation  # noqa: F401  (front_check.py imports it from here)
from front_usage import UsageAnswers


class Front(UsageAnswers, CloudTrailAnswers, CognitoAnswers, DocumentationAnswers, ExportAnswers, BaseHTTPRequestHandler):
    """The demo's AWS endpoint: what moto lacks answered here, the rest passed through."""

    protocol_version = "HTTP/1.1"
    estate = None
    secrets: ClientSecrets = None
    trail: TrailLog = None
    docs: DocumentationParts = None
    accounts = {}

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
        return self.headers.get(REGION_HEADER) or self.estate.regions[0]

    def account(self):
        """The caller's account (asked once per access key)."""
        key = caller_key()
        if key not in Front.accounts:
            try:
                Front.accounts[key] = self.estate.client("sts", self.estate.regions[0]).get_caller_identity()["Account"]
            except Exception:
                return "123456789012"
        return Front.accounts[key]

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
        CALLER.key = access_key(self.headers.get("authorization"))
        try:
            self.answer_any()
        finally:
            CALLER.key = None

    def answer_any(self):
        body = self.read_body()
        self.json_protocol = bool(self.headers.get("x-amz-target"))
        op = self.headers.get(OPERATION_HEADER) or f"{self.command} {urlsplit(self.path).path}"
        try:
            handler = self.route(urlsplit(self.path))
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

    def route(self, url):
        """(operation name, handler of the body) for what is answered here, None to pass through.
        The operation is the one the proxy in front named (src/dev/standin/operation.rs, the
        stand-ins' one parser); a request it did not name is passed through."""
        service, _, name = (self.headers.get(OPERATION_HEADER) or "").partition(":")
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        segments = [unquote(s) for s in url.path.split("/")[1:]]
        answers = {
            "cloudtrail": {"LookupEvents": self.lookup_events},
            "cognito-idp": {
                "AddUserPoolClientSecret": lambda body: self.client_secrets(name, body),
                "ListUserPoolClientSecrets": lambda body: self.client_secrets(name, body),
                "DeleteUserPoolClientSecret": lambda body: self.client_secrets(name, body),
                "DeleteUserPoolClient": self.deleting_app_client,
                "DeleteUserPool": self.deleting_app_client,
            },
            "apigateway": {
                "GetUsage": lambda body: self.usage(segments[1], q),
                "ExportApi": lambda body: self.export_api(segments[2], segments[4], q),
                "CreateDocumentationPart": lambda body: self.create_part(segments[1], body),
                "GetDocumentationParts": lambda body: self.list_parts(segments[1], q),
                "GetDocumentationPart": lambda body: self.one_part(name, segments[1], segments[4], body),
                "UpdateDocumentationPart": lambda body: self.one_part(name, segments[1], segments[4], body),
                "DeleteDocumentationPart": lambda body: self.one_part(name, segments[1], segments[4], body),
                "DeleteRestApi": lambda body: self.deleting_rest_api(segments[1], body),
            },
        }
        if service == "apigateway" and name == "GetExport":
            # Answered here for OpenAPI 3.0 only: moto exports Swagger 2.0 itself.
            if segments[5].lower() != "oas30":
                return None
            return name, lambda body: self.rest_export(segments[1], segments[3], q)
        handler = answers.get(service, {}).get(name)
        return (name, handler) if handler else None

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

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any
