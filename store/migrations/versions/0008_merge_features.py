"""merge the feature branches (requests, receipts, deregistration, letters) into one head

Revision ID: 0008
Revises: 0003, 0005, 0006, 0007
"""

revision = "0008"
down_revision = ("0003", "0005", "0006", "0007")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the branches touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
