"""Sample data for the demo tenant: a company on its 30th day with Tessera.

A sales director and three salespeople (in a role hierarchy, each owning their customers), customers
in several industries and provinces (Chinese and international), two contacts each with mobile
numbers and roles, leads, deals across every stage with amounts and close dates around this
quarter, and a week of visits, calls and meetings - so the first screen a newcomer sees is a
working CRM. Everything is written through the record service like any user's data (validation,
auto-numbers, history).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from tessera.security.models import Department, Profile, Role

from . import service

#: name, industry, country, province, city, category
COMPANIES = [
    ("华信科技有限公司", "it", "cn", "guangdong", "shenzhen", "vip"),
    ("东方制造集团", "manufacturing", "cn", "jiangsu", "suzhou", "vip"),
    ("蓝海零售连锁", "retail", "cn", "shanghai", "shanghai", "retail"),
    ("瑞丰电子分销", "distribution", "cn", "guangdong", "guangzhou", "partner"),
    ("天元金融服务", "finance", "cn", "beijing", "beijing", "vip"),
    ("启明教育科技", "education", "cn", "zhejiang", "hangzhou", None),
    ("康宁医疗器械", "healthcare", "cn", "sichuan", "chengdu", None),
    ("星河软件", "it", "cn", "zhejiang", "hangzhou", "partner"),
    ("鼎盛机械", "manufacturing", "cn", "guangdong", "dongguan", "supplier"),
    ("优选超市", "retail", "cn", "jiangsu", "nanjing", "retail"),
    ("宏图系统集成", "it", "cn", "beijing", "beijing", None),
    ("海纳物流", "distribution", "cn", "zhejiang", "ningbo", "supplier"),
    ("锦程旅游集团", "retail", "cn", "sichuan", "chengdu", None),
    ("中科云数据", "it", "cn", "shanghai", "shanghai", "vip"),
    ("百川食品", "manufacturing", "cn", "guangdong", "guangzhou", None),
    ("新元财富管理", "finance", "cn", "shanghai", "shanghai", None),
    ("Acme Pacific Ltd.", "manufacturing", "us", "california", "san_francisco", None),
    ("Northwind Traders", "distribution", "us", "new_york", "new_york_city", "partner"),
    ("Contoso Learning", "education", "us", "california", "san_francisco", None),
]
FAMILY = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "洋", "静", "磊", "敏", "强", "杰", "婷", "斌", "丽", "军", "艳", "勇", "霞", "涛", "鹏"]
ENGLISH = ["Emily Chen", "David Wang", "Sarah Li", "Michael Zhang", "Grace Liu", "Kevin Wu"]
TITLES = ["总经理", "采购经理", "技术总监", "财务主管", "IT经理", "运营总监", "采购专员", "副总裁"]
ROLES = ["decision_maker", "insider", "influencer", "opponent"]
#: stage → share of deals, and the deal names people use
STAGES = [("prospecting", 8), ("qualification", 7), ("needs_analysis", 6), ("proposal", 5), ("negotiation", 4),
          ("closed_won", 5), ("closed_lost", 3)]
DEALS = ["年度采购", "系统升级", "扩容项目", "维保合同", "新门店部署", "数据中心二期", "培训服务", "渠道合作"]
#: activity type → subjects that go with it
ACTIVITIES = {
    "visit": ["上门拜访", "拜访采购经理", "现场需求调研"],
    "call": ["电话回访", "跟进报价", "确认交付时间"],
    "meeting": ["产品演示", "方案评审会", "合同谈判"],
    "email": ["发送报价单", "发送方案书", "寄送合同"],
}
#: The sales team: email, full name, profile, role key
TEAM = [
    ("zhou.jie@demo.localhost", "周杰", "sales_manager", "director"),
    ("li.na@demo.localhost", "李娜", "salesperson", "east"),
    ("chen.jing@demo.localhost", "陈静", "salesperson", "south"),
    ("emily.chen@demo.localhost", "Emily Chen", "salesperson", "international"),
]
TEAM_PASSWORD = "tessera-demo-2026"


def _person(rng: random.Random) -> str:
    return rng.choice(FAMILY) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.4 else "")


def build_team(admin: Any) -> dict[str, Any]:
    """The sales director and salespeople, in roles under the director's, in their departments."""
    users = get_user_model()
    profiles = {p.api_name: p for p in Profile.objects.all()}
    company, _created = Department.objects.get_or_create(name="销售部", parent=None)
    director_role, _created = Role.objects.get_or_create(name="销售总监", parent=None)
    roles = {"director": director_role}
    for key, name in (("east", "华东销售"), ("south", "华南销售"), ("international", "海外销售")):
        roles[key], _created = Role.objects.get_or_create(name=name, parent=director_role)
    team = {}
    for email, full_name, profile, role in TEAM:
        user = users.objects.filter(email=email).first() or users.objects.create_user(
            email, TEAM_PASSWORD, full_name=full_name, profile=profiles[profile], role=roles[role], department=company)
        team[role] = user
    if not admin.full_name:
        admin.full_name = "王建国"
        admin.save(update_fields=["full_name"])
    return team


