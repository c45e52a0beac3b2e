"""The Python service of the testing guide's contract test: enqueues one ship_order job with pgqueuer, as that
service does in production, and exits. Usage: guide_producer.py ORDER_ID (PGDSN names the database)."""

import asyncio
import json
import os
import sys

import asyncpg
from pgqueuer.db import AsyncpgDriver
from pgqueuer.queries import Queries


async def main(order_id: int) -> None:
    connection = await asyncpg.connect(os.environ["PGDSN"])
    try:
        payload = json.dumps({"orderId": order_id, "carrier": "dhl"}).encode()
        ids = await Queries(AsyncpgDriver(connection)).enqueue("ship_order", payload)
        print(json.dumps({"enqueued": ids}), flush=True)
    finally:
        await connection.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
