"""Python pgqueuer's side of the interop suite: the Java tests start this script as a process.

Every subcommand connects to the database named by PGDSN and writes one JSON object per line on stdout
(times are wall-clock microseconds since the epoch, comparable with the Java side on the same machine).

  enqueue   --jobs JSON [--on-conflict raise|skip|update_priority] [--one-by-one] [--gap-ms N]
  work      --config JSON      a QueueManager; per entrypoint: name, concurrency_limit, mode, sleep_ms, on_failure
  cancel    ID...              pgqueuer's canceller (mark_job_as_cancelled: log 'canceled' + NOTIFY)
  schedule  --expression E --entrypoint N --seconds S
  aggregate                    fold pgqueuer_log into pgqueuer_statistics (what a worker does every 30 s)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import signal
import sys
import time
from datetime import timedelta

import asyncpg
import psycopg

from pgqueuer import errors
from pgqueuer.db import AsyncpgDriver, PsycopgDriver
from pgqueuer.models import Context, Job, Schedule
from pgqueuer.qm import QueueManager
from pgqueuer.queries import Queries
from pgqueuer.sm import SchedulerManager


def now_us() -> int:
    return time.time_ns() // 1000


def emit(event: str, **fields: object) -> None:
    print(json.dumps({"event": event, "t": now_us(), **fields}), flush=True)


async def connect(driver: str):
    dsn = os.environ["PGDSN"]
    if driver == "psycopg":
        return PsycopgDriver(await psycopg.AsyncConnection.connect(dsn, autocommit=True))
    return AsyncpgDriver(await asyncpg.connect(dsn))


def job_fields(job: Job) -> dict[str, object]:
    return {
        "id": job.id,
        "entrypoint": job.entrypoint,
        "priority": job.priority,
        "attempts": job.attempts,
        "payload": None if job.payload is None else base64.b64encode(job.payload).decode(),
        "headers": job.headers,
        "execute_after_us": int(job.execute_after.timestamp() * 1_000_000),
        "queue_manager_id": str(job.queue_manager_id) if job.queue_manager_id else None,
        "slot": job.slot,
    }


async def enqueue(args: argparse.Namespace) -> None:
    jobs = json.loads(args.jobs)
    queries = Queries(await connect(args.driver))

    def column(key: str, default: object = None) -> list:
        return [job.get(key, default) for job in jobs]

    def payload(job: dict) -> bytes | None:
        if job.get("payload_b64") is not None:
            return base64.b64decode(job["payload_b64"])
        return None if job.get("payload") is None else job["payload"].encode()

    delays = [None if j.get("delay_ms") is None else timedelta(milliseconds=j["delay_ms"]) for j in jobs]
    try:
        if args.one_by_one:
            for i, job in enumerate(jobs):
                ids = await queries.enqueue(
                    [job["entrypoint"]], [payload(job)], [job.get("priority", 0)], [delays[i]],
                    [job.get("dedupe_key")], [job.get("headers")], on_conflict=args.on_conflict)
                emit("enqueued", index=i, id=ids[0])
                if args.gap_ms:
                    await asyncio.sleep(args.gap_ms / 1000)
        else:
            ids = await queries.enqueue(
                column("entrypoint"), [payload(j) for j in jobs], column("priority", 0), delays,
                column("dedupe_key"), column("headers"), on_conflict=args.on_conflict)
            for i, job_id in enumerate(ids):
                emit("enqueued", index=i, id=job_id)
    except errors.DuplicateJobError as e:
        emit("duplicate", dedupe_key=list(e.dedupe_key), error=type(e).__name__)


async def work(args: argparse.Namespace) -> None:
    config = json.loads(args.config)
    driver = await connect(args.driver)
    qm = QueueManager(Queries(driver))
    max_jobs = config.get("max_jobs", 0)
    done = 0

    def finished() -> None:
        nonlocal done
        done += 1
        if max_jobs and done >= max_jobs:
            qm.shutdown.set()

    def register(ep: dict) -> None:
        mode = ep.get("mode", "ok")
        sleep_s = ep.get("sleep_ms", 0) / 1000

        @qm.entrypoint(ep["name"], concurrency_limit=ep.get("concurrency_limit", 0),
                       on_failure=ep.get("on_failure", "delete"), accepts_context=True)
        async def handler(job: Job, ctx: Context) -> None:
            emit("start", **job_fields(job))
            try:
                if mode == "cancel":
                    deadline = time.monotonic() + ep.get("cancel_wait_s", 20)
                    while not ctx.cancellation.cancel_called and time.monotonic() < deadline:
                        await asyncio.sleep(0.002)
                    emit("cancelled" if ctx.cancellation.cancel_called else "not_cancelled", id=job.id)
                    return
                if sleep_s:
                    await asyncio.sleep(sleep_s)
                if mode == "fail":
                    raise RuntimeError(f"interop: job {job.id} fails on purpose")
                if mode == "retry" and job.attempts == 0:
                    raise errors.RetryRequested(timedelta(milliseconds=ep.get("retry_delay_ms", 0)), "interop: retry once")
            finally:
                emit("end", id=job.id)
                finished()

    for ep in config["entrypoints"]:
        register(ep)

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, qm.shutdown.set)
    emit("ready", queue_manager_id=str(qm.queue_manager_id))
    await qm.run(
        dequeue_timeout=timedelta(seconds=config.get("dequeue_timeout_s", 30)),
        batch_size=config.get("batch_size", 10),
        max_concurrent_tasks=config.get("max_concurrent_tasks"),
        log_aggregation_interval=timedelta(seconds=config.get("log_aggregation_interval_s", 0)),
    )
    emit("stopped", jobs=done)


async def cancel(args: argparse.Namespace) -> None:
    queries = Queries(await connect(args.driver))
    sending = now_us()
    await queries.mark_job_as_cancelled(args.ids)
    emit("cancel_sent", ids=args.ids, sending_t=sending)


async def schedule(args: argparse.Namespace) -> None:
    sm = SchedulerManager(Queries(await connect(args.driver)))

    @sm.schedule(args.entrypoint, args.expression)
    async def tick(row: Schedule) -> None:
        emit("tick", schedule_id=row.id, expression=row.expression)

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, sm.shutdown.set)
    loop.call_later(args.seconds, sm.shutdown.set)
    emit("ready")
    await sm.run()
    emit("stopped")


async def aggregate(args: argparse.Namespace) -> None:
    queries = Queries(await connect(args.driver))
    await queries.aggregate_logs()
    emit("aggregated")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--driver", choices=["asyncpg", "psycopg"], default="asyncpg")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("enqueue")
    p.add_argument("--jobs", required=True)
    p.add_argument("--on-conflict", default="raise", choices=["raise", "skip", "update_priority"])
    p.add_argument("--one-by-one", action="store_true")
    p.add_argument("--gap-ms", type=int, default=0)
    p.set_defaults(run=enqueue)
    p = sub.add_parser("work")
    p.add_argument("--config", required=True)
    p.set_defaults(run=work)
    p = sub.add_parser("cancel")
    p.add_argument("ids", type=int, nargs="+")
    p.set_defaults(run=cancel)
    p = sub.add_parser("schedule")
    p.add_argument("--expression", required=True)
    p.add_argument("--entrypoint", required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.set_defaults(run=schedule)
    p = sub.add_parser("aggregate")
    p.set_defaults(run=aggregate)
    args = parser.parse_args()
    asyncio.run(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
