"""communications: a city's own wording of its e-mails, announcements, and when the outbox last tried a message

Revision ID: c0a1e2d3f4b5
Revises: b15b17dd3f39
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa

from mentorby.platform.rls import disable_rls, enable_tenant_rls


revision = 'c0a1e2d3f4b5'
down_revision = 'b15b17dd3f39'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('mail_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("locale in ('da', 'en')", name=op.f('ck_mail_template_locale')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_mail_template_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_template')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_mail_template_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'kind', 'locale', name=op.f('uq_mail_template_tenant_id_kind_locale'))
    )
    enable_tenant_rls(op, 'mail_template')
    op.create_table('announcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('subject_da', sa.String(length=200), nullable=False),
    sa.Column('body_da', sa.Text(), nullable=False),
    sa.Column('subject_en', sa.String(length=200), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("audience in ('round', 'mentors', 'mentees', 'pool')", name=op.f('ck_announcement_audience')),
    sa.CheckConstraint("(audience = 'pool') = (cohort_id is null)", name=op.f('ck_announcement_round_or_pool')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_announcement_sent_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'cohort_id'], ['cohort.tenant_id', 'cohort.id'], name=op.f('fk_announcement_tenant_id_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_announcement_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_announcement_tenant_id_id'))
    )
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_tenant_id_created_at'), ['tenant_id', 'created_at'], unique=False)
    enable_tenant_rls(op, 'announcement')


def downgrade():
    disable_rls(op, 'announcement')
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_tenant_id_created_at'))
    op.drop_table('announcement')
    disable_rls(op, 'mail_template')
    op.drop_table('mail_template')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('last_attempt_at')
