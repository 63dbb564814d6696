"""Fictional rosters (代表名册): names, gender, phone and 工作单位及职务 for the demo congresses.

Names are drawn with a fixed seed from common surnames and given names, so every load gives the
same roster. A few deputies are written out by hand: the scrutineers must be real people on the
roster, and each town delegation is led by its town's leaders.
"""

# ruff: noqa: E501  (name pools and places read best one topic a line)

import random
from dataclasses import dataclass

SURNAMES = (
    "王王王王李李李李张张张张刘刘刘陈陈陈杨杨杨赵赵黄黄周周吴吴徐徐孙孙胡胡朱朱高高林何郭马罗梁宋郑"
    "谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝"
    "孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文向敬苟蒲"
)
MALE_GIVEN = (
    "建国 志强 国华 德明 海波 文军 建华 晓东 明亮 俊峰 宏伟 立新 春生 卫东 学军 成林 正伟 浩然 宇航 鹏飞 "
    "世杰 向阳 长青 远志 兴旺 大勇 有才 福林 振华 天明 朝阳 云龙 树林 传兵 仕伟 永胜 德福 光明 家俊 继承 "
    "刚 勇 军 斌 涛 磊 鑫 超 强 杰 波 平 辉 健 峰 林 亮 毅 锋 彬 江 川 明 东 凯 翔 明远 思源 国庆 小平 "
    "红兵 开元 兴华 明成 德贵 安平 泽民 绍云 良才 春林 代富 文华 元勋 少康"
).split()
FEMALE_GIVEN = (
    "丽 芳 敏 静 燕 红梅 秀英 桂兰 玉兰 春燕 晓梅 丽娟 雪梅 海燕 晓琳 婷婷 思雨 淑芬 凤英 美玲 小琴 文静 "
    "雅琴 艳 霞 娟 琳 莉 倩 萍 玲 蓉 丹 亚楠 巧云 翠兰 秋菊 金凤 晓红 永芳 丽萍 春梅 素华 慧 明霞 德琼 兰芝"
).split()
PHONE_PREFIXES = ("135", "137", "138", "139", "150", "151", "158", "177", "180", "182", "187", "189")

COMPANIES = (
    "青川县绿源茶业有限公司", "青川县山珍食品有限公司", "青川县宏达建材有限公司", "青川县天润农业发展有限公司",
    "青川县金秋电子商务有限公司", "青川县顺通物流有限公司", "青川县清溪竹木制品厂", "青川县河口水电开发有限公司",
)


@dataclass(frozen=True)
class Place:
    """A town or township with its villages and communities, as it appears in job titles."""

    name: str  # 城关镇
    villages: tuple[str, ...]
    communities: tuple[str, ...] = ()


PLACES = {
    "城关镇": Place("城关镇", ("白杨村", "新华村", "桃园村", "青龙村"), ("东门社区", "西街社区", "南关社区", "北坝社区", "滨河社区")),
    "河口镇": Place("河口镇", ("柳湾村", "石桥村", "渡口村", "枫林村", "双河村"), ("河口社区",)),
    "石门镇": Place("石门镇", ("石门村", "黄坪村", "龙池村", "松树村")),
    "白水镇": Place("白水镇", ("白水村", "长岭村", "新田村", "花园村"), ("白水社区",)),
    "龙潭乡": Place("龙潭乡", ("龙潭村", "庙坝村", "三合村", "金竹村")),
    "清溪乡": Place("清溪乡", ("清溪村", "竹园村", "高峰村", "茶坪村")),
    "桥头镇": Place("桥头镇", ("马鞍村", "五星村", "杨柳村", "红岩村"), ("桥头社区",)),
}

