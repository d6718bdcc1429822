"""The front's OpenAPI 3.0 exports: REST GetExport (oas30) with the documentation merged in, v2 ExportApi."""

from front_common import *  # noqa: F401,F403  (the shared names: errors, log, tokens)

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



class ExportAnswers:
    """The answers of this part, mixed into the front's listener."""

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
