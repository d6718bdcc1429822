#!/usr/bin/env python3
"""Baseline for scripts/bench: read what `portcullis apis --detail` reads, with
plain sequential boto3 calls, and print it as one JSON array.

Usage: bench_boto3.py ENDPOINT_URL REGION

Per REST API: GetStages, GetResources(embed=methods), and GetAuthorizers when a
method names an authorizer. Per HTTP API: GetStages, GetRoutes, and the
authorizers when a route names one (the same fields portcullis reads).
The output shape is simple (not portcullis's), but the counts of APIs, stages,
authorizers, methods and routes are comparable.
"""

import json
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

PAGE = 500


def rest_pages(call, **kwargs):
    """Items of a paginated apigateway (v1) list call (limit/position)."""
    position = None
    while True:
        args = dict(kwargs, limit=PAGE)
        if position:
            args["position"] = position
        page = call(**args)
        items = page.get("items", [])
        yield from items
        position = page.get("position")
        if not position or not items:
            return


def v2_pages(call, **kwargs):
    """Items of a paginated apigatewayv2 list call (MaxResults/NextToken)."""
    token = None
    while True:
        args = dict(kwargs, MaxResults=str(PAGE))
        if token:
            args["NextToken"] = token
        page = call(**args)
        items = page.get("Items", [])
        yield from items
        token = page.get("NextToken")
        if not token or not items:
            return


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: bench_boto3.py ENDPOINT_URL REGION", file=sys.stderr)
        return 2
    endpoint, region = sys.argv[1], sys.argv[2]
    common = dict(
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    # As careful as portcullis: standard retries, 8 attempts (throttling included).
    careful = Config(retries={"mode": "standard", "max_attempts": 8})
    v1 = boto3.client("apigateway", config=careful, **common)
    v2 = boto3.client("apigatewayv2", config=careful, **common)
    # moto 5.2.5 does not implement apigatewayv2 GetAuthorizers (HTTP 500):
    # try it once without retries, then read the routes' authorizers one by one.
    v2_once = boto3.client(
        "apigatewayv2", config=Config(retries={"total_max_attempts": 1}), **common
    )
    warned = False

    out = []
    for api in rest_pages(v1.get_rest_apis):
        api_id = api["id"]
        stages = v1.get_stages(restApiId=api_id).get("item", [])
        methods = []
        for resource in rest_pages(v1.get_resources, restApiId=api_id, embed=["methods"]):
            for verb, method in sorted(resource.get("resourceMethods", {}).items()):
                methods.append(
                    {
                        "path": resource.get("path", "/"),
                        "method": verb,
                        "authorization": method.get("authorizationType", "NONE"),
                        "authorizerId": method.get("authorizerId"),
                        "apiKeyRequired": method.get("apiKeyRequired", False),
                        "integrationType": method.get("methodIntegration", {}).get("type"),
                    }
                )
        authorizers = []
        if any(m["authorizerId"] for m in methods):
            authorizers = list(rest_pages(v1.get_authorizers, restApiId=api_id))
        out.append(
            {
                "id": api_id,
                "name": api.get("name", ""),
                "kind": "rest",
                "region": region,
                "tags": api.get("tags", {}),
                "stages": [s["stageName"] for s in stages],
                "authorizers": [
                    {"id": a["id"], "name": a.get("name"), "type": a.get("type")}
                    for a in authorizers
                ],
                "methods": methods,
            }
        )

    for api in v2_pages(v2.get_apis):
        if api.get("ProtocolType") != "HTTP":
            continue
        api_id = api["ApiId"]
        stages = list(v2_pages(v2.get_stages, ApiId=api_id))
        routes = list(v2_pages(v2.get_routes, ApiId=api_id))
        try:
            authorizers = []
            if any(r.get("AuthorizerId") for r in routes):
                for attempt in range(8):
                    try:
                        authorizers = list(v2_pages(v2_once.get_authorizers, ApiId=api_id))
                        break
                    except ClientError as err:
                        throttled = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 429
                        if not throttled or attempt == 7:
                            raise
                        # Throttled, not unsupported: wait and ask again (one attempt each time).
                        time.sleep(min(5.0, 0.1 * 2**attempt))
        except ClientError as err:
            status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status != 500:
                raise
            if not warned:
                print(
                    "bench_boto3.py: apigatewayv2 GetAuthorizers failed (HTTP 500; moto does not"
                    " implement it): reading each route's authorizer with GetAuthorizer",
                    file=sys.stderr,
                )
                warned = True
            ids = sorted({r["AuthorizerId"] for r in routes if r.get("AuthorizerId")})
            authorizers = [v2.get_authorizer(ApiId=api_id, AuthorizerId=i) for i in ids]
        out.append(
            {
                "id": api_id,
                "name": api.get("Name", ""),
                "kind": "http",
                "region": region,
                "tags": api.get("Tags", {}),
                "stages": [s["StageName"] for s in stages],
                "authorizers": [
                    {
                        "id": a["AuthorizerId"],
                        "name": a.get("Name"),
                        "type": a.get("AuthorizerType"),
                    }
                    for a in authorizers
                ],
                "routes": [
                    {
                        "routeKey": r.get("RouteKey"),
                        "authorization": r.get("AuthorizationType", "NONE"),
                        "authorizerId": r.get("AuthorizerId"),
                    }
                    for r in routes
                ],
            }
        )

    out.sort(key=lambda a: (a["name"].lower(), a["region"], a["id"]))
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