# The county's delegations (代表团) and their size: 150 deputies in all.
COUNTY_DELEGATIONS = (
    ("城关镇代表团", "城关镇", 28), ("河口镇代表团", "河口镇", 22), ("石门镇代表团", "石门镇", 18),
    ("白水镇代表团", "白水镇", 17), ("桥头镇代表团", "桥头镇", 16), ("龙潭乡代表团", "龙潭乡", 15),
    ("清溪乡代表团", "清溪乡", 14), ("县直机关代表团", None, 20),
)

COUNTY_OFFICES = (
    "青川县人民医院副院长", "青川县中医医院护士长", "青川县第一中学教师", "青川县职业中学校长", "县总工会副主席",
    "县妇女联合会主席", "县农业农村局高级农艺师", "县人民法院城关法庭庭长", "县公安局城关派出所所长",
    "县融媒体中心记者", "国网青川县供电公司总经理", "青川县明理律师事务所主任", "县供销合作社联合社主任",
    "县疾病预防控制中心主任", "青川县实验幼儿园园长", "县残疾人联合会理事长", "县文化馆馆长", "县林业站站长",
    "县退役军人服务中心主任", "共青团青川县委书记",
)

# (name, gender, delegation, occupation): the deputies the demo names on purpose.
NAMED_DEPUTIES = (
    ("刘建华", "男", "城关镇代表团", "城关镇东门社区党委书记"),  # 总监票人
    ("何秀英", "女", "河口镇代表团", "河口镇柳湾村党支部书记、村委会主任"),  # 监票人
    ("邓志远", "男", "白水镇代表团", "白水镇中心小学校长"),  # 监票人
)


@dataclass
class Person:
    name: str
    gender: str
    phone: str
    occupation: str
    group: str  # delegation or 代表小组


def town_roles(place: Place, rng: random.Random) -> list[str]:
    """Jobs a deputy elected in `place` plausibly holds, leaders first."""
    town = place.name
    head = "乡长" if town.endswith("乡") else "镇长"
    leaders = [f"{town}党委书记", f"{town}党委副书记、{head}", f"{town}人大主席"]
    village_jobs = []
    for village in place.villages:
        village_jobs += [f"{town}{village}党支部书记", f"{town}{village}村委会主任"]
    for community in place.communities:
        village_jobs.append(f"{town}{community}居委会主任")
    others = [
        f"{town}卫生院院长", f"{town}中心小学校长", f"{town}中心幼儿园园长", f"{town}{place.villages[0]}乡村医生",
        f"{town}{place.villages[-1]}乡村医生", f"{town}{rng.choice(place.villages)}种植大户",
        f"{town}{rng.choice(place.villages)}生猪养殖大户", f"{town}{rng.choice(place.villages)}茶叶专业合作社理事长",
        f"{town}{rng.choice(place.villages)}农民", f"{town}{rng.choice(place.villages)}农民",
        f"{town}个体工商户", f"{town}中心小学教师", f"{town}农业综合服务中心农技员",
        f"{rng.choice(COMPANIES)}总经理", f"{rng.choice(COMPANIES)}车间主任", f"{town}便民服务中心主任",
    ]
    rng.shuffle(village_jobs)
    rng.shuffle(others)
    pool = village_jobs + others
    # Villages and others interleaved, so that a delegation of 15 is not all village secretaries.
    mixed = [job for pair in zip(pool[::2], pool[1::2], strict=False) for job in pair]
    return leaders + mixed + pool[len(mixed):]


class NameDrawer:
    """Draws names no one in the same congress already has."""

    def __init__(self, rng: random.Random, taken: set[str] | None = None):
        self.rng = rng
        self.taken = set(taken or ())
        self.given_used: dict[str, int] = {}

    def draw(self, gender: str) -> str:
        given_names = FEMALE_GIVEN if gender == "女" else MALE_GIVEN
        for attempt in range(1000):
            given = self.rng.choice(given_names)
            name = self.rng.choice(SURNAMES) + given
            # A given name at most twice per congress while there are fresh ones to draw.
            if name in self.taken or (attempt < 50 and self.given_used.get(given, 0) >= 2):
                continue
            self.taken.add(name)
            self.given_used[given] = self.given_used.get(given, 0) + 1
            return name
        raise RuntimeError("name pools exhausted")

    def phone(self) -> str:
        r = self.rng
        return f"{r.choice(PHONE_PREFIXES)}-{r.randrange(10000):04d}-{r.randrange(10000):04d}"

    def gender(self) -> str:
        return "女" if self.rng.random() < 0.3 else "男"


