"""Fixed SQL that a migration runs in the dialect of the database at hand (the loader
skips this module: its name starts with an underscore)."""


def run(statements_by_vendor):
    """A RunPython function that executes the statements listed for this database's
    vendor ("sqlite", "postgresql"), and nothing on any other."""

    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply
