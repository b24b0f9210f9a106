"""1:1 sessions of the running round: the log with each pair's confirmation, nudges sent, the city's health policy

Revision ID: c527524366a5
Revises: c0a1e2d3f4b5
Create Date: 2026-12-02 11:00:00

"""
from alembic import op
import sqlalchemy as sa

from mentorby.platform.rls import disable_rls, enable_tenant_rls


revision = 'c527524366a5'
down_revision = 'c0a1e2d3f4b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('health_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiet_weeks', sa.Integer(), nullable=False),
    sa.Column('auto_nudges', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('quiet_weeks between 1 and 12', name=op.f('ck_health_policy_quiet_weeks')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_health_policy_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_policy')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_health_policy_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_health_policy_tenant_id'))
    )
    op.create_table('session_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('logged_by_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('next_step', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('minutes between 10 and 480', name=op.f('ck_session_log_minutes')),
    sa.ForeignKeyConstraint(['tenant_id', 'cohort_id'], ['cohort.tenant_id', 'cohort.id'], name=op.f('fk_session_log_tenant_id_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'logged_by_id'], ['application.tenant_id', 'application.id'], name=op.f('fk_session_log_tenant_id_logged_by_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['application.tenant_id', 'application.id'], name=op.f('fk_session_log_tenant_id_mentor_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_session_log_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_log')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_session_log_tenant_id_id'))
    )
    with op.batch_alter_table('session_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_log_tenant_id_cohort_id_held_on'), ['tenant_id', 'cohort_id', 'held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_log_tenant_id_mentor_id'), ['tenant_id', 'mentor_id'], unique=False)

    op.create_table('nudge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_nudge_sent_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'cohort_id'], ['cohort.tenant_id', 'cohort.id'], name=op.f('fk_nudge_tenant_id_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'match_id'], ['match.tenant_id', 'match.id'], name=op.f('fk_nudge_tenant_id_match_id_match'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_nudge_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nudge')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_nudge_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'match_id', 'sent_on', name=op.f('uq_nudge_tenant_id_match_id_sent_on'))
    )
    with op.batch_alter_table('nudge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nudge_tenant_id_cohort_id'), ['tenant_id', 'cohort_id'], unique=False)

    op.create_table('session_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'match_id'], ['match.tenant_id', 'match.id'], name=op.f('fk_session_pair_tenant_id_match_id_match'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'session_id'], ['session_log.tenant_id', 'session_log.id'], name=op.f('fk_session_pair_tenant_id_session_id_session_log'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_session_pair_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_pair')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_session_pair_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'session_id', 'match_id', name=op.f('uq_session_pair_tenant_id_session_id_match_id'))
    )
    with op.batch_alter_table('session_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_pair_tenant_id_match_id'), ['tenant_id', 'match_id'], unique=False)
    enable_tenant_rls(op, 'health_policy')
    enable_tenant_rls(op, 'session_log')
    enable_tenant_rls(op, 'nudge')
    enable_tenant_rls(op, 'session_pair')


def downgrade():
    disable_rls(op, 'session_pair')
    disable_rls(op, 'nudge')
    disable_rls(op, 'session_log')
    disable_rls(op, 'health_policy')
    with op.batch_alter_table('session_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_pair_tenant_id_match_id'))

    op.drop_table('session_pair')
    with op.batch_alter_table('nudge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nudge_tenant_id_cohort_id'))

    op.drop_table('nudge')
    with op.batch_alter_table('session_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_log_tenant_id_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_session_log_tenant_id_cohort_id_held_on'))

    op.drop_table('session_log')
    op.drop_table('health_policy')
