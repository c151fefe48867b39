#!/usr/bin/env python3
"""Writes vN.db for every schema version N before the current one: a database as version N
of investflow created it (the migrations' own SQL from storage/schema.cpp, run up to N),
holding the rows of a seeded database that fit version N's tables and columns.

    investflow seed modern.db --projects 4 --seed 20 --now 2026-03-02 --workflow qingyuan-investment \
        --problems 3   # from v20 on; the fixtures before hold no problems
    python3 tests/data/schema/make_fixtures.py storage/schema.cpp modern.db tests/data/schema

Committed fixtures stand for databases in the field: only versions without a file are
written (after a new migration, the version before it); existing ones are left alone.
tests/storage/older_schema_test.cpp opens, migrates and verifies each.
"""
import os
import re
import sqlite3
import sys

APPLICATION_ID = 0x494E5646


def migrations(schema_cpp):
    text = open(schema_cpp, encoding="utf-8").read()
    named = dict(re.findall(r'constexpr std::string_view (\w+) = R"sql\((.*?)\)sql";', text, re.S))
    body = text[text.index("kMigrations = {"):]
    body = body[:body.index("\n};")]
    steps = []
    for match in re.finditer(r'R"sql\((.*?)\)sql"|^\s*(k\w+),', body, re.S | re.M):
        steps.append(match.group(1) if match.group(1) is not None else named[match.group(2)])
    return steps


def fitting_copy(db, modern):
    db.execute("ATTACH DATABASE ? AS modern", (modern,))
    tables = [row[0] for row in db.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
        "AND name NOT LIKE 'projects_fts%' AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        theirs = {row[1] for row in db.execute(f'PRAGMA modern.table_info("{table}")')}
        ours = [row[1] for row in db.execute(f'PRAGMA main.table_info("{table}")')]
        columns = ", ".join(f'"{c}"' for c in ours if c in theirs)
        # Only the workflow versions the projects are on: the fixtures stay small.
        where = (" WHERE (id, version) IN (SELECT workflow, workflow_version FROM modern.projects)"
                 if table == "workflows" else "")
        if columns:
            db.execute(f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM modern."{table}"{where}')
    db.commit()
    db.execute("DETACH DATABASE modern")


def main(schema_cpp, modern, out_dir):
    steps = migrations(schema_cpp)
    for version in range(1, len(steps)):
        path = os.path.join(out_dir, f"v{version}.db")
        if os.path.exists(path):
            continue  # a committed fixture is never remade
        db = sqlite3.connect(path)
        db.execute("PRAGMA page_size = 1024")
        for step in steps[:version]:
            db.executescript(step)
        db.execute(f"PRAGMA user_version = {version}")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.commit()
        fitting_copy(db, modern)
        db.execute("VACUUM")
        db.close()
        print(path, os.path.getsize(path))


if __name__ == "__main__":
    main(*sys.argv[1:4])
