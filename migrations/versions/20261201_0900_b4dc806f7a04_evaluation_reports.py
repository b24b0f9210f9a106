"""evaluation reports: a round's evaluation as a PDF, built in the task queue with its progress

Revision ID: b4dc806f7a04
Revises: 75106eb6464c
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa

from mentorby.platform.rls import disable_rls, enable_tenant_rls


revision = 'b4dc806f7a04'
down_revision = '75106eb6464c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("state in ('queued', 'gathering', 'drawing', 'printing', 'done', 'failed')", name=op.f('ck_evaluation_report_state')),
    sa.CheckConstraint('progress between 0 and 100', name=op.f('ck_evaluation_report_progress')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_evaluation_report_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'cohort_id'], ['cohort.tenant_id', 'cohort.id'], name=op.f('fk_evaluation_report_tenant_id_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_evaluation_report_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_report')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_evaluation_report_tenant_id_id'))
    )
    with op.batch_alter_table('evaluation_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_report_tenant_id_cohort_id_created_at'), ['tenant_id', 'cohort_id', 'created_at'], unique=False)
    enable_tenant_rls(op, 'evaluation_report')


def downgrade():
    disable_rls(op, 'evaluation_report')
    with op.batch_alter_table('evaluation_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_report_tenant_id_cohort_id_created_at'))
    op.drop_table('evaluation_report')
