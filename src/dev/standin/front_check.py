#!/usr/bin/env python3
"""Dev check of the front (front.py, through upstream.py --front, behind the proxy): starts its own
moto, upstream and proxy, builds a small estate THROUGH the proxy and the front with boto3 (us-east-1 and
eu-west-1, credentials testing/testing) and drives every answer the front gives: GetExport oas30
with documentation parts, the documentation parts themselves, ExportApi, the client secrets and
the token endpoint that honours them, LookupEvents (paging, filters, errors, throttling), and the
old flows (GetUsage, pass-through, invoke URLs, --only-config).

usage: .venv/bin/python src/dev/standin/front_check.py [PORTCULLIS_DEV]
    (exit status 0 when every check passes; PORTCULLIS_DEV is the binary whose `proxy` runs in
    front, target/debug/portcullis-dev by default, as `cargo test` builds it)
"""

import base64
import datetime
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PY = sys.executable
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
os.environ.update({k: ENV[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")})
US, EU = "us-east-1", "eu-west-1"
CHECKS = 0


def ok(cond, what):
    global CHECKS
    if not cond:
        raise AssertionError(what)
    CHECKS += 1


def fails(code, call, *args, **kwargs):
    """The call's ClientError (asserting its code)."""
    try:
        call(*args, **kwargs)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        ok(got == code, f"{getattr(call, '__name__', call)}: expected {code}, got {got}: {e}")
        return e
    raise AssertionError(f"{getattr(call, '__name__', call)}: expected {code}, it succeeded")


def start(args, keys):
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=ENV)
    found = {}
    while len(found) < len(keys):
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"{args[1]} did not start")
        name, _, value = line.strip().partition("=")
        ok(name == keys[len(found)], f"{args[1]}: expected {keys[len(found)]}= next, got {line!r}")
        found[name] = value
    return proc, found


def http(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def token_request(upstream, pool, client_id, secret, scope=""):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    form = "grant_type=client_credentials" + (f"&scope={scope}" if scope else "")
    status, body = http("POST", f"{upstream}/{pool}/oauth2/token", form.encode(),
                        {"authorization": f"Basic {basic}", "content-type": "application/x-www-form-urlencoded"})
    return status, json.loads(body or b"{}")


def walk(value):
    """Every key in a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def main():
    proxy = sys.argv[1] if len(sys.argv) > 1 else f"{ROOT}/target/debug/portcullis-dev"
    if not os.access(proxy, os.X_OK):
        raise SystemExit(f"front_check: no {proxy} (cargo test --features dev-tools builds it)")
    moto_proc, m = start([PY, f"{ROOT}/scripts/moto_run.py", "0"], ["MOTO_PORT"])
    moto = f"http://127.0.0.1:{m['MOTO_PORT']}"
    up_proc, p = start([PY, f"{HERE}/upstream.py", "--front", proxy, "--moto", moto, "--regions", f"{US} {EU}"], ["FRONT_PORT", "UPSTREAM_PORT"])
    front, upstream = f"http://127.0.0.1:{p['FRONT_PORT']}", f"http://127.0.0.1:{p['UPSTREAM_PORT']}"
    try:
        run(moto, front, upstream)
    finally:
        for proc in (up_proc, moto_proc):
            proc.kill()
            proc.wait()
    print(f"front_check: all {CHECKS} checks passed")


def run(moto, front, upstream):
    def c(service, region, endpoint=front, **config):
        return boto3.client(service, endpoint_url=endpoint, region_name=region, config=Config(**config) if config else None)

    # The Handler's estate cache, read before there is anything: it must not stay empty.
    status, _ = http("GET", f"{upstream}/nothing/prod/orders")
    ok(status == 403, f"an unknown API is 403 Forbidden: {status}")

    check_rest(c, moto, upstream)
    check_http(c, upstream)
    check_secrets(c, upstream)
    check_trail(c)
    check_only_config(moto, upstream)


# ---------------------------------------------------------------- REST: export, documentation


def check_rest(c, moto, upstream):
    gw, cog = c("apigateway", US), c("cognito-idp", US)
    pool = cog.create_user_pool(PoolName="orders-pool")["UserPool"]
    api = gw.create_rest_api(name="orders-api", description="Orders")
    a = api["id"]
    ok(a in [x["id"] for x in c("apigateway", US, moto).get_rest_apis()["items"]], "CreateRestApi passed through to moto")
    line = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "properties": {"sku": {"type": "string"}}}
    order = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {"id": {"type": "string"}, "lines": {"type": "array", "items": {"$ref": f"https://apigateway.amazonaws.com/restapis/{a}/models/Line"}}},
    }
    gw.create_model(restApiId=a, name="Line", contentType="application/json", schema=json.dumps(line))
    gw.create_model(restApiId=a, name="Order", contentType="application/json", schema=json.dumps(order))
    auth = gw.create_authorizer(restApiId=a, name="partners", type="COGNITO_USER_POOLS", providerARNs=[pool["Arn"]],
                                identitySource="method.request.header.Authorization")
    root = gw.get_resources(restApiId=a)["items"][0]["id"]
    orders = gw.create_resource(restApiId=a, parentId=root, pathPart="orders")["id"]
    one = gw.create_resource(restApiId=a, parentId=orders, pathPart="{id}")["id"]
    methods = [
        (orders, "GET", dict(authorizationType="NONE", apiKeyRequired=True, operationName="ListOrders",
                             requestParameters={"method.request.querystring.status": False}), "200", {"application/json": "Order"}),
        (orders, "POST", dict(authorizationType="COGNITO_USER_POOLS", authorizerId=auth["id"], authorizationScopes=["orders/write"],
                              requestModels={"application/json": "Order"}), "201", {"application/json": "Order"}),
        (one, "GET", dict(authorizationType="AWS_IAM", requestParameters={"method.request.path.id": True, "method.request.header.X-Trace": False}),
         "200", {"application/json": "Order"}),
    ]
    for resource, verb, kw, code, models in methods:
        gw.put_method(restApiId=a, resourceId=resource, httpMethod=verb, **kw)
        gw.put_method_response(restApiId=a, resourceId=resource, httpMethod=verb, statusCode=code, responseModels=models,
                               responseParameters={"method.response.header.X-Request-Id": False})
        gw.put_integration(restApiId=a, resourceId=resource, httpMethod=verb, type="HTTP_PROXY", integrationHttpMethod=verb,
                           uri="https://orders.example.com/orders")
    gw.create_deployment(restApiId=a, stageName="prod")

    # GetUsage and a key for the invoke URL (the old flows).
    plan = gw.create_usage_plan(name="orders-plan", apiStages=[{"apiId": a, "stage": "prod"}], quota={"limit": 10000, "period": "MONTH"})
    key = gw.create_api_key(name="orders-key", enabled=True, value="orders-key-value-0123456789")
    gw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    today = datetime.date.today()
    usage = gw.get_usage(usagePlanId=plan["id"], startDate=str(today - datetime.timedelta(days=6)), endDate=str(today))
    ok(list(usage["items"]) == [key["id"]] and len(usage["items"][key["id"]]) == 7, f"GetUsage: a week for the key: {usage['items']}")
    fails("NotFoundException", gw.get_usage, usagePlanId="nope", startDate=str(today), endDate=str(today))
    longest = gw.get_usage(usagePlanId=plan["id"], startDate=str(today - datetime.timedelta(days=89)), endDate=str(today))
    ok(len(longest["items"][key["id"]]) == 90, "GetUsage: the app's longest range (90 days, today included) is answered")
    e = fails("BadRequestException", gw.get_usage, usagePlanId=plan["id"], startDate=str(today), endDate=str(today - datetime.timedelta(days=1)))
    ok(e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, f"GetUsage: an end before the start is 400: {e}")
    fails("BadRequestException", gw.get_usage, usagePlanId=plan["id"], startDate=str(today - datetime.timedelta(days=120)), endDate=str(today))
    time.sleep(1.1)
    status, body = http("GET", f"{upstream}/{a}/prod/orders", headers={"x-api-key": "orders-key-value-0123456789"})
    ok(status == 200 and "orders" in json.loads(body), f"invoke URL of an API built after the cache was read: {status} {body[:200]}")
    status, _ = http("GET", f"{upstream}/{a}/prod/orders")
    ok(status == 403, "invoke URL without the key: 403")

    # Documentation parts.
    def part(location, properties):
        return gw.create_documentation_part(restApiId=a, location=location, properties=json.dumps(properties))

    api_part = part({"type": "API"}, {"description": "The orders API, documented", "contact": {"name": "Ops"}})
    ok(api_part["location"]["type"] == "API" and api_part["id"], f"CreateDocumentationPart answers the part: {api_part}")
    part({"type": "METHOD", "path": "/orders", "method": "GET"}, {"summary": "List orders", "tags": ["orders"]})
    part({"type": "METHOD", "path": "/orders/{id}"}, {"description": "Any method on one order"})
    part({"type": "QUERY_PARAMETER", "path": "/orders", "method": "GET", "name": "status"}, {"description": "Filter by status"})
    part({"type": "PATH_PARAMETER", "path": "/orders/{id}", "method": "*", "name": "id"}, {"description": "The order id"})
    part({"type": "REQUEST_HEADER", "path": "/orders/{id}", "method": "GET", "name": "X-Trace"}, {"description": "A trace id"})
    part({"type": "REQUEST_BODY", "path": "/orders", "method": "POST"}, {"description": "The order to place"})
    part({"type": "RESPONSE", "path": "/orders", "method": "GET", "statusCode": "200"}, {"description": "The orders"})
    part({"type": "RESPONSE_HEADER", "path": "/orders", "method": "GET", "statusCode": "200", "name": "X-Request-Id"}, {"description": "The request id"})
    part({"type": "MODEL", "name": "Order"}, {"description": "An order"})
    fails("ConflictException", part, {"type": "MODEL", "name": "Order"}, {"description": "again"})
    fails("BadRequestException", part, {"type": "NOPE"}, {"description": "x"})
    fails("BadRequestException", part, {"type": "MODEL"}, {"description": "no name"})
    fails("BadRequestException", gw.create_documentation_part, restApiId=a, location={"type": "API", "path": "/x"}, properties='"a string"')
    fails("NotFoundException", gw.create_documentation_part, restApiId="nope", location={"type": "API"}, properties="{}")
    parts = gw.get_documentation_parts(restApiId=a)["items"]
    ok(len(parts) == 10, f"GetDocumentationParts: all ten (its `item` member): {len(parts)}")
    first = gw.get_documentation_parts(restApiId=a, limit=4)
    ok(len(first["items"]) == 4 and first.get("position"), "GetDocumentationParts pages with position")
    rest = gw.get_documentation_parts(restApiId=a, limit=100, position=first["position"])
    ok(len(rest["items"]) == 6 and "position" not in rest, "the last page has no position")
    ok(len(gw.get_documentation_parts(restApiId=a, type="METHOD")["items"]) == 2, "GetDocumentationParts by type")
    got = gw.get_documentation_part(restApiId=a, documentationPartId=api_part["id"])
    ok(got["location"] == {"type": "API"} and json.loads(got["properties"])["contact"] == {"name": "Ops"}, f"GetDocumentationPart: {got}")
    extra = part({"type": "AUTHORIZER", "name": "partners"}, {"description": "Partner tokens"})
    updated = gw.update_documentation_part(restApiId=a, documentationPartId=extra["id"],
                                           patchOperations=[{"op": "replace", "path": "/properties", "value": '{"description": "Partner access tokens"}'}])
    ok(json.loads(updated["properties"])["description"] == "Partner access tokens", "UpdateDocumentationPart")
    deleted = gw.delete_documentation_part(restApiId=a, documentationPartId=extra["id"])
    ok(deleted["ResponseMetadata"]["HTTPStatusCode"] == 202, "DeleteDocumentationPart: 202")
    fails("NotFoundException", gw.get_documentation_part, restApiId=a, documentationPartId=extra["id"])
    fails("NotFoundException", gw.delete_documentation_part, restApiId=a, documentationPartId=extra["id"])
    # Inherited by child paths; the exact method's part over the `*` one; a prefix by whole segments only.
    part({"type": "RESPONSE", "path": "/orders", "statusCode": "200"}, {"description": "A 200 of any method under /orders"})
    part({"type": "RESPONSE", "path": "/ord", "statusCode": "201"}, {"description": "not a prefix of /orders"})

    # GetExport oas30.
    out = gw.get_export(restApiId=a, stageName="prod", exportType="oas30", accepts="application/json")
    ok(out["contentType"] == "application/json", f"GetExport content type: {out['contentType']}")
    doc = json.loads(out["body"].read())
    ok(doc["openapi"] == "3.0.1", "OpenAPI 3.0.1")
    ok(doc["info"]["title"] == "orders-api" and doc["info"]["description"] == "The orders API, documented", f"info: {doc['info']}")
    ok(doc["info"]["contact"] == {"name": "Ops"} and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", doc["info"]["version"]), f"info: {doc['info']}")
    ok(doc["servers"] == [{"url": f"https://{a}.execute-api.{US}.amazonaws.com/{{basePath}}", "variables": {"basePath": {"default": "prod"}}}], f"servers: {doc['servers']}")
    ok(set(doc["paths"]) == {"/orders", "/orders/{id}"}, f"paths: {list(doc['paths'])}")
    get_orders = doc["paths"]["/orders"]["get"]
    ok(get_orders["operationId"] == "ListOrders" and get_orders["summary"] == "List orders" and get_orders["tags"] == ["orders"], f"GET /orders: {get_orders}")
    ok(get_orders["parameters"] == [{"name": "status", "in": "query", "required": False, "schema": {"type": "string"}, "description": "Filter by status"}], f"{get_orders['parameters']}")
    r200 = get_orders["responses"]["200"]
    ok(r200["description"] == "The orders" and r200["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Order"}, f"{r200}")
    ok(r200["headers"]["X-Request-Id"] == {"schema": {"type": "string"}, "description": "The request id"}, f"{r200}")
    ok(get_orders["security"] == [{"api_key": []}], f"API key security: {get_orders.get('security')}")
    post = doc["paths"]["/orders"]["post"]
    ok(post["requestBody"]["description"] == "The order to place" and post["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Order", f"{post}")
    ok(post["security"] == [{"partners": ["orders/write"]}] and post["responses"]["201"]["description"] == "201 response", f"{post}")
    get_one = doc["paths"]["/orders/{id}"]["get"]
    names = {(x["name"], x["in"]): x for x in get_one["parameters"]}
    ok(names[("id", "path")]["required"] is True and names[("id", "path")]["description"] == "The order id", f"{get_one['parameters']}")
    ok(names[("X-Trace", "header")]["description"] == "A trace id", f"{get_one}")
    ok("description" not in get_one, f"a METHOD part of method * does not fan out to GET: {get_one}")
    one200 = get_one["responses"]["200"]
    ok(one200["description"] == "The orders", f"an ancestor's RESPONSE part (its method exactly) applies to a child path: {one200}")
    ok(one200["headers"]["X-Request-Id"]["description"] == "The request id", f"and its RESPONSE_HEADER part: {one200}")
    ok(get_one["security"] == [{"sigv4": []}], f"IAM security: {get_one.get('security')}")
    schemas = doc["components"]["schemas"]
    ok(set(schemas) == {"Line", "Order"} and schemas["Order"]["description"] == "An order" and "$schema" not in schemas["Order"], f"schemas: {schemas}")
    ok(schemas["Order"]["properties"]["lines"]["items"] == {"$ref": "#/components/schemas/Line"}, "model references are components")
    schemes = doc["components"]["securitySchemes"]
    ok(schemes["api_key"] == {"type": "apiKey", "name": "x-api-key", "in": "header"}, f"{schemes}")
    ok(schemes["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4", f"{schemes}")
    ok(schemes["partners"]["x-amazon-apigateway-authorizer"] == {"type": "cognito_user_pools", "providerARNs": [pool["Arn"]]}, f"{schemes}")
    ok("x-amazon-apigateway-integration" not in json.dumps(doc), "no integrations unless asked")
    doc = json.loads(gw.get_export(restApiId=a, stageName="prod", exportType="oas30", parameters={"extensions": "integrations"})["body"].read())
    integ = doc["paths"]["/orders"]["get"]["x-amazon-apigateway-integration"]
    ok(integ["type"] == "http_proxy" and integ["uri"] == "https://orders.example.com/orders", f"integration: {integ}")
    yaml = gw.get_export(restApiId=a, stageName="prod", exportType="oas30", accepts="application/yaml")
    ok(yaml["contentType"] == "application/yaml" and json.loads(yaml["body"].read())["openapi"] == "3.0.1", "YAML asked: JSON text")
    swagger = gw.get_export(restApiId=a, stageName="prod", exportType="swagger")
    ok("swagger" in json.loads(swagger["body"].read()), "swagger exports pass through to moto")
    e = fails("NotFoundException", gw.get_export, restApiId=a, stageName="nope", exportType="oas30")
    e = fails("NotFoundException", gw.get_export, restApiId="nope", stageName="prod", exportType="oas30")
    ok("123456789012:nope" in str(e), f"the message names the API: {e}")
    check_inheritance()
    print("ok: REST (GetExport oas30, documentation parts, GetUsage, invoke URL)")


def check_inheritance():
    """merge_documentation itself, on cases the estate above does not build."""
    sys.path.insert(0, HERE)
    sys.dont_write_bytecode = True
    from front import merge_documentation

    def op(*codes):
        return {"parameters": [{"name": "id", "in": "path"}], "responses": {c: {"description": f"{c} response"} for c in codes}}

    ops = {("/pets", "ANY"): op("200"), ("/pets", "GET"): op("200", "400"), ("/pets/{id}", "GET"): op("200", "400"), ("/petsx", "GET"): op("400")}
    parts = [
        ({"type": "METHOD", "path": "/pets", "method": "*"}, {"summary": "any method"}),
        ({"type": "METHOD", "path": "/pets", "method": "ANY"}, {"description": "the ANY method"}),
        ({"type": "RESPONSE", "path": "/", "method": "*", "statusCode": "400"}, {"description": "Invalid request"}),
        ({"type": "RESPONSE", "path": "/pets", "method": "GET", "statusCode": "400"}, {"description": "Invalid pet"}),
        ({"type": "RESPONSE", "path": "/pets/{id}", "method": "*", "statusCode": "*"}, {"description": "One pet"}),
        ({"type": "PATH_PARAMETER", "path": "/pets", "method": "GET", "name": "id"}, {"description": "GET's id"}),
    ]
    doc = {"info": {}, "paths": {}}
    merge_documentation(doc, [{"location": loc, "properties": json.dumps(props)} for loc, props in parts], ops)
    ok(ops[("/pets", "ANY")].get("summary") == "any method" and ops[("/pets", "ANY")].get("description") == "the ANY method", f"{ops[('/pets', 'ANY')]}")
    ok("summary" not in ops[("/pets", "GET")] and "description" not in ops[("/pets", "GET")], f"METHOD * is not GET's: {ops[('/pets', 'GET')]}")
    ok(ops[("/pets", "GET")]["responses"]["400"]["description"] == "Invalid pet", "the exact path and method over the root's")
    ok(ops[("/petsx", "GET")]["responses"]["400"]["description"] == "Invalid request", "/pets is no prefix of /petsx: the root's")
    ok(ops[("/pets/{id}", "GET")]["responses"]["400"]["description"] == "One pet", "the longer path over an exact method and status")
    ok(ops[("/pets/{id}", "GET")]["responses"]["200"]["description"] == "One pet", "status * applies to 200")
    ok(ops[("/pets", "ANY")]["responses"]["200"]["description"] == "200 response", "no part for ANY's 200")
    ok(ops[("/pets/{id}", "GET")]["parameters"][0].get("description") == "GET's id", "a PATH_PARAMETER part is inherited by a child path")
    ok("description" not in ops[("/pets", "ANY")]["parameters"][0], "a GET PATH_PARAMETER part is not ANY's")


# ---------------------------------------------------------------- HTTP: ExportApi


def check_http(c, upstream):
    g = c("apigatewayv2", EU)
    api = g.create_api(Name="partners-http", ProtocolType="HTTP", Description="Partner API")
    a = api["ApiId"]
    issuer = f"https://cognito-idp.{EU}.amazonaws.com/{EU}_partners"
    auth = g.create_authorizer(ApiId=a, AuthorizerType="JWT", IdentitySource=["$request.header.Authorization"], Name="partner-jwt",
                               JwtConfiguration={"Audience": ["client-a"], "Issuer": issuer})
    integ = g.create_integration(ApiId=a, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY", IntegrationUri="https://backend.example.com",
                                 PayloadFormatVersion="1.0")
    target = "integrations/" + integ["IntegrationId"]
    g.create_route(ApiId=a, RouteKey="GET /orders/{id}", AuthorizationType="JWT", AuthorizerId=auth["AuthorizerId"],
                   AuthorizationScopes=["orders/read"], Target=target, OperationName="GetOrder")
    g.create_route(ApiId=a, RouteKey="POST /orders", AuthorizationType="AWS_IAM", Target=target)
    g.create_route(ApiId=a, RouteKey="ANY /files/{proxy+}", Target=target)
    g.create_route(ApiId=a, RouteKey="$default", Target=target)
    g.create_stage(ApiId=a, StageName="prod")
    g.create_stage(ApiId=a, StageName="$default")
    doc = json.loads(g.export_api(ApiId=a, Specification="OAS30", OutputType="JSON", StageName="prod")["body"].read())
    ok(doc["openapi"] == "3.0.1" and doc["info"]["title"] == "partners-http" and doc["info"]["description"] == "Partner API", f"{doc['info']}")
    ok(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dUTC", doc["info"]["version"]), f"version as AWS writes it: {doc['info']['version']}")
    ok(doc["servers"] == [{"url": f"https://{a}.execute-api.{EU}.amazonaws.com/{{basePath}}", "variables": {"basePath": {"default": "prod"}}}], f"{doc['servers']}")
    ok(set(doc["paths"]) == {"/orders/{id}", "/orders", "/files/{proxy+}", "$default"}, f"paths: {list(doc['paths'])}")
    get = doc["paths"]["/orders/{id}"]["get"]
    ok(get["operationId"] == "GetOrder" and get["security"] == [{"partner-jwt": ["orders/read"]}], f"{get}")
    ok(get["parameters"][0]["name"] == "id" and get["parameters"][0]["in"] == "path" and get["parameters"][0]["required"], f"{get['parameters']}")
    ok(get["responses"] == {"default": {"description": "Default response for GET /orders/{id}"}}, f"{get['responses']}")
    ok(get["x-amazon-apigateway-integration"]["type"] == "http_proxy" and get["x-amazon-apigateway-integration"]["payloadFormatVersion"] == "1.0", f"{get}")
    ok(doc["paths"]["/orders"]["post"]["security"] == [{"sigv4": []}], "IAM route")
    anyf = doc["paths"]["/files/{proxy+}"]["x-amazon-apigateway-any-method"]
    ok(anyf["parameters"][0]["name"] == "proxy+", f"greedy parameter: {anyf['parameters']}")
    ok("x-amazon-apigateway-any-method" in doc["paths"]["$default"], "the $default route")
    jwt = doc["components"]["securitySchemes"]["partner-jwt"]
    ok(jwt["type"] == "oauth2" and jwt["x-amazon-apigateway-authorizer"]["jwtConfiguration"] == {"audience": ["client-a"], "issuer": issuer}, f"{jwt}")
    ok(doc["components"]["securitySchemes"]["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4", "sigv4 scheme")
    bare = json.loads(g.export_api(ApiId=a, Specification="OAS30", OutputType="JSON", IncludeExtensions=False)["body"].read())
    ok(not any(k.startswith("x-amazon-apigateway") and k != "x-amazon-apigateway-any-method" for k in walk(bare)), "IncludeExtensions=false")
    dflt = json.loads(g.export_api(ApiId=a, Specification="OAS30", OutputType="YAML", StageName="$default")["body"].read())
    ok(dflt["servers"][0]["variables"]["basePath"]["default"] == "", "the $default stage has an empty base path (YAML asked: JSON text)")
    fails("BadRequestException", g.export_api, ApiId=a, Specification="SWAGGER", OutputType="JSON")
    e = fails("NotFoundException", g.export_api, ApiId="nope", Specification="OAS30", OutputType="JSON")
    ok("Invalid API identifier specified 123456789012:nope" in str(e), f"{e}")
    fails("NotFoundException", g.export_api, ApiId=a, Specification="OAS30", OutputType="JSON", StageName="nope")
    ws = g.create_api(Name="ws", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    fails("BadRequestException", g.export_api, ApiId=ws["ApiId"], Specification="OAS30", OutputType="JSON")
    time.sleep(1.1)
    status, _ = http("GET", f"{upstream}/{a}/prod/files/report.pdf")
    ok(status == 200, f"invoke URL of the HTTP API: {status}")
    print("ok: HTTP (ExportApi)")


# ---------------------------------------------------------------- Cognito: client secrets


def check_secrets(c, upstream):
    cog = c("cognito-idp", EU)
    loose = c("cognito-idp", EU, parameter_validation=False)
    pool = cog.create_user_pool(PoolName="partners")["UserPool"]["Id"]
    cog.create_resource_server(UserPoolId=pool, Identifier="orders", Name="orders", Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
    client = cog.create_user_pool_client(UserPoolId=pool, ClientName="northpeak-outdoor/20260115T090000Z", GenerateSecret=True,
                                         AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["orders/read"],
                                         AllowedOAuthFlowsUserPoolClient=True)["UserPoolClient"]
    cid = client["ClientId"]
    original = cog.describe_user_pool_client(UserPoolId=pool, ClientId=cid)["UserPoolClient"]["ClientSecret"]  # passes through
    listing = cog.list_user_pool_client_secrets(UserPoolId=pool, ClientId=cid)["ClientSecrets"]
    stamp = datetime.datetime(2026, 1, 15, 9, 0, tzinfo=datetime.timezone.utc)
    ok(len(listing) == 1 and listing[0]["ClientSecretId"] == f"{cid}--{int(stamp.timestamp())}", f"the first secret: {listing}")
    ok(listing[0]["ClientSecretCreateDate"] == stamp and "ClientSecretValue" not in listing[0], f"dated by the client's name, no value: {listing}")
    status, body = token_request(upstream, pool, cid, original, "orders/read")
    ok(status == 200 and body["token_type"] == "Bearer", f"token with moto's secret: {status} {body}")
    custom = "Custom+secret_" + "x" * 34
    added = cog.add_user_pool_client_secret(UserPoolId=pool, ClientId=cid, ClientSecret=custom)["ClientSecretDescriptor"]
    ok(added["ClientSecretId"].startswith(cid + "--") and "ClientSecretValue" not in added, f"a given secret is not echoed: {added}")
    listing = cog.list_user_pool_client_secrets(UserPoolId=pool, ClientId=cid)["ClientSecrets"]
    ok([s["ClientSecretId"] for s in listing] == [f"{cid}--{int(stamp.timestamp())}", added["ClientSecretId"]], f"oldest first: {listing}")
    status, _ = token_request(upstream, pool, cid, custom)
    ok(status == 200, "token with the added secret")
    fails("LimitExceededException", cog.add_user_pool_client_secret, UserPoolId=pool, ClientId=cid)
    fails("InvalidParameterException", loose.add_user_pool_client_secret, UserPoolId=pool, ClientId=cid, ClientSecret="short")
    cog.delete_user_pool_client_secret(UserPoolId=pool, ClientId=cid, ClientSecretId=added["ClientSecretId"])
    status, _ = token_request(upstream, pool, cid, custom)
    ok(status == 400, "a deleted secret is refused")
    gen = cog.add_user_pool_client_secret(UserPoolId=pool, ClientId=cid)["ClientSecretDescriptor"]
    ok(re.fullmatch(r"[a-z0-9]{51}", gen.get("ClientSecretValue", "")), f"a generated value, returned once: {gen}")
    ok(gen["ClientSecretId"] != added["ClientSecretId"], "ids are not reused")
    cog.delete_user_pool_client_secret(UserPoolId=pool, ClientId=cid, ClientSecretId=f"{cid}--{int(stamp.timestamp())}")
    status, body = token_request(upstream, pool, cid, original)
    ok(status == 400 and body == {"error": "invalid_client"}, f"moto's secret deleted: refused: {status} {body}")
    status, _ = token_request(upstream, pool, cid, gen["ClientSecretValue"], "orders/read")
    ok(status == 200, "token with the generated secret")
    e = fails("InvalidParameterException", cog.delete_user_pool_client_secret, UserPoolId=pool, ClientId=cid, ClientSecretId=gen["ClientSecretId"])
    ok("last" in str(e), f"the message says why: {e}")
    fails("ResourceNotFoundException", cog.delete_user_pool_client_secret, UserPoolId=pool, ClientId=cid, ClientSecretId="nope--1")
    for o in (-1, "1", 1.5):
        bad = base64.urlsafe_b64encode(json.dumps({"o": o}).encode()).decode()
        fails("InvalidParameterException", loose.list_user_pool_client_secrets, UserPoolId=pool, ClientId=cid, NextToken=bad)
    fails("ResourceNotFoundException", cog.list_user_pool_client_secrets, UserPoolId=pool, ClientId="nope")
    fails("ResourceNotFoundException", cog.list_user_pool_client_secrets, UserPoolId=f"{EU}_nope", ClientId=cid)
    dated = cog.create_user_pool_client(UserPoolId=pool, ClientName="plain", GenerateSecret=True)["UserPoolClient"]["ClientId"]
    first = cog.list_user_pool_client_secrets(UserPoolId=pool, ClientId=dated)["ClientSecrets"][0]["ClientSecretCreateDate"]
    ok(abs(first.timestamp() - time.time()) < 60, f"a name without a stamp: dated when first seen: {first}")
    cog.delete_user_pool_client(UserPoolId=pool, ClientId=cid)  # passes through, drops the state
    fails("ResourceNotFoundException", cog.list_user_pool_client_secrets, UserPoolId=pool, ClientId=cid)
    status, _ = token_request(upstream, pool, cid, gen["ClientSecretValue"])
    ok(status == 400, "a deleted app client's secret is refused")
    print("ok: Cognito (Add/List/DeleteUserPoolClientSecret, token endpoint)")


# ---------------------------------------------------------------- CloudTrail: LookupEvents


def record(i, when, region, **extra):
    r = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice", "userName": "alice", "accessKeyId": "AKIAALICE"},
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "apigateway.amazonaws.com",
        "eventName": ["CreateApiKey", "GetRestApis", "UpdateStage"][i % 3],
        "awsRegion": region,
        "requestParameters": {"restApiId": f"api{i % 4}", "createUsagePlanKeyInput": {"keyId": f"key{i}", "keyType": "API_KEY"}},
        "responseElements": None,
        "eventID": f"ev-{region}-{i:04d}",
        "readOnly": i % 3 == 1,
        "eventType": "AwsApiCall",
    }
    r.update(extra)
    return r


def check_trail(c):
    s3, ct = c("s3", EU, s3={"addressing_style": "path"}), c("cloudtrail", EU)
    s3.create_bucket(Bucket="estate-trail", CreateBucketConfiguration={"LocationConstraint": EU})
    ct.create_trail(Name="estate-trail", S3BucketName="estate-trail", S3KeyPrefix="audit", IsMultiRegionTrail=True)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    at = lambda i: now - datetime.timedelta(minutes=10 * i + 1)
    eu = [record(i, at(i), EU) for i in range(65)]
    eu[0]["userIdentity"] = {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/Admin/jane",
                             "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin"}}}
    eu[1]["resources"] = [{"ARN": "arn:aws:apigateway:eu-west-1::/restapis/zzz", "type": "AWS::ApiGateway::RestApi"}]
    eu[2].update(eventSource="cognito-idp.amazonaws.com", eventName="AddUserPoolClientSecret",
                 requestParameters={"userPoolId": f"{EU}_abc", "clientId": "HIDDEN_DUE_TO_SECURITY_REASONS"})

    def put(key, records):
        data = gzip.compress(json.dumps({"Records": records}).encode())
        s3.put_object(Bucket="estate-trail", Key=key, Body=data)

    day = now.strftime("%Y/%m/%d")
    base = f"audit/AWSLogs/123456789012/CloudTrail"
    put(f"{base}/{EU}/{day}/123456789012_CloudTrail_{EU}_a.json.gz", eu[:40])
    put(f"{base}/{EU}/{day}/123456789012_CloudTrail_{EU}_b.json.gz", eu[35:])  # five in both files
    put(f"{base}/{US}/{day}/123456789012_CloudTrail_{US}_a.json.gz", [record(i, at(i), US) for i in range(3)])
    put(f"{base}/{EU}/{day}/digest.json", [])  # not a log file
    s3.put_object(Bucket="estate-trail", Key="head-check", Body=b"x" * 1234)
    head = s3.head_object(Bucket="estate-trail", Key="head-check")
    ok(head["ContentLength"] == 1234, f"HeadObject through the front keeps moto's Content-Length: {head['ContentLength']}")
    s3.delete_object(Bucket="estate-trail", Key="head-check")

    def lookup(client=ct, **kw):
        time.sleep(0.55)  # CloudTrail's 2 calls/s
        return client.lookup_events(**kw)

    page1 = lookup()
    ok(len(page1["Events"]) == 50 and page1.get("NextToken"), f"a page of 50 with a NextToken: {len(page1['Events'])}")
    page2 = lookup(NextToken=page1["NextToken"])
    ok(len(page2["Events"]) == 15 and "NextToken" not in page2, f"the last page, no NextToken: {len(page2['Events'])} {page2.get('NextToken')}")
    ids = [e["EventId"] for e in page1["Events"] + page2["Events"]]
    ok(ids == [r["eventID"] for r in eu], "every event once (deduped by eventID), newest first, across pages")
    times = [e["EventTime"] for e in page1["Events"] + page2["Events"]]
    ok(times == sorted(times, reverse=True) and times[0] == at(0), "EventTime as a timestamp")
    e0, e1, e2, e3 = page1["Events"][:4]
    ok(e0["Username"] == "jane" and "AccessKeyId" not in e0, f"an assumed role's session name: {e0.get('Username')}")
    ok(e3["Username"] == "alice" and e3["AccessKeyId"] == "AKIAALICE" and e3["ReadOnly"] == "false", f"{e3}")
    ok(e1["ReadOnly"] == "true", f"ReadOnly as a string: {e1['ReadOnly']}")
    ok(e1["Resources"] == [{"ResourceType": "AWS::ApiGateway::RestApi", "ResourceName": "arn:aws:apigateway:eu-west-1::/restapis/zzz"}], f"{e1['Resources']}")
    ok(e2["Resources"] == [{"ResourceType": "AWS::Cognito::UserPool", "ResourceName": f"{EU}_abc"}], f"hidden ids are not resources: {e2['Resources']}")
    ok({"ResourceType": "AWS::ApiGateway::RestApi", "ResourceName": "api3"} in e3["Resources"]
       and {"ResourceType": "AWS::ApiGateway::ApiKey", "ResourceName": "key3"} in e3["Resources"], f"{e3['Resources']}")
    ok(json.loads(e3["CloudTrailEvent"]) == eu[3], "CloudTrailEvent is the record")
    window = lookup(StartTime=at(19), EndTime=at(10))
    ok([e["EventId"] for e in window["Events"]] == [r["eventID"] for r in eu[10:20]], f"a time range: {len(window['Events'])}")
    small = lookup(MaxResults=7, StartTime=at(19), EndTime=at(10))
    rest = lookup(MaxResults=7, StartTime=at(19), EndTime=at(10), NextToken=small["NextToken"])
    ok(len(small["Events"]) == 7 and len(rest["Events"]) == 3 and "NextToken" not in rest, "pages of MaxResults within a range")
    named = lookup(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateApiKey"}])
    ok(len(named["Events"]) == 22 and all(e["EventName"] == "CreateApiKey" for e in named["Events"]), f"EventName: {len(named['Events'])}")
    by_api = lookup(LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": "api2"}])
    ok(len(by_api["Events"]) == 15, f"ResourceName matches any resource: {len(by_api['Events'])}")
    by_user = lookup(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "jane"}])
    ok([e["EventId"] for e in by_user["Events"]] == [eu[0]["eventID"]], "Username")
    read_only = lookup(LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "true"}])
    ok(len(read_only["Events"]) == 22, f"ReadOnly: {len(read_only['Events'])}")
    us = lookup(client=c("cloudtrail", US))
    ok([e["EventId"] for e in us["Events"]] == [f"ev-{US}-{i:04d}" for i in range(3)], "the caller's region only (the multi-region trail)")
    loose = c("cloudtrail", EU, parameter_validation=False, retries={"total_max_attempts": 1})
    two = [{"AttributeKey": "EventName", "AttributeValue": "x"}, {"AttributeKey": "Username", "AttributeValue": "y"}]
    time.sleep(0.55)
    fails("InvalidLookupAttributesException", loose.lookup_events, LookupAttributes=two)
    time.sleep(0.55)
    fails("InvalidLookupAttributesException", loose.lookup_events, LookupAttributes=[{"AttributeKey": "Colour", "AttributeValue": "red"}])
    time.sleep(0.55)
    fails("InvalidMaxResultsException", loose.lookup_events, MaxResults=51)
    time.sleep(0.55)
    fails("InvalidMaxResultsException", loose.lookup_events, MaxResults=0)
    time.sleep(0.55)
    fails("InvalidTimeRangeException", loose.lookup_events, StartTime=at(1), EndTime=at(5))
    time.sleep(0.55)
    fails("InvalidNextTokenException", loose.lookup_events, NextToken="bm90IG91cnM=")
    time.sleep(0.55)
    fails("InvalidNextTokenException", loose.lookup_events, NextToken=page1["NextToken"], LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "UpdateStage"}])
    time.sleep(3)  # the proxy's bucket refills to its burst of 5
    answers = []
    for _ in range(12):
        try:
            loose.lookup_events(MaxResults=1)
            answers.append(200)
        except ClientError as e:
            answers.append((e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]))
    ok(answers[:5] == [200] * 5 and (400, "ThrottlingException") in answers, f"2 calls/s, a burst of 5, then ThrottlingException: {answers}")
    print("ok: CloudTrail (LookupEvents)")


# ---------------------------------------------------------------- --only-config


def check_only_config(moto, upstream):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "upstream.toml")
        subprocess.run([PY, f"{HERE}/upstream.py", "--only-config", upstream, "--moto", moto, "--regions", f"{US} {EU}", "--config-out", out],
                       check=True, env=ENV, timeout=120)
        text = open(out).read()
    ok(text.startswith("[invoke_urls]\n") and "[token_urls]" in text, f"--only-config writes both tables: {text[:200]}")
    ok(re.search(rf'"[a-z0-9]+/prod" = "{re.escape(upstream)}/[a-z0-9]+/prod"', text), "an invoke URL at the running upstream")
    ok(re.search(rf'"{EU}_[0-9a-f]+" = "{re.escape(upstream)}/{EU}_[0-9a-f]+/oauth2/token"', text), "a token URL at the running upstream")
    print("ok: --only-config")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"front_check: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
