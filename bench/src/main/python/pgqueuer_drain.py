"""pgqueuer's own worker draining a pre-filled queue: the Python side of pgqj-bench's drain figures.

Creates a scratch database on the server of --dsn, installs pgqueuer there, enqueues --jobs no-op jobs spread
evenly over --entrypoints entrypoints (1,000 per statement), runs VACUUM ANALYZE, then runs ONE QueueManager in
drain mode with every entrypoint registered (async no-op handlers) and times it until it returns. Prints one
JSON line: jobs/s, WAL bytes per job (pg_current_wal_lsn: run it on a server nothing else writes to), where
pg_stat_statements is preloaded the statements per job, and when the server runs on this machine the CPU time of
all its processes per job (as pgqj-bench reports it). Drops the database afterwards.

With --delayed-backlog N, N jobs of the same entrypoints due in a day are enqueued first (ahead in claim order at
the same priority), and the QueueManager runs in continuous mode until its handlers have run --jobs jobs: its drain
mode waits for every queued row, the delayed ones too.

    python pgqueuer_drain.py --dsn postgresql://postgres@127.0.0.1:5432/postgres --jobs 100000 --entrypoints 100

Needs pgqueuer and asyncpg (the versions interop/pom.xml pins).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import time
import urllib.parse
from datetime import timedelta

import asyncpg
import pgqueuer
from pgqueuer.db import AsyncpgDriver
from pgqueuer.models import Job
from pgqueuer.qm import QueueManager
from pgqueuer.queries import Queries
from pgqueuer.types import QueueExecutionMode


def with_database(dsn: str, database: str) -> str:
    parts = urllib.parse.urlsplit(dsn)
    return urllib.parse.urlunsplit(parts._replace(path="/" + database))


async def statements(conn: asyncpg.Connection) -> tuple[int, float]:
    try:
        row = await conn.fetchrow(
            "SELECT coalesce(sum(calls), 0)::bigint AS calls, coalesce(sum(total_exec_time), 0) AS ms"
            " FROM pg_stat_statements WHERE toplevel"
            " AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")
        return row["calls"], row["ms"]
    except asyncpg.PostgresError:
        return -1, 0.0


def stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
        return text[text.rindex(")") + 2:].split()
    except OSError:
        return None


def server_cpu_ticks(postmaster: int) -> int | None:
    """CPU ticks of the postmaster, its live children and (cutime, cstime) its exited ones; None if not local."""
    pm = stat(postmaster)
    if pm is None:
        return None
    ticks = sum(int(x) for x in pm[11:15])
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            s = stat(int(entry))
            if s is not None and int(s[1]) == postmaster:
                ticks += int(s[11]) + int(s[12])
    return ticks


async def run(args: argparse.Namespace) -> dict[str, object]:
    database = "pgq_drain_" + secrets.token_hex(4)
    admin = await asyncpg.connect(args.dsn)
    await admin.execute(f'CREATE DATABASE "{database}"')
    try:
        dsn = with_database(args.dsn, database)
        conn = await asyncpg.connect(dsn)
        queries = Queries(AsyncpgDriver(conn))
        await queries.install()
        names = ["bench"] if args.entrypoints == 1 else [f"bench_{i}" for i in range(args.entrypoints)]
        payload = b'{"n":1}'
        for first in range(0, args.delayed_backlog, 1000):
            count = min(1000, args.delayed_backlog - first)
            await queries.enqueue([names[(first + i) % len(names)] for i in range(count)], [payload] * count,
                                  [0] * count, [timedelta(days=1)] * count)
        fill_start = time.perf_counter()
        for first in range(0, args.jobs, 1000):
            count = min(1000, args.jobs - first)
            await queries.enqueue([names[(first + i) % len(names)] for i in range(count)], [payload] * count,
                                  [0] * count)
        fill_seconds = time.perf_counter() - fill_start
        await conn.execute("VACUUM ANALYZE pgqueuer")
        stats = await asyncpg.connect(dsn)
        try:
            await stats.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        except asyncpg.PostgresError:
            pass
        backend = stat(await stats.fetchval("SELECT pg_backend_pid()"))
        postmaster = int(backend[1]) if backend is not None else 0
        cpu_before = server_cpu_ticks(postmaster) if postmaster else None
        lsn_before = await stats.fetchval("SELECT pg_current_wal_lsn()")
        calls_before, ms_before = await statements(stats)

        qm = QueueManager(Queries(AsyncpgDriver(await asyncpg.connect(dsn))))
        handled = 0

        def register(name: str) -> None:
            @qm.entrypoint(name)
            async def handler(job: Job) -> None:
                nonlocal handled
                handled += 1
                if args.delayed_backlog and handled == args.jobs:
                    qm.shutdown.set()

        for name in names:
            register(name)
        start = time.perf_counter()
        own_cpu = time.process_time()
        await qm.run(dequeue_timeout=timedelta(seconds=1), batch_size=args.batch_size, mode=QueueExecutionMode.continuous if args.delayed_backlog else QueueExecutionMode.drain)
        seconds = time.perf_counter() - start
        own_cpu = time.process_time() - own_cpu

        wal = await stats.fetchval("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint", lsn_before)
        cpu_after = server_cpu_ticks(postmaster) if cpu_before is not None else None
        calls_after, ms_after = await statements(stats)
        left = await stats.fetchval("SELECT count(*) FROM pgqueuer")
        await stats.close()
        await conn.close()
        result: dict[str, object] = {
            "pgqueuer": pgqueuer.__version__ if hasattr(pgqueuer, "__version__") else "?",
            "jobs": args.jobs, "entrypoints": args.entrypoints, "batch_size": args.batch_size,
            "delayed_backlog": args.delayed_backlog,
            "seconds": round(seconds, 3), "jobs_per_s": round(args.jobs / seconds), "handled": handled,
            "remaining_rows": left, "prefill_jobs_per_s": round(args.jobs / fill_seconds),
            "wal_bytes_per_job": round(wal / args.jobs),
            "python_cpu_us_per_job": round(own_cpu * 1e6 / args.jobs, 1),
        }
        if cpu_before is not None and cpu_after is not None:
            result["server_cpu_us_per_job"] = round((cpu_after - cpu_before) / os.sysconf("SC_CLK_TCK") * 1e6 / args.jobs, 1)
        if calls_before >= 0:
            result["statements_per_job"] = round((calls_after - calls_before) / args.jobs, 4)
            result["statement_us_per_job"] = round((ms_after - ms_before) * 1000 / args.jobs, 1)
        return result
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dsn", required=True, help="a database on the server (the scratch database goes beside it)")
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--entrypoints", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--delayed-backlog", type=int, default=0,
                        help="jobs due in a day, enqueued first (ahead of the run's jobs in claim order)")
    print(json.dumps(asyncio.run(run(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
