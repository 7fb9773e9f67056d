"""Data for bench/records.py: object definitions, deterministic values, and a fast loader.

- DEAL_OBJECT / DEAL_FIELDS: an Opportunity-like custom object with 30 custom fields (three indexed,
  one lookup, one auto-number), created through metadata.services like any tenant's object;
  TICKET_OBJECT / TICKET_FIELDS: another custom object that shares the record table.
- ValueFactory: typed Python values per record (what the write pipeline holds after coercion:
  str, Decimal, date, bool, int ids, picklist keys), seeded, so every run loads the same data; and
  their API form (`payload`) for the runtime and HTTP paths.
- copy_records(): writes rows straight into an object's partition with COPY, encoded by the
  runtime's own code (pipeline.storage_rows for name/slots and the JSON of data),
  auto-numbers drawn from the field's own sequence and ids from record_id_seq. bench/records.py
  checks that such rows read back through service.get_record identical to runtime-written ones.

Django is set up (and the tenant schema selected) before anything here that touches the database runs.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

# --- object definitions ---------------------------------------------------------------------------


def _labels(en: str, zh: str) -> dict:
    return {"zh-hans": zh, "en": en}


def _values(*keys: str) -> dict:
    return {"values": [{"key": k, "labels": _labels(k.replace("_", " ").title(), k)} for k in keys]}


#: Stage keys and their share of the deals; `proposal` holds ~10% (the list-page filter).
DEAL_STAGES = [
    ("prospecting", 0.14), ("qualification", 0.12), ("needs_analysis", 0.12), ("value_proposition", 0.08),
    ("decision_makers", 0.06), ("perception_analysis", 0.06), ("proposal", 0.10), ("negotiation", 0.08),
    ("closed_won", 0.12), ("closed_lost", 0.12),
]
STAGE_PROBABILITY = {"prospecting": 10, "qualification": 20, "needs_analysis": 30, "value_proposition": 40,
                     "decision_makers": 50, "perception_analysis": 60, "proposal": 70, "negotiation": 85,
                     "closed_won": 100, "closed_lost": 0}
LIST_STAGE = "proposal"
REGIONS = [("east", 0.30), ("south", 0.25), ("north", 0.20), ("west", 0.10), ("central", 0.10), ("overseas", 0.05)]
CLOSE_FIRST = dt.date(2022, 1, 1)
CLOSE_DAYS = 5 * 365  # close dates spread evenly over 2022-01-01 … 2026-12-30

DEAL_OBJECT = {
    "api_name": "deal",
    "labels": {"zh-hans": {"singular": "交易", "plural": "交易"}, "en": {"singular": "Deal", "plural": "Deals"}},
    "name_field": {"api_name": "name", "type": "text", "labels": _labels("Deal name", "交易名称")},
}

DEAL_FIELDS: list[dict] = [
    {"api_name": "stage", "type": "picklist", "labels": _labels("Stage", "阶段"), "required": True, "indexed": True,
     "default": "prospecting", "history_tracked": True,
     "options": {"values": [{"key": k, "labels": _labels(k.replace("_", " ").title(), k),
                             "probability": STAGE_PROBABILITY[k]} for k, _w in DEAL_STAGES]}},
    {"api_name": "close_date", "type": "date", "labels": _labels("Close date", "预计成交日期"), "required": True,
     "indexed": True, "history_tracked": True},
    {"api_name": "amount", "type": "currency", "labels": _labels("Amount", "金额"), "indexed": True,
     "history_tracked": True},
    {"api_name": "region", "type": "picklist", "labels": _labels("Region", "区域"), "options": _values(*[k for k, _ in REGIONS])},
    {"api_name": "probability", "type": "percent", "labels": _labels("Probability", "赢率"),
     "options": {"precision": 5, "scale": 0, "min": 0, "max": 100}},
    # 8 text fields
    {"api_name": "next_step", "type": "text", "labels": _labels("Next step", "下一步")},
    {"api_name": "lead_source", "type": "text", "labels": _labels("Lead source", "线索来源"), "options": {"max_length": 80}},
    {"api_name": "competitor", "type": "text", "labels": _labels("Competitor", "竞争对手")},
    {"api_name": "campaign_code", "type": "text", "labels": _labels("Campaign code", "活动编号"), "options": {"max_length": 40}},
    {"api_name": "contact_name", "type": "text", "labels": _labels("Contact name", "联系人")},
    {"api_name": "contact_title", "type": "text", "labels": _labels("Contact title", "联系人职务")},
    {"api_name": "partner_name", "type": "text", "labels": _labels("Partner", "合作伙伴")},
    {"api_name": "reference", "type": "text", "labels": _labels("Reference", "参考编号"), "options": {"max_length": 60}},
    # 4 numbers
    {"api_name": "quantity", "type": "number", "labels": _labels("Quantity", "数量"),
     "options": {"precision": 9, "scale": 0, "min": 0}},
    {"api_name": "discount", "type": "number", "labels": _labels("Discount", "折扣"),
     "options": {"precision": 5, "scale": 2, "min": 0, "max": 100}},
    {"api_name": "cost", "type": "number", "labels": _labels("Cost", "成本"), "options": {"precision": 14, "scale": 2}},
    {"api_name": "margin", "type": "number", "labels": _labels("Margin", "毛利"), "options": {"precision": 14, "scale": 2}},
    # 3 dates
    {"api_name": "first_contact", "type": "date", "labels": _labels("First contact", "首次接触")},
    {"api_name": "last_activity", "type": "date", "labels": _labels("Last activity", "最近活动")},
    {"api_name": "contract_start", "type": "date", "labels": _labels("Contract start", "合同开始")},
    # 2 booleans
    {"api_name": "is_strategic", "type": "boolean", "labels": _labels("Strategic", "战略客户")},
    {"api_name": "needs_legal", "type": "boolean", "labels": _labels("Needs legal review", "需法务审核")},
    # 2 more picklists
    {"api_name": "deal_type", "type": "picklist", "labels": _labels("Type", "类型"),
     "options": _values("new_business", "existing_business", "renewal")},
    {"api_name": "forecast", "type": "picklist", "labels": _labels("Forecast category", "预测类别"),
     "options": _values("pipeline", "best_case", "commit", "closed", "omitted")},
    {"api_name": "contact_email", "type": "email", "labels": _labels("Contact email", "联系人邮箱")},
    {"api_name": "contact_phone", "type": "phone", "labels": _labels("Contact phone", "联系人电话")},
    {"api_name": "website", "type": "url", "labels": _labels("Website", "网址")},
    {"api_name": "description", "type": "long_text", "labels": _labels("Description", "描述")},
    {"api_name": "account", "type": "lookup", "labels": _labels("Account", "客户"),
     "options": {"target": "account", "on_delete": "restrict", "relationship_name": "deals"}},
    {"api_name": "deal_number", "type": "auto_number", "labels": _labels("Deal number", "交易编号"),
     "options": {"format": "DL-{YYYY}-{000000}"}},
]
assert len(DEAL_FIELDS) == 30

TICKET_OBJECT = {
    "api_name": "ticket",
    "labels": {"zh-hans": {"singular": "工单", "plural": "工单"}, "en": {"singular": "Ticket", "plural": "Tickets"}},
    "name_field": {"api_name": "subject", "type": "text", "labels": _labels("Subject", "主题")},
}

TICKET_FIELDS: list[dict] = [
    {"api_name": "status", "type": "picklist", "labels": _labels("Status", "状态"), "indexed": True,
     "options": _values("new", "open", "pending", "solved", "closed")},
    {"api_name": "priority", "type": "picklist", "labels": _labels("Priority", "优先级"),
     "options": _values("low", "normal", "high", "urgent")},
    {"api_name": "channel", "type": "picklist", "labels": _labels("Channel", "渠道"),
     "options": _values("email", "phone", "wechat", "web", "onsite")},
    {"api_name": "opened_on", "type": "date", "labels": _labels("Opened", "创建日期"), "indexed": True},
    {"api_name": "due_on", "type": "date", "labels": _labels("Due", "截止日期")},
    {"api_name": "account", "type": "lookup", "labels": _labels("Account", "客户"),
     "options": {"target": "account", "on_delete": "set_null", "relationship_name": "tickets"}},
    {"api_name": "hours", "type": "number", "labels": _labels("Hours", "工时"), "options": {"precision": 7, "scale": 1}},
    {"api_name": "escalated", "type": "boolean", "labels": _labels("Escalated", "已升级")},
    {"api_name": "customer_email", "type": "email", "labels": _labels("Customer email", "客户邮箱")},
    {"api_name": "customer_phone", "type": "phone", "labels": _labels("Customer phone", "客户电话")},
    {"api_name": "product", "type": "text", "labels": _labels("Product", "产品")},
    {"api_name": "product_version", "type": "text", "labels": _labels("Version", "版本"), "options": {"max_length": 40}},
    {"api_name": "satisfaction", "type": "number", "labels": _labels("Satisfaction", "满意度"),
     "options": {"precision": 1, "scale": 0, "min": 1, "max": 5}},
    {"api_name": "sla_breached", "type": "boolean", "labels": _labels("SLA breached", "超出SLA")},
    {"api_name": "resolution", "type": "long_text", "labels": _labels("Resolution", "解决方案")},
    {"api_name": "description", "type": "long_text", "labels": _labels("Description", "描述")},
]


# --- values -------------------------------------------------------------------------------------

EN_WORDS = ("cloud", "data", "renewal", "platform", "upgrade", "service", "support", "license", "pilot", "rollout",
            "integration", "analytics", "security", "network", "storage", "mobile", "training", "expansion",
            "phase", "contract", "hardware", "consulting", "migration", "annual", "enterprise", "regional")
ZH_WORDS = ("华东", "华南", "科技", "有限公司", "集团", "贸易", "软件", "咨询", "制造", "电子", "医疗", "教育", "物流",
            "金融", "新能源", "智能", "数据", "云", "平台", "项目", "续约", "扩容", "采购", "升级", "二期", "服务")
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭")
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英")
TITLES = ("CEO", "CTO", "CIO", "采购经理", "IT Director", "财务总监", "Head of Procurement", "VP Sales", "运营经理")
DOMAINS = ("example.com", "example.cn", "corp.example", "mail.example.org", "qiye.example")
SENTENCE = ("Customer asked for a revised quote covering the second phase; legal wants the data-processing "
            "annex before signature. 客户要求在下季度前完成部署，并提供现场培训。 Follow up with procurement "
            "about the payment terms and the on-site acceptance test. ")


def weighted(rng: random.Random, choices: Sequence[tuple[str, float]]) -> str:
    x = rng.random()
    for key, weight in choices:
        x -= weight
        if x < 0:
            return key
    return choices[-1][0]


def pick(rng: random.Random, pool: Sequence) -> Any:
    """rng.choice without randrange's overhead (the loader draws tens of millions of values)."""
    return pool[int(rng.random() * len(pool))]