def county_roster(seed: int = 2027) -> list[Person]:
    """The 150 deputies of the county congress, by delegation."""
    rng = random.Random(seed)  # noqa: S311 -- a repeatable roster, not a secret
    named = {group: [] for group, _place, _size in COUNTY_DELEGATIONS}
    for name, gender, group, occupation in NAMED_DEPUTIES:
        named[group].append((name, gender, occupation))
    drawer = NameDrawer(rng, {n[0] for n in NAMED_DEPUTIES})
    people = []
    for group, place_name, size in COUNTY_DELEGATIONS:
        jobs = town_roles(PLACES[place_name], rng) if place_name else list(COUNTY_OFFICES)
        fixed = named[group]
        jobs = [job for job in jobs if job not in {occ for _n, _g, occ in fixed}]
        for name, gender, occupation in fixed:
            people.append(Person(name, gender, drawer.phone(), occupation, group))
        for index in range(size - len(fixed)):
            gender = drawer.gender()
            job = jobs[index] if index < len(jobs) else f"{place_name or '青川县'}{rng.choice(PLACES['城关镇'].villages)}农民"
            people.append(Person(drawer.draw(gender), gender, drawer.phone(), job, group))
    return people


def town_roster(place_name: str, groups: tuple[tuple[str, int], ...], seed: int,
                county: list[Person]) -> list[Person]:
    """A town congress's deputies in its 代表小组 (45–60 in all).

    The town's deputies to the county congress sit in the town congress too (两级代表), so some of
    the same people, with the same jobs and phones, come first; the others are drawn anew.
    """
    rng = random.Random(seed)  # noqa: S311 -- a repeatable roster, not a secret
    drawer = NameDrawer(rng, {p.name for p in county})
    place = PLACES[place_name]
    town = place.name
    delegation = [p for p in county if p.group == f"{town}代表团"]
    both = delegation[:14]
    taken = {p.occupation for p in delegation}
    jobs = [job for job in town_roles(place, rng) if job not in taken]
    for village in place.villages:
        jobs += [f"{town}{village}村民小组长", f"{town}{village}村务监督委员会主任", f"{town}{village}种粮大户"]
    jobs += [f"{town}{village}妇联主席" for village in place.villages[:2]]
    jobs += [f"{town}{c}网格员" for c in place.communities[:2]]
    jobs += [
        f"{town}退休教师", f"{town}{place.villages[1]}家庭农场主", f"{town}中心小学教师", f"{town}卫生院医生",
        f"{town}农机专业合作社社长", f"{town}{place.villages[0]}民宿经营户", f"{town}快递服务站负责人",
        f"{town}{place.villages[-1]}退役军人", f"{town}个体工商户", f"{town}{place.villages[2]}返乡创业青年",
        f"{town}{place.villages[0]}农家乐经营户", f"{town}综合行政执法队队员", f"{town}中心幼儿园教师",
        f"{town}{place.villages[1]}后备干部", f"{town}供电所所长", f"{town}邮政支局局长",
    ]
    rng.shuffle(jobs)
    people = []
    for group, size in groups:
        for _ in range(size):
            if both:
                people.append(Person(**{**vars(both.pop(0)), "group": group}))
                continue
            job = jobs.pop() if jobs else f"{town}{rng.choice(place.villages)}村民"
            gender = "女" if "妇联" in job else drawer.gender()
            people.append(Person(drawer.draw(gender), gender, drawer.phone(), job, group))
    return people
