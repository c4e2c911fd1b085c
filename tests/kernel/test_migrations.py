"""The migrations build the schema the models describe, and take it down again, on both backends."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import comptoir
from comptoir.kernel.db import Base, Database, current_revision, downgrade, upgrade

KERNEL_TABLES = {
    "kernel_audit_entry",
    "kernel_outbox_event",
    "kernel_outbox_delivery",
    "kernel_inbox_receipt",
}


def import_every_model() -> None:
    """Fill `Base.metadata` with every table of the project, not only those imported so far."""
    importlib.import_module("comptoir.kernel.audit")
    importlib.import_module("comptoir.kernel.outbox")

    def walk(package: ModuleType) -> None:
        for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if module.name.rsplit(".", 1)[-1] == "models":
                importlib.import_module(module.name)
            elif module.ispkg and not module.name.endswith((".migrations", ".templates")):
                walk(importlib.import_module(module.name))

    walk(comptoir)


def application_tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_to_head_creates_the_kernel_tables(database_url: str) -> None:
    database = Database.from_url(database_url)
    try:
        upgrade(database.engine)

        assert application_tables(database) >= KERNEL_TABLES
        assert current_revision(database.engine) is not None
    finally:
        database.dispose()


def test_it_goes_down_to_base_and_up_again(database_url: str) -> None:
    database = Database.from_url(database_url)
    try:
        upgrade(database.engine)
        downgrade(database.engine, "base")

        assert application_tables(database) == set()
        assert current_revision(database.engine) is None

        upgrade(database.engine)

        assert application_tables(database) >= KERNEL_TABLES
    finally:
        database.dispose()


def test_upgrading_a_current_schema_changes_nothing(database: Database) -> None:
    before = current_revision(database.engine)

    upgrade(database.engine)

    assert current_revision(database.engine) == before


def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    import_every_model()

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def test_the_kernel_constraints_carry_the_names_of_the_naming_convention(
    database: Database,
) -> None:
    # compare_metadata does not look at constraint names, yet later migrations (and SQLite's
    # batch mode) can only alter a constraint by the name the models give it.
    import_every_model()
    inspector = inspect(database.engine)

    for table_name in sorted(KERNEL_TABLES):
        table = Base.metadata.tables[table_name]
        expected = {
            str(constraint.name) for constraint in table.constraints if constraint.name is not None
        } | {str(index.name) for index in table.indexes}
        found = {
            inspector.get_pk_constraint(table_name)["name"],
            *(fk["name"] for fk in inspector.get_foreign_keys(table_name)),
            *(uq["name"] for uq in inspector.get_unique_constraints(table_name)),
            *(ck["name"] for ck in inspector.get_check_constraints(table_name)),
            *(ix["name"] for ix in inspector.get_indexes(table_name)),
        }

        assert found - {None} == expected, table_name
