from typing import Any

from alembic import context
from sqlalchemy import event, text

from storage.db import make_engine
from storage.models import Base

config = context.config


def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    # SQLite alters a table by copying it and dropping the old one; with foreign keys on, the
    # drop cascades to every row that points at it (a workshop's invitations, say). Off while
    # migrating, as Alembic's batch mode documents; the check below catches what that allows.
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is set by storage.migrate"
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        event.listen(engine, "connect", _foreign_keys_off)  # after make_engine's own pragmas
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.execute(text("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")
    engine.dispose()


run_migrations()
