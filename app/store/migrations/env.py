"""Alembic environment of the program's store: always run from app.store.migrate with an open
connection (never from the `alembic` command line, which would need an ini file and a URL)."""
from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():  # a no-op inside the caller's transaction: all or nothing
    context.run_migrations()
