"""The database keeps each hold's ``qualifying`` true to its seconds and its
prescription's target, whatever writes it.

A hold whose flag disagrees with its seconds and target is refused, and a change to a
prescription's target judges its holds again. As in 0005, a CHECK constraint cannot look
at another table, so each database gets triggers in its own dialect.
"""

from django.db import migrations

from patients.migrations._vendor_sql import run

# The SQL is fixed text: nothing from outside is ever put into it.
SQLITE_CHECK = """
    CREATE TRIGGER hold_log_judged_EVENT
    BEFORE EVENT ON patients_holdlog
    FOR EACH ROW
    WHEN NEW.qualifying IS NOT (
        NEW.seconds >= (
            SELECT target_seconds FROM patients_prescription WHERE id = NEW.prescription_id
        )
    )
    BEGIN
        SELECT RAISE(ABORT, 'hold qualifying does not match its seconds and target');
    END;
"""
SQLITE = [
    *(SQLITE_CHECK.replace("EVENT", event) for event in ("INSERT", "UPDATE")),
    """
    CREATE TRIGGER prescription_target_rejudges_holds
    AFTER UPDATE OF target_seconds ON patients_prescription
    FOR EACH ROW
    WHEN NEW.target_seconds <> OLD.target_seconds
    BEGIN
        UPDATE patients_holdlog SET qualifying = (seconds >= NEW.target_seconds)
        WHERE prescription_id = NEW.id;
    END;
    """,
]

POSTGRESQL = [
    """
    CREATE FUNCTION hold_log_judged() RETURNS trigger AS $$
    BEGIN
        IF NEW.qualifying IS DISTINCT FROM (
            NEW.seconds >= (
                SELECT target_seconds FROM patients_prescription WHERE id = NEW.prescription_id
            )
        ) THEN
            RAISE EXCEPTION 'hold qualifying does not match its seconds and target'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER hold_log_judged
    BEFORE INSERT OR UPDATE ON patients_holdlog
    FOR EACH ROW EXECUTE FUNCTION hold_log_judged();
    """,
    """
    CREATE FUNCTION prescription_target_rejudges_holds() RETURNS trigger AS $$
    BEGIN
        UPDATE patients_holdlog SET qualifying = (seconds >= NEW.target_seconds)
        WHERE prescription_id = NEW.id;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER prescription_target_rejudges_holds
    AFTER UPDATE OF target_seconds ON patients_prescription
    FOR EACH ROW WHEN (NEW.target_seconds <> OLD.target_seconds)
    EXECUTE FUNCTION prescription_target_rejudges_holds();
    """,
]

DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS hold_log_judged_INSERT;",
        "DROP TRIGGER IF EXISTS hold_log_judged_UPDATE;",
        "DROP TRIGGER IF EXISTS prescription_target_rejudges_holds;",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS hold_log_judged ON patients_holdlog;",
        "DROP FUNCTION IF EXISTS hold_log_judged();",
        "DROP TRIGGER IF EXISTS prescription_target_rejudges_holds ON patients_prescription;",
        "DROP FUNCTION IF EXISTS prescription_target_rejudges_holds();",
    ],
}


class Migration(migrations.Migration):
    dependencies = [("patients", "0008_hold_log_qualifying")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}), run(DROP), elidable=False
        )
    ]
