"""The demo county behind ``manage.py seed_demo``: Wuxi (巫溪县) with towns, schools and children.

Everything is drawn from one ``random.Random`` so that the same seed gives the same county, and
every record goes through ``registry.services`` (validation and history apply). Dates are
relative to today's local date and never in the future. This module is the "roof": it may
import ``registry``; nothing imports it except the command.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.core.models import DemoMarker, Role, User
from lbc_office.demo import programmes as demo_programmes
from lbc_office.demo import volunteers as demo_volunteers
from registry import consent as registry_consent
from registry import services
from registry.idnumber import check_digit_for
from registry.models import (
    Child,
    ChildStatus,
    County,
    FamilyRoom,
    Guardian,
    GuardianType,
    School,
    SchoolLevel,
    Teacher,
    Town,
    Village,
)

DEFAULT_PASSWORD = "lbc-demo-2026"
DEFAULT_SEED = 2011
DEFAULT_CHILDREN = 300
COUNTY = ("500238", "巫溪县")

# username, full name, role, phone
USERS = [
    ("official", "谭晓梅", Role.OFFICIAL, "023-51521234"),
    ("teacher", "向春燕", Role.TEACHER, "13908281234"),
    ("volunteer", "刘芳", Role.VOLUNTEER, "15923451234"),
    ("viewer", "冉建国", Role.VIEWER, ""),
]
TEACHER_SCHOOLS = ["5002380004", "5002380005"]

_N = Village.Kind.NEIGHBOURHOOD
_T, _TS, _SD = Town.Kind.TOWN, Town.Kind.TOWNSHIP, Town.Kind.SUBDISTRICT
# town, kind, village committees (a name ending in 社区 is a neighbourhood committee)
TOWNS = [
    ("柏杨街道", _SD, ["柏杨社区", "玉泉社区", "双阳村", "石龙村"]),
    ("宁河街道", _SD, ["滨河社区", "城厢社区", "红旗村", "大河村"]),
    ("凤凰镇", _T, ["凤凰社区", "红池村", "金龙村", "桃园村", "新华村"]),
    ("宁厂镇", _T, ["宁厂社区", "盐泉村", "双溪村"]),
    ("上磺镇", _T, ["上磺社区", "羊桥村", "观峰村", "东风村"]),
    ("古路镇", _T, ["古路社区", "观音村", "长坪村", "向阳村"]),
    ("文峰镇", _T, ["文峰社区", "大坪村", "青龙村"]),
    ("白鹿镇", _T, ["白鹿社区", "大坝村", "新民村", "三坪村"]),
    ("花台乡", _TS, ["花台村", "中坝村", "堰塘村"]),
    ("兰英乡", _TS, ["兰英村", "西安村", "大包村"]),
]

_P, _M = SchoolLevel.PRIMARY, SchoolLevel.MIDDLE
# code suffix, town, name, level, boarding, bathroom, canteen, relative size, family rooms
# (family rooms: P = a family phone, C = a chat room)
SCHOOLS = [
    (1, "宁河街道", "巫溪县宁河小学", _P, False, False, True, 12, ""),
    (2, "柏杨街道", "巫溪县柏杨小学", _P, False, False, True, 10, "P"),
    (3, "柏杨街道", "巫溪县柏杨中学", _M, True, True, True, 18, "PPC"),
    (4, "凤凰镇", "巫溪县凤凰镇中心小学", _P, True, False, True, 10, "PC"),
    (5, "凤凰镇", "巫溪县凤凰中学", _M, True, True, True, 14, "PC"),
    (6, "宁厂镇", "巫溪县宁厂镇中心小学", _P, False, False, False, 5, ""),
    (7, "上磺镇", "巫溪县上磺镇中心小学", _P, True, True, True, 8, ""),
    (8, "上磺镇", "巫溪县上磺中学", _M, True, True, True, 12, "PC"),
    (9, "古路镇", "巫溪县古路镇中心小学", _P, True, False, True, 7, ""),
    (10, "文峰镇", "巫溪县文峰镇中心小学", _P, False, False, True, 6, ""),
    (11, "白鹿镇", "巫溪县白鹿中学", _M, True, True, True, 11, "C"),
    (12, "白鹿镇", "巫溪县白鹿镇中心小学", _P, True, False, True, 8, ""),
    (13, "花台乡", "巫溪县花台乡中心小学", _P, True, False, True, 5, "P"),
    (14, "兰英乡", "巫溪县兰英乡中心小学", _P, False, False, True, 4, ""),
]
ROOM_LABELS = {
    "P": ["亲情电话（教学楼一楼）", "亲情电话（宿舍楼值班室）"],
    "C": ["亲情聊天室（图书室旁）"],
}


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
LOCAL_SURNAMES = "向谭覃刘李王张陈杨黄周邓唐冉"  # common in the Three Gorges hills
BOYS = _words(
    "浩然 子轩 宇航 俊杰 博文 家豪 文博 明轩 志强 嘉豪 思远 梓豪 一鸣 天佑 鑫磊 雨泽 晨阳 "
    "宇涛 俊宇 子豪 浩宇 家乐 建宇 俊熙 锦程 承志 振宇 泽宇 皓轩 宏伟 小龙 金鹏 成林 星辰"
)
GIRLS = _words(
    "欣怡 梓涵 雨欣 思琪 诗涵 佳怡 子涵 雨涵 可馨 梦瑶 婉清 晓雪 静怡 欣妍 心怡 佳琪 雅婷 "
    "思雨 语嫣 馨月 若曦 雨桐 诗琪 梦琪 慧敏 佳慧 晓琳 春燕 秋月 小雪 丹丹 美琳 紫薇 芳芳"
)
FATHERS = _words("建华 国平 永强 海波 军华 勇刚 志勇 德胜 明亮 学文 大春 光辉 长江 小兵 红军 世军")
MOTHERS = _words("小燕 丽萍 红梅 春花 晓琴 秀梅 玉梅 丽君 海燕 小芳 艳红 桂香 翠萍 小琴")
GRANDFATHERS = _words("德明 世华 国富 正清 光荣 开贵 明全 大发 家顺 成才 永福 树清")
GRANDMOTHERS = _words("秀英 桂兰 玉珍 翠花 春梅 淑芬 金凤 素珍 兰英 秀珍 凤英 桂芳 玉兰 德秀")
MOBILE_PREFIXES = _words("130 131 133 135 136 137 138 139 150 151 152 153 158 159 180 187 189")
# province, city, weight: where Wuxi's parents go to work
WORKPLACES = [
    ("广东", "东莞", 5), ("广东", "深圳", 3), ("广东", "广州", 2), ("浙江", "宁波", 3),
    ("浙江", "温州", 1), ("福建", "厦门", 2), ("福建", "泉州", 1), ("重庆", "主城", 5),
    ("江苏", "苏州", 2), ("上海", "上海", 2), ("北京", "北京", 1), ("新疆", "乌鲁木齐", 1),
    ("湖北", "武汉", 1), ("四川", "成都", 1),
]  # fmt: skip
WISHES = [
    "想让妈妈过年回家", "想要一个台灯写作业", "希望爸爸妈妈能回来开一次家长会",
    "想去爸爸打工的地方看看", "想要一双新球鞋", "希望奶奶的腿快点好起来",
    "想每个星期和妈妈视频一次", "想要几本课外书", "想学画画", "希望放学后有人教我做作业",
    "想和爸爸妈妈一起过生日", "冬天太冷，想要一件厚棉衣", "长大想当老师", "不想再转学了",
]  # fmt: skip
# Why the parent at home cannot be the guardian ({p}: 父亲 or 母亲).
UNABLE_NOTES = [
    "{p}长期患病，无法照顾孩子。",
    "{p}腿有残疾，不能下地，由祖辈照看。",
    "{p}在县医院住院治疗。",
]
HEALTH_FINDINGS = ["视力下降，建议配镜。", "龋齿两颗。", "轻度贫血。", "偏瘦，建议加强营养。"]
GUARDIAN_NOTES = ["高血压，长期服药。", "腿脚不便。", "视力不好，看不清作业本。", "身体尚可。"]
# Median height (cm) at ages 6..16, boys and girls (rural children, Chinese growth charts).
HEIGHT = {
    "M": [117, 123, 129, 134, 139, 144, 150, 157, 163, 167, 169],
    "F": [116, 122, 128, 133, 139, 145, 151, 155, 157, 158, 159],
}


def database_state() -> tuple[str, str]:
    """("demo", "") when seed_demo filled it, ("empty", "") or ("foreign", what is there)."""
    if DemoMarker.objects.exists():
        return "demo", ""
    for model in (User, County, Town, School, Child):
        if model.objects.exists():
            return "foreign", str(model._meta.verbose_name_plural)
    return "empty", ""


def demo_users() -> list[User]:
    return list(User.objects.filter(username__in=[u[0] for u in USERS]).order_by("id"))


class _Generator:
    def __init__(self, rng: random.Random, password: str):
        self.rng = rng
        self.password = password
        self.today = timezone.localdate()
        # The school year starts on 1 September.
        self.school_year = self.today.year if self.today.month >= 9 else self.today.year - 1
        self.used_ids: set[str] = set()
        self.sizes: dict[int, int] = {}  # school pk → relative number of children

    # --- names, numbers, dates ------------------------------------------------------------

    def surname(self) -> str:
        pool = LOCAL_SURNAMES if self.rng.random() < 0.4 else SURNAMES
        return self.rng.choice(pool)

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    def id_number(self, birth: datetime.date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(500) * 2 + (1 if sex == "M" else 0)
            first17 = f"{COUNTY[0]}{birth:%Y%m%d}{seq:03d}"
            number = first17 + check_digit_for(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def birth_date(self, grade: int) -> datetime.date:
        """Six by 31 August of the year they started school; a few repeated a year."""
        start = self.school_year - grade + 1 - (1 if self.rng.random() < 0.06 else 0)
        return self.day_between(datetime.date(start - 7, 9, 1), datetime.date(start - 6, 8, 31))

    # --- places and people ----------------------------------------------------------------

    def users(self) -> dict[str, User]:
        hashed = make_password(self.password)  # hashing is slow on purpose: do it once
        users = {}
        for username, full_name, role, phone in USERS:
            user = User(username=username, role=role, full_name=full_name, phone=phone)
            user.password = hashed
            user.full_clean()
            user.save()
            users[username] = user
        return users

    def places(self, by: User):
        county = County(code=COUNTY[0], name=COUNTY[1], created_by=by, updated_by=by)
        county.full_clean()
        county.save()
        towns, villages = {}, {}
        for name, kind, village_names in TOWNS:
            town = services.save_town(town=Town(), by=by, county=county, name=name, kind=kind)
            towns[name] = town
            villages[name] = [
                services.save_village(
                    village=Village(),
                    by=by,
                    town=town,
                    name=v,
                    kind=_N if v.endswith("社区") else Village.Kind.VILLAGE,
                )
                for v in village_names
            ]
        schools, rooms = [], 0
        for n, town, name, level, boarding, bathroom, canteen, size, kinds in SCHOOLS:
            school = services.save_school(
                school=School(),
                by=by,
                town=towns[town],
                code=f"{COUNTY[0]}{n:04d}",
                name=name,
                level=level,
                boarding=boarding,
                bathroom=bathroom,
                canteen=canteen,
            )
            schools.append(school)
            self.sizes[school.pk] = size
            for i, kind in enumerate(kinds):
                label = ROOM_LABELS[kind][kinds[:i].count(kind)]
                kind = FamilyRoom.Kind.PHONE if kind == "P" else FamilyRoom.Kind.CHAT_ROOM
                services.save_family_room(
                    room=FamilyRoom(), by=by, school=school, kind=kind, label=label
                )
                rooms += 1
        return county, towns, villages, schools, rooms

    # --- children ---------------------------------------------------------------------------

    def children(self, count: int, schools, villages, by: User) -> list[tuple[Child, str]]:
        rng = self.rng
        # 30 % exactly with both parents away (29.8 % in Wuxi's 2011 table), in random order.
        both = [i < round(count * 0.3) for i in range(count)]
        rng.shuffle(both)
        made = []
        feeders = sorted(set(villages) - {s.town.name for s in schools if s.level == _M})
        for both_away in both:
            school = rng.choices(schools, weights=[self.sizes[s.pk] for s in schools])[0]
            primary = school.level == SchoolLevel.PRIMARY
            grade = rng.choice(list(school.grades))
            sex = rng.choice("MF")
            birth = self.birth_date(grade)
            home = school.town.name
            if not primary and rng.random() < 0.3:  # and from towns that have no middle school
                home = rng.choice(feeders)
            father, mother, guardian, unable, notes = self.family(both_away, grade)
            wishes = [w for w in WISHES if ("妈" not in w or mother) and ("爸" not in w or father)]
            board_rate = 0.7 if not primary else (0.35 if grade >= 4 else 0.08)
            child = services.create_child(
                by=by,
                id_number=self.id_number(birth, sex),
                name=self.surname() + rng.choice(BOYS if sex == "M" else GIRLS),
                sex=sex,
                date_of_birth=birth,
                school=school,
                grade=grade,
                village=rng.choice(villages[home]),
                father_away=father,
                mother_away=mother,
                remaining_parent_unable=unable,
                guardian=guardian,
                boarding=school.boarding and rng.random() < board_rate,
                poor=rng.random() < (0.24 if primary else 0.08),
                wishes=rng.choice(wishes) if rng.random() < 0.12 else "",
                notes=notes,
            )
            city = self.parents_away(child, by)
            self.guardians(child, by)
            self.health_checks(child, by)
            made.append((child, city))
        return made

    def family(self, both_away: bool, grade: int) -> tuple[bool, bool, str, bool, str]:
        """Who is away, who looks after the child, whether the parent at home cannot, notes."""
        rng, G = self.rng, GuardianType
        if both_away:
            guardian = rng.choices([G.GRANDPARENTS, G.RELATIVES, G.NONE], weights=[78, 15, 7])[0]
            if guardian == G.NONE and grade >= 5:  # only older children are left on their own
                return True, True, guardian, False, "独自在家居住，周末由邻居照看。"
            return True, True, guardian if guardian != G.NONE else G.GRANDPARENTS, False, ""
        father = rng.random() < 0.72
        stayed = G.MOTHER if father else G.FATHER
        guardian = rng.choices([stayed, G.GRANDPARENTS, G.RELATIVES], weights=[40, 50, 10])[0]
        if guardian != stayed and rng.random() < 0.6:
            note = rng.choice(UNABLE_NOTES).format(p="母亲" if father else "父亲")
            return father, not father, guardian, True, note
        return father, not father, guardian, False, ""

    def parents_away(self, child: Child, by: User) -> str:
        rng = self.rng
        province, city, _w = rng.choices(WORKPLACES, weights=[w[2] for w in WORKPLACES])[0]
        earliest = max(
            child.date_of_birth + datetime.timedelta(days=180),
            self.today - datetime.timedelta(days=3650),
        )
        for relation, away, names in (
            ("father", child.father_away, FATHERS),
            ("mother", child.mother_away, MOTHERS),
        ):
            if not away:
                continue
            if rng.random() < 0.3:  # the parents do not always work in the same city
                province, city, _w = rng.choice(WORKPLACES)
            surname = child.name[0] if relation == "father" else self.surname()
            services.save_parent_away(
                child=child,
                relation=relation,
                by=by,
                name=surname + rng.choice(names),
                phone=self.phone() if rng.random() < 0.9 else "",
                work_city=city,
                work_province=province,
                away_since=self.day_between(earliest, self.today - datetime.timedelta(days=60)),
            )
        return city

    def guardians(self, child: Child, by: User) -> None:
        rng = self.rng
        born = child.date_of_birth.year
        G, R = GuardianType, Guardian.Relation
        rows = []  # relation, name, birth year, schooling
        if child.guardian == G.GRANDPARENTS:
            who = rng.choices(["gm", "gf", "both"], weights=[50, 15, 35])[0]
            if who in ("gf", "both"):
                rows.append((R.GRANDFATHER, child.name[0] + rng.choice(GRANDFATHERS)))
            if who in ("gm", "both"):
                rows.append((R.GRANDMOTHER, self.surname() + rng.choice(GRANDMOTHERS)))
            schooling = rng.choices(["none", "primary", "middle"], weights=[45, 48, 7], k=2)
            rows = [
                (rel, name, min(1970, max(1950, born - rng.randint(44, 60))), schooling[n])
                for n, (rel, name) in enumerate(rows)
            ]
        elif child.guardian in (G.MOTHER, G.FATHER):
            rel, names = (R.MOTHER, MOTHERS) if child.guardian == G.MOTHER else (R.FATHER, FATHERS)
            surname = child.name[0] if rel == R.FATHER else self.surname()
            schooling = rng.choice(["primary", "middle", "middle", "high"])
            rows.append((rel, surname + rng.choice(names), born - rng.randint(21, 34), schooling))
        elif child.guardian == G.RELATIVES:
            if rng.random() < 0.8 or self.today.year - born < 10:
                name = self.surname() + rng.choice(MOTHERS + FATHERS)
                schooling = rng.choice(["primary", "middle"])
                rows.append((R.UNCLE_AUNT, name, born - rng.randint(22, 40), schooling))
            else:
                year = min(self.today.year - 18, born - rng.randint(6, 10))
                rows.append((R.SIBLING, child.name[0] + rng.choice(BOYS + GIRLS), year, "high"))
        for relation, name, year, schooling in rows:
            old = relation in (R.GRANDFATHER, R.GRANDMOTHER)
            services.save_guardian(
                guardian=Guardian(child=child),
                by=by,
                name=name,
                relation=relation,
                phone=self.phone() if rng.random() < (0.5 if old else 0.95) else "",
                birth_year=year,
                schooling=schooling,
                notes=rng.choice(GUARDIAN_NOTES) if old and rng.random() < 0.5 else "",
            )

    def health_checks(self, child: Child, by: User) -> None:
        rng = self.rng
        z = max(-2.5, min(2.5, rng.gauss(-0.2, 1)))  # one child keeps one growth curve
        fat = rng.gauss(0, 1.2)
        latest = self.today - datetime.timedelta(days=rng.randint(20, 300))
        dates = [latest] + ([latest - datetime.timedelta(days=365)] if rng.random() < 0.6 else [])
        for day in dates:
            age = (day - child.date_of_birth).days / 365.25
            table = HEIGHT[child.sex]
            i = min(max(int(age) - 6, 0), len(table) - 2)
            height = table[i] + (table[i + 1] - table[i]) * min(max(age - 6 - i, 0), 1) + z * 5.5
            bmi = 15.2 + max(0.0, age - 8) * 0.45 + fat
            weight = bmi * (height / 100) ** 2
            services.record_health_check(
                child=child,
                by=by,
                date=day,
                height_cm=Decimal(f"{height:.1f}"),
                weight_kg=Decimal(f"{weight:.1f}"),
                notes=rng.choice(HEALTH_FINDINGS) if rng.random() < 0.15 else "",
            )

    def consents(self, made, by) -> int:
        """Most guardians have signed (some not for photos); a few files still wait, and one
        is kept by an official's override."""
        count = 0
        for n, (child, _city) in enumerate(made):
            guardian = child.guardians.first()
            if child.status != ChildStatus.ACTIVE or guardian is None:
                continue
            if n % 11 == 0:
                continue  # still to do: these show on the "without consent" list
            if n == 1:
                registry_consent.record_consent_override(
                    child=child, by=by, reason="监护人外出务工联系不上，先行建档，待返乡后补签。"
                )
            else:
                _consent(self, child, guardian, by, photos=self.rng.random() < 0.7)
            count += 1
        return count

    def status_changes(self, made: list[tuple[Child, str]], by: User) -> int:
        rng = self.rng
        picked = rng.sample(made, min(len(made), round(len(made) * 0.025)))
        for n, (child, city) in enumerate(picked):
            who = "父母" if child.both_parents_away else ("父亲" if child.father_away else "母亲")
            status, reason = [
                (ChildStatus.REUNITED, f"{who}返乡在县城就业，孩子回到父母身边。"),
                (ChildStatus.MOVED_WITH_PARENTS, f"随父母到{city}读书。"),
                (ChildStatus.TRANSFERRED, "随亲戚转学至奉节县。"),
            ][n % 3]
            services.change_child_status(
                child=child,
                status=status,
                on=self.today - datetime.timedelta(days=rng.randint(3, 90)),
                reason=reason,
                by=by,
            )
        return len(picked)


