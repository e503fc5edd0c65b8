"""åtgärdsplan: one register of measures with dated follow-ups; the löfte's åtgärder move
from the promise's JSON document into it

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 23:00:00

"""
from datetime import date, datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

# The löfte's follow-up statuses and the register's statuses they became.
STATUS_OF_FOLLOWUP = {'not_started': 'planned', 'in_progress': 'ongoing', 'done': 'done'}
FOLLOWUP_OF_STATUS = {'planned': 'not_started', 'ongoing': 'in_progress', 'done': 'done',
                      'cancelled': 'not_started'}

promise = sa.table('promise', sa.column('id', sa.Integer), sa.column('survey_id', sa.Integer),
                   sa.column('focus', sa.JSON))


def _measure_table():
    return sa.table(
        'measure', sa.column('id', sa.Integer), sa.column('promise_id', sa.Integer),
        sa.column('position', sa.Integer),
        sa.column('what', sa.JSON), sa.column('how', sa.JSON),
        sa.column('problem_kind', sa.String), sa.column('problem_code', sa.String),
        sa.column('survey_id', sa.Integer), sa.column('responsible', sa.String),
        sa.column('responsible_name', sa.String), sa.column('starts', sa.Date),
        sa.column('ends', sa.Date), sa.column('status', sa.String),
        sa.column('created_at', sa.DateTime), sa.column('updated_at', sa.DateTime))


def _followup_table():
    return sa.table(
        'measure_followup', sa.column('id', sa.Integer), sa.column('measure_id', sa.Integer),
        sa.column('on', sa.Date), sa.column('text', sa.JSON), sa.column('status', sa.String),
        sa.column('created_at', sa.DateTime))


def upgrade():
    op.create_table(
        'measure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('promise_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('what', sa.JSON(), nullable=False),
        sa.Column('how', sa.JSON(), nullable=False),
        sa.Column('problem_kind', sa.String(length=16), nullable=False),
        sa.Column('problem_code', sa.String(length=64), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=True),
        sa.Column('responsible', sa.String(length=16), nullable=False),
        sa.Column('responsible_name', sa.String(length=255), nullable=False),
        sa.Column('starts', sa.Date(), nullable=False),
        sa.Column('ends', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('indicator_code', sa.String(length=64), nullable=True),
        sa.Column('baseline_period', sa.String(length=7), nullable=True),
        sa.Column('baseline_value', sa.Float(), nullable=True),
        sa.Column('target_value', sa.Float(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['promise_id'], ['promise.id']),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_measure_promise_id', 'measure', ['promise_id'])
    op.create_table(
        'measure_followup',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('text', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=True),
        sa.Column('created_by', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_measure_followup_measure_id', 'measure_followup', ['measure_id'])
    _actions_to_measures()


def _actions_to_measures():
    connection = op.get_bind()
    measure, followup = _measure_table(), _followup_table()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for row in connection.execute(sa.select(promise.c.id, promise.c.survey_id, promise.c.focus)
                                  .order_by(promise.c.id)).all():
        for focus in row.focus or []:
            for position, action in enumerate(focus.get('actions', []), start=1):
                followups = sorted(action.get('followups', []), key=lambda f: f['date'])
                status = (STATUS_OF_FOLLOWUP.get(followups[-1]['status'], 'planned')
                          if followups else 'planned')
                measure_id = connection.execute(measure.insert().values(
                    promise_id=row.id, position=position, what=action.get('what', {}),
                    how=action.get('follow_up', {}), problem_kind='item',
                    problem_code=focus['item'], survey_id=row.survey_id,
                    responsible=action.get('responsible', 'annan'),
                    responsible_name=action.get('responsible_name', ''),
                    starts=date.fromisoformat(action['start']),
                    ends=date.fromisoformat(action['end']), status=status,
                    created_at=now, updated_at=now,
                ).returning(measure.c.id)).scalar_one()
                for entry in followups:
                    connection.execute(followup.insert().values(
                        measure_id=measure_id, on=date.fromisoformat(entry['date']),
                        text=entry.get('comment', {}),
                        status=STATUS_OF_FOLLOWUP.get(entry['status']), created_at=now))
        connection.execute(promise.update().where(promise.c.id == row.id).values(
            focus=[{'item': f['item']} for f in row.focus or []]))


def _measures_to_actions():
    connection = op.get_bind()
    measure, followup = _measure_table(), _followup_table()
    for row in connection.execute(sa.select(promise.c.id, promise.c.focus)).all():
        focus = [{'item': f['item'], 'actions': []} for f in row.focus or []]
        by_item = {f['item']: f for f in focus}
        for m in connection.execute(sa.select(measure).where(measure.c.promise_id == row.id)
                                    .order_by(measure.c.position, measure.c.id)).all():
            if m.problem_code not in by_item:
                continue
            entries = connection.execute(sa.select(followup).where(
                followup.c.measure_id == m.id).order_by(followup.c.on, followup.c.id)).all()
            by_item[m.problem_code]['actions'].append({
                'id': f'{m.id:08x}', 'what': m.what, 'responsible': m.responsible,
                'responsible_name': m.responsible_name, 'start': m.starts.isoformat(),
                'end': m.ends.isoformat(), 'follow_up': m.how,
                'followups': [{'status': FOLLOWUP_OF_STATUS.get(e.status or m.status,
                                                                'not_started'),
                               'comment': e.text, 'date': e.on.isoformat()}
                              for e in entries],
            })
        connection.execute(promise.update().where(promise.c.id == row.id).values(focus=focus))


def downgrade():
    _measures_to_actions()
    op.drop_index('ix_measure_followup_measure_id', table_name='measure_followup')
    op.drop_table('measure_followup')
    op.drop_index('ix_measure_promise_id', table_name='measure')
    op.drop_table('measure')

