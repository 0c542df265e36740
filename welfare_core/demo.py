"""A finished sample session on the Samut Prakan template: what a workshop yields.

Every fund is rated by its own group, every group adds ideas in every area, and groups vote.
All of it goes through the service layer with the groups' own join codes, like a real session.
"""

from __future__ import annotations

import random
import threading
from decimal import Decimal
from pathlib import Path

from welfare_core.model import ActionPlan, Caller, Group, IdeaInput, RatingInput
from welfare_core.roster import read_roster
from welfare_core.service import WorkshopService
from welfare_core.template import SESSIONS_DIR, load_template

DEMO_TEMPLATE = SESSIONS_DIR / "samut-prakan-2562.toml"
# The sample workshop's passcode is public (README, start page): it guards sample data only.
DEMO_PASSCODE = "demo-2562"

REASONS = {
    "A": "จัดสวัสดิการครบทุกช่วงวัย ทะเบียนสมาชิกและบัญชีเป็นปัจจุบัน ท้องถิ่นสมทบงบต่อเนื่อง",
    "B": "สมาชิกเพิ่มขึ้นทุกปี ประชุมกรรมการสม่ำเสมอ แต่ยังไม่มีสวัสดิการด้านที่อยู่อาศัย",
    "C": "ทะเบียนสมาชิกยังเป็นกระดาษ กรรมการบางส่วนไม่ได้ร่วมประชุม รายงานการเงินไม่สม่ำเสมอ",
    "D": "ไม่มีการประชุมมากว่าหนึ่งปี สมาชิกลดลง ต้องฟื้นฟูคณะกรรมการและระบบงาน",
}

# (text, action, responsible, due, partner, budget in baht, budget source) per area key.
IDEAS: dict[str, list[tuple[str, str, str, str, str, int, str]]] = {
    "data": [
        (
            "จัดทำทะเบียนสมาชิกในรูปแบบสเปรดชีตและปรับปรุงทุกเดือน",
            "อบรมคณะทำงานบันทึกทะเบียนสมาชิกด้วยคอมพิวเตอร์",
            "เหรัญญิกกองทุน",
            "FY2020-Q2",
            "อบต./เทศบาล",
            5000,
            "เงินกองทุน",
        ),
        (
            "จัดระบบแฟ้มข้อมูล 7 หมวดหมู่บริหารจัดการที่ดีให้ครบทุกกองทุน",
            "ตรวจแฟ้มของแต่ละกองทุนและเติมเอกสารที่ขาด",
            "คณะทำงานจังหวัด",
            "2020-Q2",
            "พอช.",
            10000,
            "พอช.",
        ),
        (
            "กรอกแบบแสดงสถานะกองทุนให้เป็นปัจจุบันและรายงานทุก 6 เดือน",
            "นัดวันกรอกแบบพร้อมกันทุกตำบลในอำเภอ",
            "ผู้ประสานงานอำเภอ",
            "2020-03",
            "พมจ.สมุทรปราการ",
            3000,
            "พมจ.สมุทรปราการ",
        ),
        (
            "เผยแพร่ผลการดำเนินงานและงบการเงินให้สมาชิกตรวจสอบได้",
            "ติดประกาศงบการเงินที่ที่ทำการกองทุนทุกไตรมาส",
            "กรรมการฝ่ายบัญชี",
            "2020-Q3",
            "",
            1500,
            "เงินกองทุน",
        ),
    ],
    "membership": [
        (
            "ชวนเยาวชนและคนวัยทำงานเป็นสมาชิก ออมวันละ 1 บาท",
            "จัดกิจกรรมรับสมัครสมาชิกในโรงเรียนและสถานประกอบการ",
            "กรรมการฝ่ายประชาสัมพันธ์",
            "2020-Q2",
            "โรงเรียนและสถานประกอบการในตำบล",
            8000,
            "เงินกองทุนและ อบต.",
        ),
        (
            "เพิ่มสวัสดิการด้านที่อยู่อาศัยเพื่อจูงใจสมาชิกใหม่",
            "สำรวจสมาชิกที่เดือดร้อนเรื่องบ้านและทำข้อเสนอร่วมกับโครงการบ้านมั่นคง",
            "ประธานกองทุน",
            "2020-Q3",
            "พอช.",
            20000,
            "พอช. (บ้านมั่นคง)",
        ),
        (
            "ประชาสัมพันธ์สิทธิประโยชน์ของสมาชิกผ่านหอกระจายข่าวและไลน์กลุ่ม",
            "ทำแผ่นพับและข้อความประชาสัมพันธ์รายเดือน",
            "คณะทำงานหมู่บ้าน",
            "2020-01",
            "ผู้ใหญ่บ้าน",
            2000,
            "เงินกองทุน",
        ),
        (
            "รับผู้สูงอายุ ผู้พิการ และผู้ด้อยโอกาสเป็นสมาชิกโดยมีผู้สมทบค่าสมาชิก",
            "หาผู้สนับสนุนค่าสมาชิกรายปี",
            "กรรมการฝ่ายสวัสดิการ",
            "2020-Q4",
            "อบต. และผู้ใจบุญในชุมชน",
            12000,
            "ผู้ใจบุญในชุมชน",
        ),
    ],
    "committee": [
        (
            "ประชุมคณะกรรมการทุกเดือนและบันทึกรายงานการประชุม",
            "กำหนดวันประชุมประจำเดือนและแบบบันทึกการประชุม",
            "เลขานุการกองทุน",
            "2020-01",
            "",
            0,
            "",
        ),
        (
            "เพิ่มกรรมการรุ่นใหม่และสตรีให้มีสัดส่วนเหมาะสม",
            "สรรหากรรมการรุ่นใหม่อย่างน้อยกองทุนละ 2 คน",
            "ประธานกองทุน",
            "2020-Q2",
            "",
            0,
            "",
        ),
        (
            "อบรมกรรมการเรื่องธรรมาภิบาลและการบริหารการเงิน",
            "จัดอบรม 1 วันระดับอำเภอ",
            "คณะทำงานจังหวัด",
            "2020-Q1",
            "พอช. และ พมจ.",
            15000,
            "พอช. และ พมจ.",
        ),
        (
            "แบ่งบทบาทคณะทำงานให้ชัดเจนและมีผู้ตรวจสอบภายในทุก 6 เดือน",
            "แต่งตั้งผู้ตรวจสอบภายในและกำหนดรอบตรวจ",
            "ที่ประชุมใหญ่สมาชิก",
            "2020-Q2",
            "",
            0,
            "",
        ),
    ],
    "linkage": [
        (
            "เสนอแผนสวัสดิการชุมชนเข้าแผนพัฒนาท้องถิ่นของ อบต./เทศบาล",
            "ยื่นแผนต่อที่ประชุมประชาคมตำบล",
            "ประธานกองทุน",
            "2020-Q1",
            "อบต./เทศบาล",
            0,
            "",
        ),
        (
            "ขอรับงบสมทบจากท้องถิ่นและหน่วยงานภาคีเพิ่มขึ้น",
            "ทำหนังสือขอสมทบงบประมาณประจำปี",
            "เหรัญญิกกองทุน",
            "2020-Q2",
            "อบต., พมจ., พอช.",
            50000,
            "อบต./เทศบาล",
        ),
        (
            "ร่วมกับ รพ.สต. ดูแลสมาชิกที่เป็นผู้ป่วยติดเตียง",
            "จัดทีมเยี่ยมบ้านร่วมกับอาสาสมัครสาธารณสุข",
            "กรรมการฝ่ายสวัสดิการ",
            "2020-Q3",
            "รพ.สต.",
            6000,
            "กองทุนหลักประกันสุขภาพตำบล",
        ),
        (
            "จัดเวทีแลกเปลี่ยนเรียนรู้ระหว่างกองทุนในอำเภอ",
            "หมุนเวียนเป็นเจ้าภาพเวทีทุกไตรมาส",
            "ผู้ประสานงานอำเภอ",
            "2020-Q4",
            "พมจ.สมุทรปราการ",
            10000,
            "สมาชิกและ พมจ.",
        ),
    ],
}


