"""actions, institution letters and post-deregistration meetings are chased by the ledger: their backfilled rows
are un-parked and the features' own timing columns go

Revision ID: 0017
Revises: 0015

Each kind's rows backfilled parked by 0012 get a next step (the time the feature's own sweeper would have
taken its next one) at generation 0: the ledger sweep snapshots the profile's ladder on first claim and, where
the feature already told someone (its old columns say when), keeps that step as taken (`last_step_at`), so no
past rung is sent again. Only then are the old timing columns dropped.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0017"
down_revision = "0018"
branch_labels = None
depends_on = None

_ACTION = "(SELECT a.{column} FROM meeting_action a WHERE a.id = obligation.subject_id)"
_LETTER = "(SELECT t.{column} FROM institution_letter t WHERE t.id = obligation.subject_id)"


def _unpark(kind: str, *, where: str, **values: str) -> None:
    """Give the open, parked rows of `kind` matching `where` (SQL on `obligation`) their next step."""
    sets = ", ".join(f"{column} = {value}" for column, value in {"generation": "0", **values}.items())
    op.execute(
        f"UPDATE obligation SET {sets} WHERE kind = '{kind}' AND status = 'open' AND next_step_at IS NULL AND {where}"
    )


def _json_list(value: str) -> str:
    return f"json_build_array({value})" if op.get_bind().dialect.name == "postgresql" else f"json_array({value})"


def upgrade() -> None:
    _actions()
    _letters()
    _post_deregistration()
    with op.batch_alter_table("meeting_action") as batch:
        batch.drop_index("ix_meeting_action_remind")
        for column in ("reminder_key", "reminded_at", "reminder_status", "remind_at"):
            batch.drop_column(column)
    with op.batch_alter_table("institution_letter") as batch:
        batch.drop_index("ix_institution_letter_status_remind")
        for column in ("reminders_sent", "remind_at"):
            batch.drop_column(column)
    with op.batch_alter_table("deregistration") as batch:
        batch.drop_index("ix_deregistration_status_missed")
        batch.drop_index("ix_deregistration_status_next")
        for column in ("missed_at", "next_at", "next_step"):
            batch.drop_column(column)


def _actions() -> None:
    """Not reminded yet: its reminder is next. Reminded: that reminder is a step taken (its DM is updated in place
    once the action is settled); the overdue rung comes next."""
    _unpark(
        "action",
        where=f"{_ACTION.format(column='reminder_status')} = 'pending'",
        next_step_at=_ACTION.format(column="remind_at"),
    )
    _unpark(
        "action",
        where=f"{_ACTION.format(column='reminder_status')} = 'sent'",
        stage="'reminded'",
        reminders_sent="1",
        next_step_at=_ACTION.format(column="remind_at"),
        last_step_at=f"COALESCE({_ACTION.format(column='reminded_at')}, {_ACTION.format(column='remind_at')})",
        notice_keys=f"CASE WHEN {_ACTION.format(column='reminder_key')} IS NULL THEN notice_keys "
        f"ELSE {_json_list(_ACTION.format(column='reminder_key'))} END",
    )


def _letters() -> None:
    """The letter's next reminder (the first, or a repeat) is its next step. At that time the ledger takes the
    overdue rung (a first step for the row: one chase, as the old sweeper would have sent) and repeats every 2
    working days from then; earlier chases are not sent again (their keys stay in the letter's messages, so they are
    updated in place when it moves on)."""
    for kind in ("letter_details", "letter_sent"):
        _unpark(
            kind,
            where=f"{_LETTER.format(column='remind_at')} IS NOT NULL",
            next_step_at=_LETTER.format(column="remind_at"),
        )


_OBLIGATION = sa.table(
    "obligation",
    sa.column("id", sa.Integer()),
    sa.column("case_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("subject_type", sa.String()),
    sa.column("subject_id", sa.Integer()),
    sa.column("recipient", sa.String()),
    sa.column("owner_role", sa.String()),
    sa.column("owner", sa.String()),
    sa.column("due_at", UtcDateTime()),
    sa.column("due_local_date", sa.Date()),
    sa.column("stage", sa.String()),
    sa.column("next_step_at", UtcDateTime()),
    sa.column("last_step_at", UtcDateTime()),
    sa.column("overdue_at", UtcDateTime()),
    sa.column("reminders_sent", sa.Integer()),
    sa.column("notice_keys", sa.JSON()),
    sa.column("generation", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("created_at", UtcDateTime()),
)
_DEREGISTRATION = sa.table(
    "deregistration",
    sa.column("id", sa.Integer()),
    sa.column("case_id", sa.Integer()),
    sa.column("convener", sa.String()),
    sa.column("meeting_chair", sa.String()),
    sa.column("status", sa.String()),
    sa.column("window_closes_on", sa.Date()),
    sa.column("next_step", sa.String()),
    sa.column("next_at", UtcDateTime()),
    sa.column("missed_at", UtcDateTime()),
)
_CASE = sa.table("case", sa.column("id", sa.Integer()), sa.column("organisation_id", sa.Integer()))
_ORGANISATION = sa.table("organisation", sa.column("id", sa.Integer()), sa.column("timezone", sa.String()))


def _post_deregistration() -> None:
    """One row per organiser (the convener, and the meeting's chair when someone else), due at the end of the
    window's last day. A window still tracked waits for its next moment, the ones before it counted as taken
    (`last_step_at` just before it); a window missed is overdue already and has nothing left to send."""
    bind = op.get_bind()
    o, d = _OBLIGATION, _DEREGISTRATION
    found = (
        bind.execute(
            sa.select(
                o,
                d.c.convener,
                d.c.meeting_chair,
                d.c.window_closes_on,
                d.c.next_step,
                d.c.next_at,
                d.c.missed_at,
                _ORGANISATION.c.timezone,
            )
            .join(d, d.c.id == o.c.subject_id)
            .join(_CASE, _CASE.c.id == d.c.case_id)
            .join(_ORGANISATION, _ORGANISATION.c.id == _CASE.c.organisation_id)
            .where(
                o.c.kind == "post_dereg_meeting", o.c.status == "open", o.c.recipient == "", d.c.status == "tracking"
            )
        )
        .mappings()
        .all()
    )
    for row in found:
        zone = ZoneInfo(row["timezone"] or "Europe/London")
        next_day = row["window_closes_on"] + timedelta(days=1)
        due_at = datetime.combine(next_day, time(0), zone) - timedelta(microseconds=1)  # the end of its last day
        values = {"due_at": due_at, "recipient": "convener", "owner_role": "convener", "owner": row["convener"]}
        if row["missed_at"] is not None:
            values.update(stage="overdue", last_step_at=row["missed_at"], next_step_at=None)
        elif row["next_at"] is not None:
            values.update(
                generation=0,
                next_step_at=row["next_at"],
                last_step_at=row["next_at"] - timedelta(microseconds=1),
                stage="pending" if row["next_step"] == "opens" else "reminded",
            )
        bind.execute(o.update().where(o.c.id == row["id"]).values(**values))
        if row["meeting_chair"] and row["meeting_chair"] != row["convener"]:
            copy = {c.name: row[c.name] for c in o.columns if c.name != "id"}
            bind.execute(
                o.insert().values(
                    {
                        **copy,
                        **values,
                        "recipient": "meeting_chair",
                        "owner_role": "meeting_chair",
                        "owner": row["meeting_chair"],
                    }
                )
            )


def downgrade() -> None:
    with op.batch_alter_table("meeting_action") as batch:
        batch.add_column(sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reminder_status", sa.String(length=20), nullable=False, server_default="pending"))
        batch.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reminder_key", sa.String(length=200), nullable=True))
        batch.create_index("ix_meeting_action_remind", ["reminder_status", "remind_at"], unique=False)
    with op.batch_alter_table("institution_letter") as batch:
        batch.add_column(sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_institution_letter_status_remind", ["status", "remind_at"], unique=False)
    op.execute(
        "UPDATE institution_letter SET remind_at = (SELECT MIN(o.next_step_at) FROM obligation o WHERE "
        "o.kind IN ('letter_details', 'letter_sent') AND o.status = 'open' "
        "AND o.subject_id = institution_letter.id)"
    )
    with op.batch_alter_table("deregistration") as batch:
        batch.add_column(sa.Column("next_step", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("next_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("missed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_deregistration_status_next", ["status", "next_at"], unique=False)
        batch.create_index("ix_deregistration_status_missed", ["status", "missed_at"], unique=False)
    op.execute(
        "UPDATE deregistration SET missed_at = (SELECT MIN(o.last_step_at) FROM obligation o WHERE "
        "o.kind = 'post_dereg_meeting' AND o.status = 'open' AND o.stage = 'overdue' "
        "AND o.subject_id = deregistration.id)"
    )
    op.execute(
        "UPDATE deregistration SET next_at = (SELECT MIN(o.next_step_at) FROM obligation o WHERE "
        "o.kind = 'post_dereg_meeting' AND o.status = 'open' AND o.subject_id = deregistration.id), "
        "next_step = 'last_day' WHERE status = 'tracking' AND missed_at IS NULL"
    )
    # The ledger's first reminder time is the old one; reminded rows stay reminded.
    op.execute(
        "UPDATE meeting_action SET remind_at = (SELECT o.remind_at FROM obligation o WHERE o.kind = 'action' "
        "AND o.subject_id = meeting_action.id ORDER BY o.id DESC LIMIT 1)"
    )
    op.execute(
        "UPDATE meeting_action SET reminder_status = 'sent' WHERE id IN (SELECT o.subject_id FROM obligation o "
        "WHERE o.kind = 'action' AND o.last_step_at IS NOT NULL)"
    )
