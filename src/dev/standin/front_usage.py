"""The front's API Gateway GetUsage: usage consistent with each plan's quota."""

from front_common import *  # noqa: F401,F403  (the shared names: errors, log, tokens)

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



class UsageAnswers:
    """The answers of this part, mixed into the front's listener."""

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
