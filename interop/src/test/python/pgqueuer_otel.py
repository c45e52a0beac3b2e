"""The Python half of CrossLanguageTracingTest: pgqueuer with its OpenTelemetryTracing and an in-memory exporter.

    python pgqueuer_otel.py produce DSN ENTRYPOINT   enqueue one job inside a span "python request";
                                                   prints {"job_id", "trace_id", "send_span_id"}
    python pgqueuer_otel.py consume DSN ENTRYPOINT   drain ENTRYPOINT with a QueueManager;
                                                   prints [{"job_id", "trace_id", "parent_span_id", "kind"}]
"""
import asyncio
import json
import sys
from datetime import timedelta

import asyncpg
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pgqueuer.adapters.tracing.opentelemetry import OpenTelemetryTracing
from pgqueuer.db import AsyncpgDriver
from pgqueuer.ports.tracing import set_tracing_class
from pgqueuer.qm import QueueManager
from pgqueuer.queries import Queries
from pgqueuer.types import QueueExecutionMode


def hex_id(value: int, width: int) -> str:
    return format(value, f"0{width}x")


async def main(mode: str, dsn: str, entrypoint: str) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    set_tracing_class(OpenTelemetryTracing())
    conn = await asyncpg.connect(dsn)
    try:
        if mode == "produce":
            with trace.get_tracer("interop").start_as_current_span("python request"):
                ids = await Queries(AsyncpgDriver(conn)).enqueue(entrypoint, b"{}", 0)
            send = next(s for s in exporter.get_finished_spans() if s.name == f"send {entrypoint}")
            print(json.dumps({"job_id": ids[0], "trace_id": hex_id(send.context.trace_id, 32),
                              "send_span_id": hex_id(send.context.span_id, 16)}))
        elif mode == "consume":
            qm = QueueManager(Queries(AsyncpgDriver(conn)))

            @qm.entrypoint(entrypoint)
            async def handle(job) -> None:
                pass

            await qm.run(dequeue_timeout=timedelta(seconds=1), mode=QueueExecutionMode.drain)
            print(json.dumps([
                {"job_id": int(s.attributes["messaging.message.id"]), "trace_id": hex_id(s.context.trace_id, 32),
                 "parent_span_id": hex_id(s.parent.span_id, 16) if s.parent else None, "kind": s.kind.name}
                for s in exporter.get_finished_spans() if s.name == f"process {entrypoint}"
            ]))
        else:
            raise SystemExit(f"unknown mode {mode!r}: produce or consume")
    finally:
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
