"""Every approval snapshot holds the widths of its table columns (``snapshot["weights"]``) and the
headings and widths of its analysis tables (``snapshot["analysis_tables"]``).

Snapshots frozen before measures/layouts.py froze them with the columns held only the columns; they
printed with the widths of the day. This freezes what they printed with until now (the values below, as
they stood when this migration was written: never the registry's current ones, which may change later)
into every snapshot that lacks them, so no re-render mixes old columns with new widths. Plain JSON read
and write: the same on SQLite and PostgreSQL.
"""
from django.db import migrations

WEIGHTS = {
    "number": 5,
    "measure": 19,
    "title": 16,
    "guideline": 20,
    "steps": 25,
    "steps_due": 27,
    "method": 26,
    "weakness": 17,
    "responsible": 11,
    "timeline": 11,
    "monitoring": 22,
    "plan_monitoring": 16,
    "output": 21,
    "outcome": 16,
    "action": 24,
}

ANALYSIS_TABLES = {
    "tools": [("เครื่องมือการประเมิน", 24, False), ("ตัวชี้วัด", 30, False), ("คะแนน", 12, True),
              ("ประเด็นที่ต้องแก้ไข", 34, False)],
    "strengths": [("ลำดับที่", 10, False), ("ตัวชี้วัด", 70, False), ("คะแนน", 20, True)],
    "weaknesses": [("ลำดับที่", 10, False), ("ตัวชี้วัด/ข้อการประเมิน", 70, False), ("คะแนน", 20, True)],
    "development": [("ตัวชี้วัด", 28, False), ("ประเด็นการประเมิน", 36, False), ("ประเด็นที่ควรพัฒนา", 36, False)],
}


def analysis_tables() -> dict:
    return {name: [{"heading": heading, "weight": weight, "numeric": numeric} for heading, weight, numeric in columns]
            for name, columns in ANALYSIS_TABLES.items()}


def freeze_weights(apps, schema_editor):
    Document = apps.get_model("reports", "Document")
    changed = []
    for document in Document.objects.filter(snapshot__isnull=False).only("pk", "snapshot").iterator(chunk_size=500):
        snapshot = document.snapshot
        if not isinstance(snapshot, dict) or ("weights" in snapshot and "analysis_tables" in snapshot):
            continue
        snapshot.setdefault("weights", dict(WEIGHTS))
        snapshot.setdefault("analysis_tables", analysis_tables())
        changed.append(document)
        if len(changed) >= 500:
            Document.objects.bulk_update(changed, ["snapshot"])
            changed = []
    if changed:
        Document.objects.bulk_update(changed, ["snapshot"])


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0008_sent_reminder_names"),
    ]

    operations = [
        migrations.RunPython(freeze_weights, migrations.RunPython.noop),
    ]
