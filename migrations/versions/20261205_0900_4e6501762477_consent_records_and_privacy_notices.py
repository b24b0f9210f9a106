"""Consent records (which text and notice version each person agreed to, when and how), each city's privacy notice
and its published versions with the city's retention periods; an import states how the city collected consent

Revision ID: 4e6501762477
Revises: d4e45f4ec5a9
Create Date: 2026-12-05 09:00:00

"""
from alembic import op
import sqlalchemy as sa

from mentorby.platform.rls import disable_rls, enable_tenant_rls


revision = '4e6501762477'
down_revision = 'd4e45f4ec5a9'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table('privacy_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('controller_name', sa.String(length=200), nullable=False),
    sa.Column('controller_address', sa.String(length=300), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('dpo_contact', sa.String(length=300), nullable=False),
    sa.Column('extra_da', sa.Text(), nullable=False),
    sa.Column('extra_en', sa.Text(), nullable=False),
    sa.Column('never_accepted_days', sa.Integer(), nullable=False),
    sa.Column('cv_days', sa.Integer(), nullable=False),
    sa.Column('after_followup_days', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('after_followup_days between 30 and 3650', name=op.f('ck_privacy_notice_after_followup')),
    sa.CheckConstraint('cv_days between 30 and 3650', name=op.f('ck_privacy_notice_cv')),
    sa.CheckConstraint('never_accepted_days between 30 and 3650', name=op.f('ck_privacy_notice_never_accepted')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_privacy_notice_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notice')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_privacy_notice_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_privacy_notice_tenant_id'))
    )
    op.create_table('privacy_notice_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('controller_name', sa.String(length=200), nullable=False),
    sa.Column('controller_address', sa.String(length=300), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('dpo_contact', sa.String(length=300), nullable=False),
    sa.Column('extra_da', sa.Text(), nullable=False),
    sa.Column('extra_en', sa.Text(), nullable=False),
    sa.Column('never_accepted_days', sa.Integer(), nullable=False),
    sa.Column('cv_days', sa.Integer(), nullable=False),
    sa.Column('after_followup_days', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('after_followup_days between 30 and 3650', name=op.f('ck_privacy_notice_version_after_followup')),
    sa.CheckConstraint('cv_days between 30 and 3650', name=op.f('ck_privacy_notice_version_cv')),
    sa.CheckConstraint('never_accepted_days between 30 and 3650', name=op.f('ck_privacy_notice_version_never_accepted')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_privacy_notice_version_version')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_privacy_notice_version_published_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_privacy_notice_version_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notice_version')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_privacy_notice_version_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'version', name=op.f('uq_privacy_notice_version_tenant_id_version'))
    )
    with op.batch_alter_table('privacy_notice_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_notice_version_tenant_id_published_at'), ['tenant_id', 'published_at'], unique=False)

    op.create_table('consent_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('date_only', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("channel in ('form', 'portal', 'paper', 'email', 'phone', 'in_person', 'coordinator', 'import')", name=op.f('ck_consent_record_channel')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_consent_record_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'application_id'], ['application.tenant_id', 'application.id'], name=op.f('fk_consent_record_tenant_id_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_consent_record_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_record')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_consent_record_tenant_id_id'))
    )
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_record_tenant_id_application_id'), ['tenant_id', 'application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_record_tenant_id_email_agreed_at'), ['tenant_id', 'email', 'agreed_at'], unique=False)

    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('consent_channel', sa.String(length=12), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('consent_version', sa.String(length=20), nullable=False, server_default=''))
    enable_tenant_rls(op, 'privacy_notice')
    enable_tenant_rls(op, 'privacy_notice_version')
    enable_tenant_rls(op, 'consent_record')

    # Every application so far carries the consent given with it: each becomes the person's first consent record,
    # through the channel its source implies (an earlier import's own channel was not recorded). Every city's rows:
    # row-level security binds the owner too (FORCE), so say so explicitly.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("select set_config('app.cross_tenant', 'on', true)")
    op.execute(
        "insert into consent_record (tenant_id, email, application_id, version, locale, channel, agreed_at, "
        "date_only, recorded_at) "
        "select tenant_id, email, id, consent_version, locale, "
        "case source when 'reapply' then 'portal' else source end, consent_at, false, created_at from application"
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("select set_config('app.cross_tenant', 'off', true)")


def downgrade():
    disable_rls(op, 'consent_record')
    disable_rls(op, 'privacy_notice_version')
    disable_rls(op, 'privacy_notice')
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.drop_column('consent_version')
        batch_op.drop_column('consent_channel')
        batch_op.drop_column('consent_on')

    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_record_tenant_id_email_agreed_at'))
        batch_op.drop_index(batch_op.f('ix_consent_record_tenant_id_application_id'))

    op.drop_table('consent_record')
    with op.batch_alter_table('privacy_notice_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_notice_version_tenant_id_published_at'))

    op.drop_table('privacy_notice_version')
    op.drop_table('privacy_notice')