def _consent(gen, child, guardian, by, *, photos: bool) -> None:
    registry_consent.record_consent(
        child=child, by=by,
        date=gen.day_between(gen.today - datetime.timedelta(days=300), gen.today),
        guardian_name=guardian.name, guardian_relation=guardian.relation, keep_file=True,
        share_with_volunteers=gen.rng.random() < 0.9, photos=photos,
    )  # fmt: skip


def seed(*, password: str, seed: int = DEFAULT_SEED, children: int = DEFAULT_CHILDREN) -> dict:
    """Fill an empty database with the demo county and return what it made, counted.

    The caller checks that the database is empty and holds the transaction.
    """
    gen = _Generator(random.Random(seed), password)
    users = gen.users()
    by = users["official"]
    _county, towns, villages, schools, rooms = gen.places(by)
    # The demo official's authenticator, already set up: `manage.py demo_code` shows its code.
    TOTPDevice.objects.create(
        user=by, name="demo", confirmed=True, key=f"{gen.rng.getrandbits(160):040x}"
    )
    teacher = Teacher(user=users["teacher"], created_by=by, updated_by=by)
    teacher.full_clean()
    teacher.save()
    teacher.schools.set([s for s in schools if s.code in TEACHER_SCHOOLS])
    made = gen.children(children, schools, villages, by)
    changes = gen.status_changes(made, by)
    consents = gen.consents(made, by)
    # Each capability adds its own demo records on top of the register, from its own seed.
    more = {}
    more.update(
        demo_volunteers.seed(rng=random.Random(seed + 1), by=by, users=users, today=gen.today)
    )
    more.update(
        demo_programmes.seed(rng=random.Random(seed + 2), by=by, users=users, today=gen.today)
    )
    DemoMarker.objects.create(note=f"seed_demo: seed {seed}, {children} children")
    return {
        "more": more,
        "towns": len(towns),
        "villages": sum(len(v) for v in villages.values()),
        "schools": len(schools),
        "rooms": rooms,
        "children": len(made),
        "changes": changes,
        "consents": consents,
    }
