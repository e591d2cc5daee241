"""Alembic environment of the program's store: always run from app.store.migrate with an open
connection (never from the `alembic` command line, which would need an ini file and a URL)."""
from alembic import context

if context.is_offline_mode():   # the SQL script of a new store (migrate.offline_sql)
    context.configure(dialect_name=context.config.attributes["dialect_name"], literal_binds=True,
                      dialect_opts=context.config.attributes.get("dialect_opts", {}),
                      output_buffer=context.config.attributes["output"], target_metadata=None,
                      transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():  # a no-op inside the caller's transaction: all or nothing
        context.run_migrations()
