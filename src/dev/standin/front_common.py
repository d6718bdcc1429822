"""What every part of the front shares: its errors, its log, paging tokens, times."""


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
# Named by the proxy in front (src/dev/standin/proxy.rs): the operation and its region.
OPERATION_HEADER = "x-standin-operation"
REGION_HEADER = "x-standin-region"
UTC = datetime.timezone.utc



# The access key the request being answered is signed with (one thread per request): moto tells
# the account by it (an assumed role's key is that account's), so what the front reads from moto
# for an answer is the caller's account's.
CALLER = threading.local()


def caller_key():
    return getattr(CALLER, "key", None)


def access_key(authorization):
    """The access key id of a SigV4 `Authorization` header, None without one."""
    m = re.search(r"Credential=([^/,\s]+)/", authorization or "")
    return m.group(1) if m else None


class ApiError(Exception):
    """An error answer: HTTP status, AWS error code, message."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def log(op, detail):
    print(f"front: {op} {detail}", file=sys.stderr, flush=True)


def code_of(e: ClientError) -> str:
    return e.response.get("Error", {}).get("Code", "")


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


def bad_request(message):
    return ApiError(400, "BadRequestException", message)
