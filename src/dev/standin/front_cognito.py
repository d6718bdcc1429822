"""The front's Cognito client secrets: the two-secret model."""

from front_common import *  # noqa: F401,F403  (the shared names: errors, log, tokens)

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



class CognitoAnswers:
    """The answers of this part, mixed into the front's listener."""

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
