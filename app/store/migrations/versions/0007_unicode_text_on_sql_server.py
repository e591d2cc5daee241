"""Korean text kept on SQL Server: the first schema's text columns become NVARCHAR there.

SQL Server stores VARCHAR in the database's code page, so a Korean user name (KSM\\김철수), a
folder named 공장 or an operation named 열처리 in a saved routing would come back as '?' on a
server whose collation is not Korean. PostgreSQL and SQLite keep Unicode in any text column:
there this migration changes nothing (their types already compare equal to the new metadata).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# table -> [(column, new type, nullable)]; the other columns hold codes and figures the program writes
COLUMNS = {
    "import_run": [("source", sa.UnicodeText, False), ("user_name", sa.Unicode(200), True),
                   ("counts", sa.UnicodeText, True), ("warnings", sa.UnicodeText, True)],
    "model_version": [("created_by", sa.Unicode(200), True), ("path", sa.UnicodeText, False),
                      ("params", sa.UnicodeText, True), ("metrics", sa.UnicodeText, True),
                      ("summary", sa.UnicodeText, True)],
    "saved_routing": [("ITEM_CD", sa.Unicode(100), False), ("ROUT_NO", sa.Unicode(40), False),
                      ("operations", sa.UnicodeText, False), ("note", sa.UnicodeText, True),
                      ("created_by", sa.Unicode(200), True), ("updated_by", sa.Unicode(200), True)],
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "mssql":
        return
    # SQL Server refuses to change the type of an indexed column: the index goes and comes back.
    op.drop_index("ix_saved_routing_ITEM_CD", table_name="saved_routing")
    for table, columns in COLUMNS.items():
        for name, type_, nullable in columns:
            op.alter_column(table, name, type_=type_, existing_nullable=nullable, nullable=nullable)
    op.create_index("ix_saved_routing_ITEM_CD", "saved_routing", ["ITEM_CD"])


def downgrade() -> None:
    raise NotImplementedError("a store is never downgraded")
