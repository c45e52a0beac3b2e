"""The Python worker of the testing guide's contract test: runs the send_receipt jobs Java enqueued, in drain
mode (it exits once the queue is empty), printing one line per receipt. PGDSN names the database."""

import asyncio
import json
import os

import asyncpg
from pgqueuer.db import AsyncpgDriver
from pgqueuer.models import Job
from pgqueuer.qm import QueueManager
from pgqueuer.queries import Queries
from pgqueuer.types import QueueExecutionMode


async def main() -> None:
    connection = await asyncpg.connect(os.environ["PGDSN"])
    qm = QueueManager(Queries(AsyncpgDriver(connection)))

    @qm.entrypoint("send_receipt")
    async def send_receipt(job: Job) -> None:
        receipt = json.loads(job.payload)  # the JSON Java's record encoded
        print(f"receipt for order {receipt['orderId']} to {receipt['email']}", flush=True)

    await qm.run(mode=QueueExecutionMode.drain)
    await connection.close()


if __name__ == "__main__":
    asyncio.run(main())
