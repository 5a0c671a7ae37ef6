"""Documents and ITA results built from factories: measures with realistic Thai texts, a report over
them, and assessment results (with or without the loaded catalogue)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.thai import to_thai_digits
from ita.models import (
    AssessmentResult,
    AssessmentYear,
    Indicator,
    IndicatorScore,
    OITItem,
    OITItemScore,
    Tool,
    ToolScore,
    ToolWeight,
)
from orgs.models import Division
from reports.models import Document, DocumentStatus, ProgressEntry

from ..factories import AssessmentYearFactory, MeasureFactory, MeasureStepFactory, ToolFactory

TOOL_NAMES = {
    "IIT": "แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน",
    "EIT": "แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก",
    "OIT": "แบบตรวจการเปิดเผยข้อมูลสาธารณะ",
}
GROUPS = ("มาตรการสร้างความโปร่งใสในการใช้งบประมาณและการจัดซื้อจัดจ้าง",
          "มาตรการเพิ่มประสิทธิภาพการดำเนินงานและการสื่อสารกับบุคคลภายนอก")
URL_TEXT = "https://www.example.go.th/ita"


# --- documents ------------------------------------------------------------------------------------

def tools():
    return {code: ToolFactory(code=code, name=name, order=i) for i, (code, name) in enumerate(TOOL_NAMES.items(), 1)}


def make_measures(org, count, fiscal_year=2568, *, emoji=False):
    """``count`` measures with realistic Thai texts, group headings, steps with sub-items."""
    by_code = tools()
    divisions = list(Division.objects.filter(organisation=org)) or []
    measures = []
    for i in range(1, count + 1):
        n = to_thai_digits(i)
        title = f"มาตรการที่ {n} ส่งเสริมการเปิดเผยข้อมูลและการมีส่วนร่วมของประชาชนในการตรวจสอบการดำเนินงาน"
        if emoji and i == 1:
            title += " 😀✅"
        measure = MeasureFactory(
            organisation=org, fiscal_year=fiscal_year, order=i,
            group_heading=GROUPS[(i - 1) // 3 % 2],
            title=title,
            guideline=f"แนวทางที่ {n}.๑ จัดทำคู่มือการปฏิบัติงานให้ครบถ้วนและเป็นปัจจุบัน\n"
                      f"แนวทางที่ {n}.๒ เผยแพร่ข้อมูลผ่านเว็บไซต์ของหน่วยงานและสื่อสังคมออนไลน์",
            weakness=f"จุดอ่อนที่ {n} การเผยแพร่ข้อมูลการใช้จ่ายงบประมาณยังไม่ทั่วถึง (ข้อ O17)",
            start_month=date(2024, 10, 1), end_month=date(2025, 3, 1),
            monitoring=f"เจ้าหน้าที่ผู้รับผิดชอบรายงานผลต่อผู้บริหารทุก ๖ เดือน (มาตรการที่ {n})",
        )
        measure.tools.add(by_code[("IIT", "EIT", "OIT")[(i - 1) % 3]])
        measure.divisions.add(*divisions)
        for s in range(1, 4):
            step = MeasureStepFactory(
                measure=measure, order=s,
                text=f"ขั้นตอนที่ {to_thai_digits(s)} ของมาตรการที่ {n} ประชุมชี้แจงบุคลากรภายในหน่วยงาน"
                     "ให้ทราบถึงแนวทางการปฏิบัติงาน ระยะเวลา และผู้รับผิดชอบ เพื่อให้การดำเนินงานเป็นไปตามแผน")
            if s == 1:
                for k in range(1, 3):
                    MeasureStepFactory(measure=measure, parent=step, order=k,
                                       text=f"ข้อย่อยที่ {to_thai_digits(k)} ของขั้นตอนแรก มาตรการที่ {n} "
                                            "จัดทำสื่อประชาสัมพันธ์ในรูปแบบอินโฟกราฟิก")
        measures.append(measure)
    return measures


def make_report(org, count=4, *, layout="A", kind="progress", status=DocumentStatus.DRAFT, round_=6,
                emoji=False, arabic=False, fiscal_year=2568):
    measures = make_measures(org, count, fiscal_year, emoji=emoji)
    document = Document.objects.create(
        organisation=org, fiscal_year=fiscal_year, kind=kind, round=round_ if kind == "progress" else 0,
        layout=layout, status=status, arabic_digits=arabic, month_style="abbr",
        preamble=f"รายงานผลการดำเนินการของ{org.name} เผยแพร่ที่ {URL_TEXT} ตามแผนที่กำหนดไว้",
        signer_name="นางสาวสมหญิง ใจดี", signer_position="นักวิเคราะห์นโยบายและแผน", signer_role="ผู้รายงาน",
    )
    if kind == "progress":
        for measure in measures:
            n = to_thai_digits(measure.order)
            ProgressEntry.objects.create(
                document=document, measure=measure, status="done",
                output=f"ดำเนินการประชุมชี้แจงแล้ว เมื่อวันที่ ๑๑ กุมภาพันธ์ ๒๕๖๘ (มาตรการที่ {n})\n"
                       "เผยแพร่ข้อมูลผ่านเว็บไซต์และเพจของหน่วยงานเรียบร้อยแล้ว",
                outcome=f"บุคลากรและประชาชนรับรู้ข้อมูลมากขึ้น (ผลลัพธ์มาตรการที่ {n})",
            )
    return document


def make_result_and_year(org, *, year=2565, total="91.93"):
    """An old-scale assessment year of its own (tools, 10 indicators, O17) and ``org``'s ITA result of it,
    scores spread around 85 (no catalogue needed)."""
    year_obj = AssessmentYearFactory(year=year, scale="old")
    by_code = tools()
    for code, weight in (("IIT", 30), ("EIT", 30), ("OIT", 40)):
        ToolWeight.objects.get_or_create(year=year_obj, tool=by_code[code], defaults={"weight": weight})
    names = ["การปฏิบัติหน้าที่", "การใช้งบประมาณ", "การใช้อำนาจ", "การใช้ทรัพย์สินของราชการ",
             "การแก้ไขปัญหาการทุจริต", "คุณภาพการดำเนินงาน", "ประสิทธิภาพการสื่อสาร", "การปรับปรุงการทำงาน",
             "การเปิดเผยข้อมูล", "การป้องกันการทุจริต"]
    scores = ["95.80", "87.90", "94.60", "95.20", "92.50", "78.84", "84.54", "83.10", "94.60", "88.40"]
    result = AssessmentResult.objects.create(organisation=org, year=year_obj, total_score=Decimal(total))
    for code, score in (("IIT", "93.20"), ("EIT", "82.64"), ("OIT", "91.50")):
        ToolScore.objects.create(result=result, tool=by_code[code], score=Decimal(score),
                                 issues_to_improve=f"ประเด็นที่ต้องแก้ไขของเครื่องมือ {code}")
    indicators = []
    for number, (name, score) in enumerate(zip(names, scores), start=1):
        tool = by_code["IIT" if number <= 5 else "EIT" if number <= 8 else "OIT"]
        indicator, _ = Indicator.objects.get_or_create(year=year_obj, number=number,
                                                      defaults={"tool": tool, "name": name})
        indicators.append(indicator)
        IndicatorScore.objects.create(
            result=result, indicator=indicator, score=Decimal(score),
            assessment_points=f"ประเด็นการประเมินของตัวชี้วัดที่ {to_thai_digits(number)}",
            issues_to_improve=f"ประเด็นที่ควรพัฒนาของตัวชี้วัดที่ {to_thai_digits(number)}",
        )
    item, _ = OITItem.objects.get_or_create(year=year_obj, code="O17",
                                            defaults={"number": 17, "title": "E-Service", "indicator": indicators[8]})
    OITItemScore.objects.create(result=result, item=item, score=Decimal("0"))
    return result


# --- results of the loaded catalogue -------------------------------------------------------------

INDICATORS_2567 = {1: "96.10", 2: "80.00", 3: "90.50", 4: "85.00", 5: "84.99",
                   6: "88.00", 7: "70.25", 8: "92.00", 9: "100", 10: "78.40"}


def make_result(org, year=2567, total="91.93", tools=None, indicators=None, oit=None):
    """``org``'s ITA result of an assessment year of the loaded catalogue (the ``catalogue`` fixture)."""
    y = AssessmentYear.objects.get(year=year)
    result = AssessmentResult.objects.create(organisation=org, year=y, total_score=Decimal(total))
    for code, score in (tools or {"IIT": "95.00", "EIT": "84.50", "OIT": "96.00"}).items():
        ToolScore.objects.create(result=result, tool=Tool.objects.get(code=code), score=Decimal(score))
    for number, score in (INDICATORS_2567 if indicators is None else indicators).items():
        IndicatorScore.objects.create(result=result, indicator=Indicator.objects.get(year=y, number=number),
                                      score=Decimal(score))
    for code, score in (oit or {}).items():
        OITItemScore.objects.create(result=result, item=OITItem.objects.get(year=y, code=code), score=Decimal(score))
    return result
