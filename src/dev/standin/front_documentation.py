"""The front's API Gateway documentation parts, kept in memory per region and API."""

from front_common import *  # noqa: F401,F403  (the shared names: errors, log, tokens)

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



class DocumentationAnswers:
    """The answers of this part, mixed into the front's listener."""

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
