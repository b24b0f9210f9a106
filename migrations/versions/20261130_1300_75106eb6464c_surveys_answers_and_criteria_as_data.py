"""surveys, answers and criteria as data: the survey builder's versions, sends, responses and answers; each success
criterion names the question key it reads, the answers that count as a yes, and its denominator

Revision ID: 75106eb6464c
Revises: e5f6a7b8c9d0
Create Date: 2026-11-29 23:24:59.010103

"""
from alembic import op
import sqlalchemy as sa

from mentorby.platform.rls import disable_rls, enable_tenant_rls


# revision identifiers, used by Alembic.
revision = '75106eb6464c'
down_revision = 'e5f6a7b8c9d0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('moment', sa.String(length=12), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('title_da', sa.String(length=160), nullable=False),
    sa.Column('title_en', sa.String(length=160), nullable=False),
    sa.Column('intro_da', sa.Text(), nullable=False),
    sa.Column('intro_en', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_survey_version')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_survey_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_survey_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'key', 'version', name=op.f('uq_survey_tenant_id_key_version'))
    )
    op.create_table('survey_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reminder_days', sa.JSON(), nullable=False),
    sa.Column('anonymity', sa.String(length=12), nullable=False),
    sa.Column('open_days', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('open_days between 1 and 120', name=op.f('ck_survey_policy_open_days')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_survey_policy_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_policy')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_survey_policy_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_survey_policy_tenant_id'))
    )
    op.create_table('survey_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_da', sa.String(length=160), nullable=False),
    sa.Column('title_en', sa.String(length=160), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'survey_id'], ['survey.tenant_id', 'survey.id'], name=op.f('fk_survey_section_tenant_id_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_survey_section_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_section')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_survey_section_tenant_id_id'))
    )
    with op.batch_alter_table('survey_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_section_tenant_id_survey_id'), ['tenant_id', 'survey_id'], unique=False)

    op.create_table('survey_send',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('survey_key', sa.String(length=40), nullable=False),
    sa.Column('anonymity', sa.String(length=12), nullable=False),
    sa.Column('reminder_days', sa.JSON(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_survey_send_sent_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'cohort_id'], ['cohort.tenant_id', 'cohort.id'], name=op.f('fk_survey_send_tenant_id_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'survey_id'], ['survey.tenant_id', 'survey.id'], name=op.f('fk_survey_send_tenant_id_survey_id_survey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_survey_send_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_send')),
    sa.UniqueConstraint('tenant_id', 'cohort_id', 'survey_key', name=op.f('uq_survey_send_tenant_id_cohort_id_survey_key')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_survey_send_tenant_id_id'))
    )
    with op.batch_alter_table('survey_send', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_send_tenant_id_closes_on'), ['tenant_id', 'closes_on'], unique=False)

    op.create_table('survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('asked_of', sa.String(length=10), nullable=False),
    sa.Column('text_da', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('minimum', sa.Integer(), nullable=True),
    sa.Column('maximum', sa.Integer(), nullable=True),
    sa.Column('show_if', sa.JSON(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('position >= 1', name=op.f('ck_survey_question_position')),
    sa.ForeignKeyConstraint(['tenant_id', 'section_id'], ['survey_section.tenant_id', 'survey_section.id'], name=op.f('fk_survey_question_tenant_id_section_id_survey_section'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'survey_id'], ['survey.tenant_id', 'survey.id'], name=op.f('fk_survey_question_tenant_id_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_survey_question_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_survey_question_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'survey_id', 'key', name=op.f('uq_survey_question_tenant_id_survey_id_key'))
    )
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_question_tenant_id_survey_id_position'), ['tenant_id', 'survey_id', 'position'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('send_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('pseudonym', sa.String(length=12), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.Column('last_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("role in ('mentor', 'mentee', 'company')", name=op.f('ck_survey_response_role')),
    sa.CheckConstraint('(application_id is null) <> (contact_id is null)', name=op.f('ck_survey_response_one_respondent')),
    sa.ForeignKeyConstraint(['tenant_id', 'application_id'], ['application.tenant_id', 'application.id'], name=op.f('fk_survey_response_tenant_id_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'contact_id'], ['partner_contact.tenant_id', 'partner_contact.id'], name=op.f('fk_survey_response_tenant_id_contact_id_partner_contact'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'send_id'], ['survey_send.tenant_id', 'survey_send.id'], name=op.f('fk_survey_response_tenant_id_send_id_survey_send'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_survey_response_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_survey_response_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'send_id', 'application_id', name=op.f('uq_survey_response_tenant_id_send_id_application_id')),
    sa.UniqueConstraint('tenant_id', 'send_id', 'contact_id', name=op.f('uq_survey_response_tenant_id_send_id_contact_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_survey_response_token_hash'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_tenant_id_send_id_submitted_at'), ['tenant_id', 'send_id', 'submitted_at'], unique=False)

    op.create_table('survey_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'question_id'], ['survey_question.tenant_id', 'survey_question.id'], name=op.f('fk_survey_answer_tenant_id_question_id_survey_question')),
    sa.ForeignKeyConstraint(['tenant_id', 'response_id'], ['survey_response.tenant_id', 'survey_response.id'], name=op.f('fk_survey_answer_tenant_id_response_id_survey_response'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_survey_answer_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_survey_answer_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'response_id', 'question_id', 'value', name=op.f('uq_survey_answer_tenant_id_response_id_question_id_value'))
    )
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answer_tenant_id_key_value'), ['tenant_id', 'key', 'value'], unique=False)

    with op.batch_alter_table('success_criterion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_key', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('yes_values', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('of_everyone', sa.Boolean(), nullable=False, server_default=sa.false()))
    for table in TABLES:
        enable_tenant_rls(op, table)
    _criteria_read_their_questions()


#: The new city-owned tables, parents first.
TABLES = ('survey', 'survey_policy', 'survey_section', 'survey_send', 'survey_question', 'survey_response',
          'survey_answer')
#: The programme's eight criteria and the question each reads (tenants/programme/defaults.py says the same).
READS = {
    'mentor_network': ('network', ['4', '5'], False),
    'mentor_intercultural': ('intercultural', ['4', '5'], False),
    'mentee_network': ('network', ['4', '5'], False),
    'mentee_job_search': ('job_search_active', ['4', '5'], False),
    'mentee_direction': ('direction', ['4', '5'], False),
    'mentee_employed_6m': ('employment', ['full_time', 'part_time', 'self_employed'], True),
    'would_recommend': ('would_recommend', ['yes'], False),
    'company_retention': ('retention', ['4', '5'], False),
}


def _criteria_read_their_questions():
    # Every city's criteria: row-level security binds the owner too (FORCE), so lift it for this update only.
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        op.execute("alter table success_criterion no force row level security")
    criterion = sa.table('success_criterion', sa.column('code', sa.String()), sa.column('question_key', sa.String()),
                         sa.column('yes_values', sa.JSON()), sa.column('of_everyone', sa.Boolean()))
    for code, (key, yes, everyone) in READS.items():
        op.execute(criterion.update().where(criterion.c.code == code)
                   .values(question_key=key, yes_values=yes, of_everyone=everyone))
    if postgres:
        op.execute("alter table success_criterion force row level security")


def downgrade():
    for table in reversed(TABLES):
        disable_rls(op, table)
    with op.batch_alter_table('success_criterion', schema=None) as batch_op:
        batch_op.drop_column('of_everyone')
        batch_op.drop_column('yes_values')
        batch_op.drop_column('question_key')

    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answer_tenant_id_key_value'))

    op.drop_table('survey_answer')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_tenant_id_send_id_submitted_at'))

    op.drop_table('survey_response')
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_question_tenant_id_survey_id_position'))

    op.drop_table('survey_question')
    with op.batch_alter_table('survey_send', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_send_tenant_id_closes_on'))

    op.drop_table('survey_send')
    with op.batch_alter_table('survey_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_section_tenant_id_survey_id'))

    op.drop_table('survey_section')
    op.drop_table('survey_policy')
    op.drop_table('survey')
