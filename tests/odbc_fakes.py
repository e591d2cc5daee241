"""A stand-in for pyodbc talking to SQL Server, for tests that run without unixodbc or a server."""
from __future__ import annotations

import types
from typing import Any


class FakeOdbcError(Exception):
    """pyodbc.Error's shape: (SQLSTATE, message)."""


# The DB-API exception classes SQLAlchemy looks up on the module to wrap an error.
DBAPI_ERRORS = {name: type(name, (FakeOdbcError,), {}) for name in (
    "Warning", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
    "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError")}


LOGIN_FAILED = FakeOdbcError("28000", "[Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Login "
                             "failed for user 'kim'. (18456) (SQLDriverConnect)")


class FakePyodbc(types.ModuleType):
    """pyodbc as SQLAlchemy sees it, with SQL Server drivers installed and a server that answers
    every login with `answer` (an error); records the connection strings it was given."""

    Error = FakeOdbcError
    Cursor = type("Cursor", (), {"nextset": None})
    paramstyle = "qmark"
    version = "5.2.0"

    def __init__(self, drivers: list[str], answer: FakeOdbcError = LOGIN_FAILED):
        super().__init__("pyodbc")
        self.__dict__.update(DBAPI_ERRORS)
        self._drivers, self.answer = drivers, answer
        self.connection_strings: list[str] = []

    def drivers(self) -> list[str]:
        return list(self._drivers)

    def connect(self, connection_string: str, **_: Any) -> Any:
        self.connection_strings.append(connection_string)
        raise self.answer
