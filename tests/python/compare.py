"""Checks generated Python packages against SQLAlchemy's and Alembic's own tools.

Run by tests/python_models.rs: ``python compare.py JOB.json``. JOB is a JSON list
of cases, each ``{"root": <distribution root>, "package": <import name>,
"migrated": <URL of a database nzc's migrations built>, "empty": <URL of an
empty database>}``. For each case:

1. the package is imported (with warnings as errors) and its mappers are
   configured (every ``relationship()`` resolves);
2. Alembic's autogenerate comparator, with ``compare_type`` and
   ``compare_server_default``, must find no difference between
   ``Base.metadata`` and the migrated database;
3. ``Base.metadata.create_all()`` builds the empty database (the Rust test then
   compares it with the migrated one through nzc's introspection).

Every failure is printed; the exit status is 1 if any case failed.
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
import warnings
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.orm import configure_mappers


def check(case: dict[str, str]) -> list[str]:
    sys.path.insert(0, case["root"])
    package = importlib.import_module(case["package"])
    configure_mappers()
    metadata = package.Base.metadata
    problems: list[str] = []

    engine = create_engine(case["migrated"])
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            diffs: list[Any] = compare_metadata(context, metadata)
            problems.extend(f"alembic: {d!r}" for d in diffs)
    finally:
        engine.dispose()

    engine = create_engine(case["empty"])
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    return problems


def main() -> int:
    warnings.simplefilter("error")
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    failed = 0
    for case in cases:
        try:
            problems = check(case)
        except Exception:
            problems = [traceback.format_exc()]
        if problems:
            failed += 1
            print(f"--- {case['package']} ({case['root']})")
            for p in problems:
                print(p)
        else:
            print(f"ok {case['package']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