def _words(rng: random.Random, low: int, high: int) -> str:
    pool = ZH_WORDS if rng.random() < 0.5 else EN_WORDS
    sep = "" if pool is ZH_WORDS else " "
    return sep.join(rng.choice(pool) for _ in range(rng.randint(low, high)))


def _person(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return rng.choice(SURNAMES) + rng.choice(GIVEN)
    return f"{rng.choice(('Alice', 'Bob', 'Chen', 'Dana', 'Li', 'Mark', 'Sara', 'Wei'))} " \
           f"{rng.choice(('Smith', 'Wang', 'Lee', 'Zhang', 'Brown', 'Liu', 'Tan'))}"


def _long_text(rng: random.Random) -> str:
    length = int(rng.triangular(60, 700, 180))
    start = rng.randrange(len(SENTENCE))
    text = (SENTENCE * (2 + length // len(SENTENCE)))[start:start + length]
    return text.strip() or "n/a"


def _pool(seed: str, size: int, make: Callable[[random.Random], Any]) -> list:
    rng = random.Random(seed)
    return [make(rng) for _ in range(size)]


_DATES = [CLOSE_FIRST + dt.timedelta(days=d) for d in range(CLOSE_DAYS)]


class ValueFactory:
    """Typed values for records of one object: generic by field type, with per-field overrides.

    Values are what the write pipeline holds after coercion and defaults, so pipeline.storage_rows()
    stores them exactly as the runtime would; `payload()` gives their API form for create_records /
    the HTTP API. Text-like values are drawn from seeded pools (the loader makes millions of rows).
    """

    def __init__(self, obj, *, owner_id: int | None, lookup_pools: dict[str, Callable[[random.Random], int]],
                 overrides: dict[str, Callable[[random.Random, dict], Any]] | None = None,
                 fill: dict[str, float] | None = None, default_fill: float = 0.85):
        from metadata.fieldtypes.picklists import allowed_under, value_keys

        self.obj = obj
        self.owner_id = owner_id
        overrides = overrides or {}
        fill = fill or {}
        fields = [f for f in obj.fields if (f.writable and not f.type.computed and f.column is None)
                  or f.column == "name"]
        # Controllers before the picklists that depend on them (address cascades of the account).
        independent = [f for f in fields if not f.options.get("controlling_field")]
        dependent = [f for f in fields if f.options.get("controlling_field")]
        ordered: list = list(independent)
        while dependent:
            ready = [f for f in dependent if f.options["controlling_field"] in {g.api_name for g in ordered}]
            if not ready:
                ordered += dependent
                break
            ordered += ready
            dependent = [f for f in dependent if f not in ready]
        self.fields = ordered
        self._plan = []
        for f in ordered:
            always = f.required or f.column == "name"
            share = 1.0 if always else fill.get(f.api_name, default_fill)
            make = overrides.get(f.api_name) or self._maker(f, lookup_pools, allowed_under, value_keys)
            if make is not None:
                self._plan.append((f.api_name, share, make))
        self._defaults = []
        for f in ordered:
            if f.type.supports_default and f.column is None:
                default = f.type.default_value(f)
                if default is not None:
                    self._defaults.append((f.api_name, default))

    def values(self, rng: random.Random) -> dict:
        values: dict[str, Any] = {"owner": self.owner_id} if self.owner_id else {}
        r = rng.random
        for name, share, make in self._plan:
            if share < 1.0 and r() >= share:
                continue
            value = make(rng, values)
            if value is not None:
                values[name] = value
        # What pipeline.apply_defaults gives a new record (a checkbox is never blank: false).
        for name, default in self._defaults:
            if name not in values:
                values[name] = default
        return values

    @staticmethod
    def _maker(f, lookup_pools, allowed_under, value_keys) -> Callable[[random.Random, dict], Any] | None:
        key = f.type.key
        seed = f"{f.object_api_name}.{f.api_name}"
        if key == "picklist":
            keys = value_keys(f, active_only=True)
            controller = f.options.get("controlling_field")
            if controller:
                def dependent(rng, values, f=f, keys=keys, controller=controller):
                    allowed = allowed_under(f, values.get(controller))
                    choices = [k for k in keys if allowed is None or k in allowed]
                    return pick(rng, choices) if choices else None
                return dependent
            return lambda rng, values: pick(rng, keys)
        if key == "multi_picklist":
            keys = value_keys(f, active_only=True)
            return lambda rng, values: tuple(sorted(set(rng.sample(keys, min(2, len(keys))))))
        if key == "long_text":
            pool = _pool(seed, 512, _long_text)
        elif key == "email":
            pool = _pool(seed, 4096, lambda rng: f"{rng.choice(('sales', 'info', 'li.wei', 'ops', 'buyer'))}"
                                                 f"{rng.randrange(10_000)}@{rng.choice(DOMAINS)}")
        elif key == "phone":
            pool = _pool(seed, 4096, lambda rng: f"+86 1{rng.randint(30, 99)} {rng.randint(1000, 9999)} "
                                                 f"{rng.randint(1000, 9999)}")
        elif key == "url":
            pool = _pool(seed, 4096, lambda rng: f"https://www.company{rng.randrange(100_000)}.example.com/")
        elif key == "text":
            limit = f.type.max_length(f)
            pool = _pool(seed, 4096, lambda rng: _words(rng, 1, 4)[:limit].strip() or "x")
        elif key in ("number", "currency", "percent"):
            scale = f.type.scale(f)
            precision = f.type.precision(f)
            low, high = f.options.get("min"), f.options.get("max")
            top = min(10 ** (precision - scale) - 1, 1_000_000)
            low = 0 if low is None else low
            high = top if high is None else min(high, top)
            units = 10 ** scale
            span = int((high - low) * units)
            base = int(low * units)
            return lambda rng, values: Decimal(base + int(rng.random() * span)).scaleb(-scale)
        elif key == "date":
            return lambda rng, values: pick(rng, _DATES)
        elif key == "datetime":
            first = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
            return lambda rng, values: first + dt.timedelta(seconds=int(rng.random() * 5 * 365 * 86400))
        elif key == "boolean":
            return lambda rng, values: rng.random() < 0.3
        elif key == "lookup":
            draw = lookup_pools.get(f.options.get("target"))
            return (lambda rng, values: draw(rng)) if draw else None
        else:
            return None  # user fields are the owner; files and images: none in the benchmark
        return lambda rng, values: pick(rng, pool)

    def payload(self, values: dict) -> dict:
        """The API form of typed values (what a client sends)."""
        out = {}
        for name, value in values.items():
            f = self.obj.fields_by_name[name]
            out[name] = f.type.to_api(value, f)
        return out


def _cents(value: float, scale: int) -> Decimal:
    return Decimal(int(round(value * 10 ** scale))).scaleb(-scale)


def deal_factory(obj, *, owner_id: int | None, account_ids: Callable[[random.Random], int]) -> ValueFactory:
    names = _pool("deal.name", 8192, lambda rng: f"{_words(rng, 1, 3)} "
                                                 f"{rng.choice(('采购', 'Renewal', '二期', 'Expansion', 'Pilot', '项目'))}")
    people = _pool("deal.contact_name", 2048, _person)
    probability = {k: Decimal(v) for k, v in STAGE_PROBABILITY.items()}
    discounts = [Decimal(d).quantize(Decimal("0.01")) for d in ("0", "0", "5", "10", "12.5", "15", "20")]
    day = dt.timedelta(days=1)

    def amount(rng, values):
        return _cents(min(math.exp(rng.gauss(10.6, 1.1)), 99_000_000), 2)

    def relative(days_low: int, days_high: int):
        span = days_high - days_low + 1

        def make(rng, values):
            return values["close_date"] - (days_low + int(rng.random() * span)) * day
        return make

    overrides = {
        "name": lambda rng, v: f"{pick(rng, names)} #{int(rng.random() * 1_000_000)}",
        "stage": lambda rng, v: weighted(rng, DEAL_STAGES),
        "close_date": lambda rng, v: pick(rng, _DATES),
        "amount": amount,
        "region": lambda rng, v: weighted(rng, REGIONS),
        "probability": lambda rng, v: probability[v["stage"]],
        "contact_name": lambda rng, v: pick(rng, people),
        "contact_title": lambda rng, v: pick(rng, TITLES),
        "campaign_code": lambda rng, v: f"CMP-{2022 + int(rng.random() * 5)}-{int(rng.random() * 1000):03d}",
        "reference": lambda rng, v: f"REF{int(rng.random() * 10**8):08d}",
        "quantity": lambda rng, v: Decimal(1 + int(rng.random() * 500)),
        "discount": lambda rng, v: pick(rng, discounts),
        "cost": lambda rng, v: _cents(float(v.get("amount", 10_000)) * (0.3 + 0.5 * rng.random()), 2),
        "margin": lambda rng, v: Decimal(int(rng.random() * 40_500_000) - 500_000).scaleb(-2),
        "first_contact": relative(60, 400),
        "last_activity": relative(-30, 60),
        "contract_start": relative(-60, 0),
    }
    fill = {"stage": 1.0, "close_date": 1.0, "amount": 0.97, "account": 0.95, "probability": 0.9,
            "description": 0.6, "website": 0.5, "partner_name": 0.3, "competitor": 0.4, "contract_start": 0.35,
            "needs_legal": 0.9, "is_strategic": 0.9}
    return ValueFactory(obj, owner_id=owner_id, lookup_pools={"account": account_ids}, overrides=overrides,
                        fill=fill)


def ticket_factory(obj, *, owner_id: int | None, account_ids: Callable[[random.Random], int]) -> ValueFactory:
    subjects = _pool("ticket.subject", 8192, lambda rng: _words(rng, 2, 5))
    overrides = {
        "subject": lambda rng, v: f"{pick(rng, subjects)} #{int(rng.random() * 1_000_000)}",
        "satisfaction": lambda rng, v: Decimal(1 + int(rng.random() * 5)),
    }
    return ValueFactory(obj, owner_id=owner_id, lookup_pools={"account": account_ids}, overrides=overrides,
                        fill={"resolution": 0.5, "description": 0.8}, default_fill=0.75)


def account_factory(obj, *, owner_id: int | None) -> ValueFactory:
    names = _pool("account.name", 8192, lambda rng: _words(rng, 2, 4))
    return ValueFactory(obj, owner_id=owner_id, lookup_pools={},
                        overrides={"name": lambda rng, v: f"{pick(rng, names)} {int(rng.random() * 1_000_000)}"},
                        fill={"description": 0.4}, default_fill=0.8)


# --- the fast loader ------------------------------------------------------------------------------



def reserve_ids(cursor, sequence: str, count: int) -> int:
    """Reserve `count` consecutive values of a sequence (no concurrent writers); returns the first."""
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    if count > 1:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def copy_records(obj, rows: Iterable[dict], *, today: dt.date | None = None) -> list[int]:
    """Write records (typed values) into `obj`'s partition with COPY, in the runtime's storage encoding
    (pipeline.storage_rows, repository.copy_columns: what a big batch through the runtime writes).

    Returns the new ids in input order. Auto-numbers come from each field's sequence, as
    pipeline.assign_auto_numbers draws them; owner from the values, created_by/updated_by empty
    (the SYSTEM actor), created_at/updated_at now() (the columns' defaults), version 1.
    """
    from django.db import connection
    from django.utils import timezone

    from metadata.fieldtypes.autonumber import render, sequence_name
    from tessera.records.pipeline import Draft, storage_rows
    from tessera.records.repository import copy_columns
    from tessera.records.search_keys import INITIALS_COLUMN, PINYIN_COLUMN, compact, name_keys

    rows = list(rows)
    if not rows:
        return []
    today = today or timezone.localdate()
    slot_columns = sorted({f.slot for f in obj.fields if f.slot})
    columns = ["id", "object_id", "owner_id", "created_by", "updated_by", "category", "name", PINYIN_COLUMN,
               INITIALS_COLUMN, *slot_columns, "data"]
    auto = [f for f in obj.fields if f.type.key == "auto_number"]
    prefix_keys: dict[str, tuple] = {}

    def keys(name):
        """search_keys.name_keys(name), from the keys of its pooled part (names are "<pool> #<n>")."""
        head, _sep, tail = (name or "").rpartition(" #")
        if not head:
            return name_keys(name)
        if head not in prefix_keys:
            prefix_keys[head] = name_keys(head)
        return tuple(None if k is None else k + compact(tail) for k in prefix_keys[head])

    with connection.cursor() as cursor:
        first_id = reserve_ids(cursor, "record_id_seq", len(rows))
        numbers = {f.api_name: reserve_ids(cursor, sequence_name(f.id), len(rows)) for f in auto}
    ids = list(range(first_id, first_id + len(rows)))
    drafts = []
    for n, values in enumerate(rows):
        draft = Draft(index=n, values=dict(values))
        for f in auto:
            draft.values[f.api_name] = render(f.options["format"], numbers[f.api_name] + n, today)
        drafts.append(draft)
    stored = storage_rows(obj, drafts, user_id=None)
    keyed = [keys(name) for name in stored.names]
    blank = [None] * len(rows)
    copy_columns(obj.table, columns, [
        ids, [obj.id] * len(rows), stored.owner_ids, blank, blank, stored.categories, stored.names,
        [k[0] for k in keyed], [k[1] for k in keyed], *[stored.slots.get(c, blank) for c in slot_columns], stored.data])
    return ids
