"""import jobs: a spreadsheet checked or imported in the task queue, with its progress and report

Revision ID: c87e79059026
Revises: b7c41e9a2d53
Create Date: 2026-11-30 12:00:00

"""
from alembic import op
import sqlalchemy as sa

from mentorby.platform.rls import disable_rls, enable_tenant_rls


revision = 'c87e79059026'
down_revision = 'b7c41e9a2d53'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=6), nullable=False),
    sa.Column('consent_confirmed', sa.Boolean(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("action in ('check', 'import')", name=op.f('ck_import_job_action')),
    sa.CheckConstraint("state in ('queued', 'reading', 'checking', 'writing', 'done', 'failed')", name=op.f('ck_import_job_state')),
    sa.CheckConstraint('progress >= 0 and total >= 0', name=op.f('ck_import_job_progress')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_import_job_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'cohort_id'], ['cohort.tenant_id', 'cohort.id'], name=op.f('fk_import_job_tenant_id_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_import_job_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_job')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_import_job_tenant_id_id'))
    )
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_job_tenant_id_cohort_id_created_at'), ['tenant_id', 'cohort_id', 'created_at'], unique=False)
    enable_tenant_rls(op, 'import_job')


def downgrade():
    disable_rls(op, 'import_job')
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_job_tenant_id_cohort_id_created_at'))
    op.drop_table('import_job')
