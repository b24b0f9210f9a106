"""rollup_stamp: one row whose number the database moves on every statement that writes round_rollup, so the
national figures' cache is keyed on one row instead of a count over every rollup (about 2 ms at 20,000 rounds).

Triggers keep it, whoever writes (a refresh, a city's erasure cascading, a bulk load), in the writer's transaction.
On PostgreSQL one trigger per statement; SQLite has triggers per row only. The number is random, not counted up: a
transaction rolled back takes its number with it, and a count would give the same number to the next, different
write (figures cached under it by the rolled-back transaction would then pass for the new ones).

Revision ID: 7d9e1f2a3b4c
Revises: 6c8d0e2f4a61
Create Date: 2026-12-08 09:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '7d9e1f2a3b4c'
down_revision = '6c8d0e2f4a61'
branch_labels = None
depends_on = None

#: A new random 63-bit number (PostgreSQL's random() has 52 random bits, SQLite's 64).
BUMP = {"postgresql": "update rollup_stamp set changes = floor(random() * 9.2e18)::bigint where id = 1",
        "sqlite": "update rollup_stamp set changes = abs(random()) where id = 1"}


def upgrade():
    op.create_table('rollup_stamp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('changes', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_stamp'))
    )
    op.execute("insert into rollup_stamp (id, changes) values (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            create function mentorby_stamp_rollups() returns trigger language plpgsql as $$
            begin
                {BUMP["postgresql"]};
                return null;
            end $$""")
        op.execute("create trigger rollup_stamp_moves after insert or update or delete or truncate on round_rollup "
                   "for each statement execute function mentorby_stamp_rollups()")
        # The national role reads the rollups; it reads their stamp too (setup-postgres grants the same).
        op.execute("""
            do $$ declare reader record; begin
                for reader in select distinct grantee from information_schema.role_table_grants
                              where table_name = 'round_rollup' and privilege_type = 'SELECT' loop
                    execute format('grant select on rollup_stamp to %I', reader.grantee);
                end loop;
            end $$""")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"create trigger rollup_stamp_on_{event} after {event} on round_rollup "
                       f"begin {BUMP['sqlite']}; end")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("drop trigger rollup_stamp_moves on round_rollup")
        op.execute("drop function mentorby_stamp_rollups()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"drop trigger rollup_stamp_on_{event}")
    op.drop_table('rollup_stamp')
