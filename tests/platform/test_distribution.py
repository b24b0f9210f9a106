"""The schema can be distributed by city with Citus (docs/scale.md): the rules, checked on the models and on the
database the migrations built.

Citus shards a distributed table by its distribution column (here `tenant_id`) and enforces a primary key, a unique
key or a foreign key only inside one shard, so each must include that column; a foreign key between two distributed
tables must join them on it (co-located); distributed tables may point at reference tables but not at local ones,
reference tables only at reference tables, and nothing but a distributed table at a distributed one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import Index, UniqueConstraint, inspect

from mentorby.platform.extensions import db as _db
from mentorby.platform.tenancy import DISTRIBUTION, is_tenant_owned

KINDS = {"reference", "local"}


@dataclass
class TableInfo:
    name: str
    nullable: dict[str, bool]
    primary_key: tuple[str, ...]
    #: Unique constraints and unique indexes.
    uniques: list[tuple[str, ...]] = field(default_factory=list)
    #: (own columns, referred table, referred columns) per foreign key.
    foreign_keys: list[tuple[tuple[str, ...], str, tuple[str, ...]]] = field(default_factory=list)


def tenant_owned_tables() -> set[str]:
    return {m.class_.__table__.name for m in _db.Model.registry.mappers if is_tenant_owned(m.class_)}


def from_models() -> dict[str, TableInfo]:
    tables = {}
    for table in _db.metadata.sorted_tables:
        nullable = {c.name: c.nullable for c in table.columns}
        info = TableInfo(table.name, nullable, tuple(table.primary_key.columns.keys()))
        info.uniques = [tuple(c.name for c in u.columns) for u in table.constraints if isinstance(u, UniqueConstraint)]
        info.uniques += [tuple(c.name for c in i.columns) for i in table.indexes if isinstance(i, Index) and i.unique]
        info.foreign_keys = [
            (tuple(e.parent.name for e in fk.elements), fk.elements[0].column.table.name,
             tuple(e.column.name for e in fk.elements))
            for fk in table.foreign_key_constraints
        ]
        tables[table.name] = info
    return tables


def from_database(connection) -> dict[str, TableInfo]:
    inspector = inspect(connection)
    tables = {}
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        info = TableInfo(name, {c["name"]: c["nullable"] for c in inspector.get_columns(name)},
                         tuple(inspector.get_pk_constraint(name)["constrained_columns"]))
        info.uniques = [tuple(u["column_names"]) for u in inspector.get_unique_constraints(name)]
        info.uniques += [tuple(i["column_names"]) for i in inspector.get_indexes(name) if i["unique"]]
        info.foreign_keys = [
            (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
            for fk in inspector.get_foreign_keys(name)
        ]
        tables[name] = info
    return tables


def kind_of(name: str, owned: set[str]) -> str:
    return "distributed" if name in owned else DISTRIBUTION.get(name, "unclassified")


def problems(tables: dict[str, TableInfo], owned: set[str]) -> list[str]:
    """Every way the schema breaks a rule of the distribution by tenant_id, in words."""
    found = []
    for name in sorted(set(tables) - owned - set(DISTRIBUTION)):
        found.append(f"{name}: neither tenant-owned nor classified in DISTRIBUTION (platform/tenancy.py)")
    for name, info in sorted(tables.items()):
        if name not in owned:
            continue
        if info.nullable.get("tenant_id", True):
            found.append(f"{name}: tenant_id missing or nullable (the distribution column is never null)")
            continue
        keyed = "tenant_id" in info.primary_key or any(
            set(u) == {"tenant_id", *info.primary_key} for u in info.uniques
        )
        if not keyed:
            found.append(f"{name}: no primary key or unique key of tenant_id and {info.primary_key}")
        for unique in info.uniques:
            if "tenant_id" not in unique:
                found.append(f"{name}: unique key {unique} without tenant_id")
    for name, info in sorted(tables.items()):
        mine = kind_of(name, owned)
        for columns, target, referred in info.foreign_keys:
            theirs = kind_of(target, owned)
            pairs = set(zip(columns, referred, strict=True))
            if mine == "distributed" and theirs == "distributed":
                if ("tenant_id", "tenant_id") not in pairs:
                    found.append(f"{name}{columns} -> {target}{referred}: not joined on tenant_id (not co-located)")
            elif mine in ("distributed", "reference") and theirs != "reference":
                found.append(f"{name} -> {target}: a {mine} table cannot point at a {theirs} table")
            elif mine == "local" and theirs == "distributed":
                found.append(f"{name} -> {target}: a {mine} table cannot point at a {theirs} table")
    return found


# ---------------------------------------------------------------- the models


def test_every_table_is_tenant_owned_or_classified_once():
    owned, names = tenant_owned_tables(), set(_db.metadata.tables)
    assert set(DISTRIBUTION.values()) <= KINDS
    assert owned & set(DISTRIBUTION) == set(), "a tenant-owned table is distributed: it needs no DISTRIBUTION entry"
    assert set(DISTRIBUTION) - names == set(), "DISTRIBUTION names a table that does not exist"
    assert names - owned - set(DISTRIBUTION) == set(), "classify new platform tables in DISTRIBUTION"


def test_a_table_has_a_not_null_tenant_id_exactly_when_it_is_tenant_owned():
    # docs/scale.md picks the tables to distribute by this column; the platform's own rows have a nullable one.
    with_city = {t.name for t in _db.metadata.sorted_tables if "tenant_id" in t.c and not t.c.tenant_id.nullable}
    assert with_city == tenant_owned_tables()


def test_the_models_meet_the_distribution_rules():
    assert problems(from_models(), tenant_owned_tables()) == []


def test_the_rules_catch_what_citus_would_refuse():
    owned = {"partner", "partner_contact"}
    tables = {
        "partner": TableInfo("partner", {"tenant_id": False, "id": False}, ("id",), [("tenant_id", "id"), ("email",)]),
        "partner_contact": TableInfo(
            "partner_contact", {"tenant_id": True, "id": False}, ("id",), [], [(("partner_id",), "partner", ("id",))]
        ),
        "tenant": TableInfo("tenant", {"id": False}, ("id",), [], [(("partner_id",), "partner", ("id",))]),
        "new_table": TableInfo("new_table", {"id": False}, ("id",)),
    }
    found = problems(tables, owned)
    assert "new_table: neither tenant-owned nor classified in DISTRIBUTION (platform/tenancy.py)" in found
    assert "partner: unique key ('email',) without tenant_id" in found
    assert "partner_contact: tenant_id missing or nullable (the distribution column is never null)" in found
    assert "partner_contact('partner_id',) -> partner('id',): not joined on tenant_id (not co-located)" in found
    assert "tenant -> partner: a reference table cannot point at a distributed table" in found
    tables["partner_contact"].nullable["tenant_id"] = False
    assert "partner_contact: no primary key or unique key of tenant_id and ('id',)" in problems(tables, owned)


# ---------------------------------------------------------------- the migrated database


@pytest.fixture
def connection(db):
    return db.session.connection()


def test_the_migrated_database_meets_the_distribution_rules(connection):
    tables = from_database(connection)
    assert set(tables) == set(_db.metadata.tables), "the migrations and the models name different tables"
    assert problems(tables, tenant_owned_tables()) == []
