"""The database refuses a prescription whose hold is outside its level's range, or whose
exercise is not its level's.

A CHECK constraint cannot look at another table, so each database gets a trigger in its
own dialect; both raise an integrity error, as a constraint would.
"""

from django.db import migrations

from patients.migrations._vendor_sql import run

# The SQL is fixed text: nothing from outside is ever put into it.
SQLITE_TRIGGER = """
    CREATE TRIGGER prescription_matches_level_EVENT
    BEFORE EVENT ON patients_prescription
    FOR EACH ROW
    WHEN NOT EXISTS (
        SELECT 1 FROM exercises_level AS level
        WHERE level.id = NEW.level_id
          AND level.exercise_id = NEW.exercise_id
          AND NEW.target_seconds BETWEEN level.hold_min_seconds AND level.hold_max_seconds
    )
    BEGIN
        SELECT RAISE(ABORT, 'prescription does not match its level (hold range or exercise)');
    END;
"""
SQLITE = [SQLITE_TRIGGER.replace("EVENT", event) for event in ("INSERT", "UPDATE")]

POSTGRESQL = [
    """
    CREATE FUNCTION prescription_matches_level() RETURNS trigger AS $$
    BEGIN
        IF NOT EXISTS (
            SELECT 1 FROM exercises_level AS level
            WHERE level.id = NEW.level_id
              AND level.exercise_id = NEW.exercise_id
              AND NEW.target_seconds BETWEEN level.hold_min_seconds AND level.hold_max_seconds
        ) THEN
            RAISE EXCEPTION 'prescription does not match its level (hold range or exercise)'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER prescription_matches_level
    BEFORE INSERT OR UPDATE ON patients_prescription
    FOR EACH ROW EXECUTE FUNCTION prescription_matches_level();
    """,
]

DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS prescription_matches_level_INSERT;",
        "DROP TRIGGER IF EXISTS prescription_matches_level_UPDATE;",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS prescription_matches_level ON patients_prescription;",
        "DROP FUNCTION IF EXISTS prescription_matches_level();",
    ],
}


class Migration(migrations.Migration):
    dependencies = [("patients", "0004_prescription_exercise_follows_level")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}), run(DROP), elidable=False
        )
    ]
