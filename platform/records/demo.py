"""Sample records for the demo tenant: accounts, contacts, leads, opportunities and activities,
written through the record service like any user's data (validation, auto-numbers, history)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.utils import timezone

from . import service

COMPANIES = [
    ("华信科技有限公司", "it", "guangdong", "shenzhen"), ("东方制造集团", "manufacturing", "jiangsu", "suzhou"),
    ("蓝海零售连锁", "retail", "shanghai", "shanghai"), ("瑞丰电子分销", "distribution", "guangdong", "guangzhou"),
    ("天元金融服务", "finance", "beijing", "beijing"), ("启明教育科技", "education", "zhejiang", "hangzhou"),
    ("康宁医疗器械", "healthcare", "sichuan", "chengdu"), ("星河软件", "it", "zhejiang", "hangzhou"),
    ("鼎盛机械", "manufacturing", "guangdong", "dongguan"), ("优选超市", "retail", "jiangsu", "nanjing"),
    ("宏图系统集成", "it", "beijing", "beijing"), ("海纳物流", "distribution", "zhejiang", "ningbo"),
    ("Acme Pacific Ltd.", "manufacturing", "california", "san_francisco"),
    ("Northwind Traders", "distribution", "new_york", "new_york_city"),
]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴婷", "徐斌", "孙丽",
          "Emily Chen", "David Wang", "Sarah Li"]
TITLES = ["总经理", "采购经理", "技术总监", "财务主管", "IT经理", "运营总监"]
ROLES = ["decision_maker", "insider", "influencer", "opponent"]
STAGES = ["prospecting", "qualification", "needs_analysis", "proposal", "negotiation", "closed_won", "closed_lost"]


def load_sample_data(progress: Callable[[str], None] | None = None) -> None:
    say = progress or (lambda message: None)
    rng = random.Random(2026)
    admin = get_user_model().objects.filter(is_admin=True).order_by("pk").first()
    assert admin is not None  # the demo tenant is created with its administrator
    today = timezone.localdate()
    say("Adding sample accounts")
    accounts = service.create_records("account", [
        {"name": name, "industry": industry, "country": "us" if province in ("california", "new_york") else "cn",
         "province": province, "city": city, "phone": f"0{rng.randint(10, 99)}-{rng.randint(10000000, 99999999)}",
         "rating": rng.choice(["a", "b", "c"]), "annual_revenue": str(rng.randint(50, 5000) * 10000),
         "employees": rng.randint(10, 3000),
         "category": rng.choice(["retail", "vip", "partner", "supplier"]) if i % 3 else None,
         "website": f"www.example{i}.com"}
        for i, (name, industry, province, city) in enumerate(COMPANIES)
    ], admin, confirm_duplicates=True)
    account_ids = [r.record.id for r in accounts if r.record]
    say("Adding sample contacts")
    contacts = service.create_records("contact", [
        {"name": person, "account": rng.choice(account_ids), "title": rng.choice(TITLES), "role": rng.choice(ROLES),
         "mobile": f"13{rng.randint(100000000, 999999999)}", "email": f"contact{i}@example.com",
         "birthday": (today - dt.timedelta(days=rng.randint(25 * 365, 55 * 365))).isoformat()}
        for i, person in enumerate(PEOPLE * 2)
    ], admin, confirm_duplicates=True)
    contact_ids = [r.record.id for r in contacts if r.record]
    say("Adding sample leads")
    service.create_records("lead", [
        {"name": rng.choice(PEOPLE), "company": f"潜在客户{i + 1}号公司", "status": rng.choice(["new", "working", "qualified"]),
         "source": rng.choice(["web", "referral", "exhibition", "phone"]), "mobile": f"15{rng.randint(100000000, 999999999)}"}
        for i in range(12)
    ], admin, confirm_duplicates=True)
    say("Adding sample opportunities")
    opportunities = service.create_records("opportunity", [
        {"name": f"{COMPANIES[i % len(COMPANIES)][0]} - {rng.choice(['年度采购', '系统升级', '扩容项目', '维保合同'])}",
         "account": account_ids[i % len(account_ids)], "stage": rng.choice(STAGES),
         "amount": str(rng.randint(2, 200) * 5000), "close_date": (today + dt.timedelta(days=rng.randint(-60, 120))).isoformat(),
         "type": rng.choice(["new_business", "existing_business"])}
        for i in range(30)
    ], admin, confirm_duplicates=True)
    opportunity_ids = [r.record.id for r in opportunities if r.record]
    say("Adding sample activities")
    now = timezone.now().replace(microsecond=0)
    service.create_records("activity", [
        {"name": rng.choice(["电话回访", "上门拜访", "发送报价", "产品演示", "合同评审"]),
         "type": rng.choice(["visit", "call", "email", "meeting", "task"]),
         "status": rng.choice(["planned", "done"]), "due_date": (now + dt.timedelta(hours=rng.randint(-500, 500))).isoformat(),
         "account": rng.choice(account_ids), "contact": rng.choice(contact_ids), "opportunity": rng.choice(opportunity_ids)}
        for _ in range(40)
    ], admin, confirm_duplicates=True)