def create_demo(service: WorkshopService, passcode: str = DEMO_PASSCODE) -> str:
    """Create a complete sample session; returns its slug. Its passcode is public by default."""
    template = load_template(DEMO_TEMPLATE)
    roster_file = Path(template.roster_path)
    rows = read_roster(roster_file.read_bytes(), roster_file.name, list(template.groups))
    created = service.create_workshop(
        template, rows, passcode=passcode, is_sample=True, slug_base="demo-samut-prakan-2562"
    )
    rng = random.Random(2562)
    workshop = service.workshop(created.slug)
    funds = service.funds(workshop.id)
    for n, group in enumerate(created.groups):
        lead = Caller(group.join_code, device=f"demo-{group.position}-laptop", name="แกนนำกลุ่ม")
        for fund in (f for f in funds if f.group_id == group.id):
            grade = _demo_grade(fund.previous_grade, rng)
            service.rate_fund(
                lead, RatingInput(fund.id, grade, REASONS[grade], members=fund.members)
            )
        for area, bank in IDEAS.items():
            for pick in (n % len(bank), (n + 1) % len(bank)):
                text, action, who, due, partner, budget, source = bank[pick]
                money = Decimal(budget) if budget else None
                plan = ActionPlan(action, who, due, partner, money, source)
                service.add_idea(lead, IdeaInput(area, text, plan=plan))
    _demo_votes(service, created.groups, workshop.id, rng)
    return created.slug


def _demo_grade(previous: str | None, rng: random.Random) -> str:
    """Mostly the previous grade, sometimes one step better or worse."""
    grades = "ABCD"
    base = grades.index(previous) if previous else 2
    step = rng.choice((0, 0, 0, -1, 1))
    return grades[min(3, max(0, base + step))]


def _demo_votes(
    service: WorkshopService, groups: tuple[Group, ...], workshop_id: int, rng: random.Random
) -> None:
    idea_ids = list(service.plenary(workshop_id).ideas["idea_id"])
    for group in groups:
        voter = Caller(group.join_code, device=f"demo-{group.position}-laptop")
        for idea_id in rng.sample(idea_ids, 3):
            service.vote(voter, int(idea_id))


_first_start = threading.Lock()


def ensure_demo(service: WorkshopService) -> str:
    """The newest workshop of the database, after creating the demo in an empty one."""
    with _first_start:  # two browsers opening a fresh app at once make one demo, not two
        workshops = service.workshops()
        return workshops[0].slug if workshops else create_demo(service)
