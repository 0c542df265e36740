"""The data the benchmarks run on: a fresh workshop, a busy one, and a whole country's history.

The national history is written with bulk SQL (the service would take minutes to type it in);
its workshops, groups, grades and areas are still created by the service.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from welfare_core.clock import utcnow
from welfare_core.db.writes import Tx
from welfare_core.demo import DEMO_TEMPLATE, create_demo
from welfare_core.model import Caller, CreatedWorkshop, GroupSpec, IdeaInput
from welfare_core.service import WorkshopService
from welfare_core.template import load_template


@dataclass(frozen=True)
class Size:
    """How big the national history is; ``--quick`` shrinks it."""

    workshops: int = 5
    provinces: int = 77
    funds: int = 7_000
    ideas: int = 200_000


FULL = Size()
QUICK = Size(workshops=2, provinces=10, funds=300, ideas=2_000)
WORKSHOP_IDEAS = 300


def fresh_workshop(service: WorkshopService) -> CreatedWorkshop:
    """The Samut Prakan workshop with its 25 sample funds, nothing rated yet."""
    return service.create_from_template(load_template(DEMO_TEMPLATE))


def busy_workshop(service: WorkshopService) -> str:
    """The demo workshop (25 funds rated, votes, an adopted plan) with ideas up to 300."""
    slug = create_demo(service)
    workshop = service.workshop(slug)
    groups = service.groups(workshop.id)
    areas = [a.key for a in service.areas(workshop.id)]
    have = service.store.read().cur.execute(
        "SELECT count(DISTINCT idea_id) FROM idea_versions WHERE workshop_id = ?", [workshop.id]
    )
    for n in range(have.fetchone()[0], WORKSHOP_IDEAS):
        lead = Caller(groups[n % len(groups)].join_code, device=f"bench-{n % len(groups)}")
        service.add_idea(lead, IdeaInput(areas[n % len(areas)], f"ข้อเสนอเพิ่มเติมที่ {n}"))
    return slug


def national_history(service: WorkshopService, size: Size) -> int:
    """``size.workshops`` yearly national rounds; returns the newest, which holds the ideas."""
    template = load_template(DEMO_TEMPLATE)
    provinces = tuple(
        GroupSpec(f"จังหวัดที่ {p}", f"Province {p}") for p in range(1, size.provinces + 1)
    )
    newest = 0
    for year in range(size.workshops):
        national = replace(
            template,
            title_th=f"ทบทวนกองทุนสวัสดิการชุมชนทั่วประเทศ ปี {2562 + year}",
            title_en=f"National welfare fund review {2019 + year}",
            held_on=dt.date(2019 + year, 11, 5),
            plan_year=2020 + year,
            province_th="ทั่วประเทศ",
            province_en="Thailand",
            groups=provinces,
            roster_path=None,
            roster_is_sample=False,
        )
        created = service.create_workshop(national, slug_base=f"national-{2019 + year}")
        newest = service.workshop(created.slug).id
        _funds_and_ratings(service, newest, size)
    _ideas_and_votes(service, newest, size)
    return newest


def _funds_and_ratings(service: WorkshopService, workshop_id: int, size: Size) -> None:
    """The same funds every year (name and province match, so grades have a history); each
    fund rated once, every third one twice, the last ones from two devices just now."""
    _bulk(
        service,
        {"w": workshop_id, "n": size.funds, "p": size.provinces, "now": utcnow()},
        (
            """
                INSERT INTO funds BY NAME
                SELECT nextval('row_ids') AS id, $w AS workshop_id, g.id AS group_id,
                       'กองทุนสวัสดิการชุมชนตำบลที่ ' || i AS name, 'ตำบลที่ ' || i AS tambon,
                       100 + i % 900 AS members, NULL AS previous_grade, '' AS chair,
                       50000 + i AS balance_baht, false AS is_sample, $now AS created_at
                FROM range($n) r(i) JOIN groups g ON g.workshop_id = $w AND g.position = i % $p + 1
                """,
            """
                INSERT INTO ratings BY NAME
                SELECT nextval('row_ids') AS id, $w AS workshop_id, f.id AS fund_id, f.group_id,
                       ['A', 'B', 'C', 'D'][(1 + hash(f.id, k) % 4)::BIGINT] AS grade,
                       'ผลการประเมินรอบที่ ' || k AS reason, f.members,
                       'group' AS actor_role, '' AS actor_name, 'device-' || k AS device,
                       $now - INTERVAL 1 MINUTE * (hash(f.id) % 120)::BIGINT AS created_at
                FROM funds f, range(2) t(k)
                WHERE f.workshop_id = $w AND (k = 0 OR f.id % 3 = 0)
                """,
        ),
    )


def _ideas_and_votes(service: WorkshopService, workshop_id: int, size: Size) -> None:
    """Ideas spread over the provinces and areas, one in ten edited once; every province
    spends its dots; forty ideas adopted."""
    _bulk(
        service,
        {"w": workshop_id, "n": size.ideas, "p": size.provinces, "now": utcnow()},
        (
            """
                CREATE TEMP TABLE bench_ideas AS
                SELECT nextval('row_ids') AS id, i FROM range($n) r(i)
                """,
            """
                INSERT INTO idea_versions BY NAME
                SELECT b.id AS id, b.id AS idea_id, $w AS workshop_id, g.id AS group_id,
                       a.key AS area, 'ข้อเสนอการพัฒนาที่ ' || b.i AS text, '' AS action,
                       '' AS responsible, '' AS due, '' AS partner, false AS withdrawn,
                       'group' AS actor_role, '' AS actor_name, 'device' AS device,
                       $now AS created_at
                FROM bench_ideas b
                JOIN groups g ON g.workshop_id = $w AND g.position = b.i % $p + 1
                JOIN areas a ON a.workshop_id = $w AND a.position = b.i % 4 + 1
                """,
            """
                INSERT INTO idea_versions BY NAME
                SELECT nextval('row_ids') AS id, idea_id, workshop_id, group_id, area,
                       text || ' (แก้ไข)' AS text, fund_id, 'ลงมือทำ' AS action,
                       'คณะทำงาน' AS responsible, '' AS due, '' AS partner, false AS withdrawn,
                       actor_role, actor_name,
                       device, created_at + INTERVAL 1 MINUTE AS created_at
                FROM idea_versions WHERE workshop_id = $w AND id % 10 = 0
                """,
            """
                INSERT INTO votes BY NAME
                SELECT nextval('row_ids') AS id, $w AS workshop_id, b.id AS idea_id,
                       g.id AS group_id, 1 AS delta, 'group' AS actor_role, '' AS actor_name,
                       'device' AS device, $now AS created_at
                FROM groups g, range(5) d(k)
                JOIN bench_ideas b ON b.i = (g.position * 7 + d.k * 13) % $n
                WHERE g.workshop_id = $w
                """,
            """
                INSERT INTO adoptions BY NAME
                SELECT nextval('row_ids') AS id, $w AS workshop_id, id AS idea_id, true AS adopted,
                       'facilitator' AS actor_role, '' AS actor_name, 'laptop' AS device,
                       $now AS created_at
                FROM bench_ideas WHERE i < 40
                """,
            "DROP TABLE bench_ideas",
        ),
    )


def _bulk(service: WorkshopService, params: dict, statements: tuple[str, ...]) -> None:
    """The statements in one transaction, each given the parameters it names."""

    def work(q: Tx) -> None:
        for sql in statements:
            q.cur.execute(sql, {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)})

    service.store.write(work)