def _ids(results: list) -> list[int]:
    return [r.record_id for r in results if r.record_id is not None]


def load_sample_data(progress: Callable[[str], None] | None = None) -> None:
    say = progress or (lambda message: None)
    rng = random.Random(2026)
    admin = get_user_model().objects.filter(is_admin=True).order_by("pk").first()
    assert admin is not None  # the demo tenant is created with its administrator
    team = build_team(admin)
    today = timezone.localdate()

    def owner_for(country: str, province: str, category: str | None) -> int:
        if category == "vip":  # the key accounts are the director's own
            return admin.pk
        if country != "cn":
            return team["international"].pk
        return team["south"].pk if province in ("guangdong", "sichuan") else team["east"].pk

    say("Adding sample accounts")
    account_rows = [
        {"name": name, "industry": industry, "country": country, "province": province, "city": city,
         "phone": f"0{rng.randint(10, 99)}-{rng.randint(10000000, 99999999)}", "rating": rng.choice(["a", "b", "c"]),
         "annual_revenue": str(rng.randint(50, 5000) * 10000), "employees": rng.randint(10, 3000),
         "category": category, "website": f"www.example{i}.com", "owner": owner_for(country, province, category)}
        for i, (name, industry, country, province, city, category) in enumerate(COMPANIES)
    ]
    account_ids = _ids(service.create_records("account", account_rows, admin, confirm_duplicates=True, represent=False))
    owners = {account_id: row["owner"] for account_id, row in zip(account_ids, account_rows, strict=True)}

    say("Adding sample contacts")
    contact_rows = []
    for i, account_id in enumerate(account_ids):
        for n in range(2):
            name = ENGLISH[i % len(ENGLISH)] if COMPANIES[i][2] != "cn" and n == 0 else _person(rng)
            contact_rows.append({
                "name": name, "account": account_id, "title": rng.choice(TITLES), "role": ROLES[(i + n) % len(ROLES)],
                "mobile": f"1{rng.choice('35789')}{rng.randint(100000000, 999999999)}",
                "email": f"contact{i}-{n}@example.com", "owner": owners[account_id],
                "birthday": (today - dt.timedelta(days=rng.randint(25 * 365, 55 * 365))).isoformat()})
    contact_ids = _ids(service.create_records("contact", contact_rows, admin, confirm_duplicates=True, represent=False))
    contacts_of = {account_id: [c for c, row in zip(contact_ids, contact_rows, strict=True)
                                if row["account"] == account_id] for account_id in account_ids}

    say("Adding sample leads")
    service.create_records("lead", [
        {"name": _person(rng), "company": f"{rng.choice(['华', '新', '盛', '锐', '博'])}{rng.choice(['达', '远', '联', '创'])}"
                                          f"{rng.choice(['科技', '贸易', '实业', '电子'])}有限公司",
         "status": rng.choice(["new", "new", "working", "qualified"]),
         "source": rng.choice(["web", "referral", "exhibition", "phone"]),
         "mobile": f"15{rng.randint(100000000, 999999999)}",
         "owner": rng.choice([team["east"].pk, team["south"].pk])}
        for _ in range(15)
    ], admin, confirm_duplicates=True)

    say("Adding sample opportunities")
    deal_rows = []
    for stage, count in STAGES:
        for _ in range(count):
            account_id = rng.choice(account_ids)
            closed = stage.startswith("closed")
            days = rng.randint(-45, -1) if closed else rng.randint(0, 100)
            deal_rows.append({
                "name": f"{COMPANIES[account_ids.index(account_id)][0]} - {rng.choice(DEALS)}", "account": account_id,
                "stage": stage, "amount": str(rng.randint(4, 160) * 5000),
                "close_date": (today + dt.timedelta(days=days)).isoformat(),
                "type": rng.choice(["new_business", "existing_business"]), "owner": owners[account_id]})
    deal_ids = _ids(service.create_records("opportunity", deal_rows, admin, confirm_duplicates=True, represent=False))
    deals_of = {account_id: [d for d, row in zip(deal_ids, deal_rows, strict=True) if row["account"] == account_id]
                for account_id in account_ids}

    say("Adding a week of activities")
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    activity_rows = []
    for day in range(-6, 3):
        for _ in range(rng.randint(3, 6)):
            kind = rng.choice(list(ACTIVITIES))
            account_id = rng.choice(account_ids)
            when = (now + dt.timedelta(days=day)).replace(hour=rng.randint(9, 17))
            activity_rows.append({
                "name": rng.choice(ACTIVITIES[kind]), "type": kind,
                "status": "done" if when < now else "planned", "due_date": when.isoformat(),
                "account": account_id, "contact": rng.choice(contacts_of[account_id]) if contacts_of[account_id] else None,
                "opportunity": rng.choice(deals_of[account_id]) if deals_of[account_id] else None,
                "owner": owners[account_id]})
    service.create_records("activity", activity_rows, admin, confirm_duplicates=True)
