"""A Python service's side of the payload contract tests: the Java tests start this script as a process.

It is a Python producer of `article_published` (its pydantic model is the helper's test model), checks the model
and its payloads with pgqj_contract (installed from python/pgqj-contract) against the schemas the Java side
exported, and enqueues with pgqueuer. One JSON object per line on stdout.

  make   --dir DIR --count N          model instances -> check -> enqueue; prints each job's canonical values
  read   --dir DIR --file F           Java-encoded payloads (one per line) -> check -> parse; prints canonical values
  drift  --dir DIR [--no-check]       a producer that renamed article_id and sends a string for it
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import asyncpg

from pgqueuer.db import AsyncpgDriver
from pgqueuer.queries import Queries
from pgqj_contract import ContractError, Contracts

# the helper's test model (python/pgqj-contract/tests, on PYTHONPATH): one Python twin of ContractRecords.java
from article_model import ArticlePublished, Audience, Author, Section

ENTRYPOINT = "article_published"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def emit(event: str, **fields: object) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def micros(t: datetime) -> int:
    return (t - EPOCH) // timedelta(microseconds=1)


def decimal_text(d: Decimal) -> str:
    """The value without trailing zeros, as Java's BigDecimal.stripTrailingZeros().toPlainString() writes it."""
    text = format(d, "f")  # not normalize(): it rounds to the context's 28 digits
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def section(s: Section) -> dict:
    return {"heading": s.heading, "children": [section(c) for c in s.children]}


def canonical(a: ArticlePublished) -> dict:
    """What both languages compare: times as epoch microseconds (an offset is not kept by Java), decimals unscaled."""
    return {
        "article_id": a.article_id, "request_id": str(a.request_id), "published_at_us": micros(a.published_at),
        "embargo_until_us": micros(a.embargo_until), "issue_date": a.issue_date.isoformat(),
        "price": decimal_text(a.price), "audience": a.audience.value, "note": a.note, "word_count": a.word_count,
        "author": {"name": a.author.name, "email": a.author.email}, "tags": a.tags, "counters": a.counters,
        "outline": section(a.outline), "featured": a.featured, "score": a.score,
    }


def sample(i: int) -> ArticlePublished:
    offsets = [timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-3))]
    prices = [Decimal("12.50"), Decimal("-0.001"), Decimal("12345678901234567890.123456789"), Decimal("0"), Decimal("100")]
    return ArticlePublished(
        article_id=[42, 9_007_199_254_740_993, -1, 2**63 - 1][i % 4],
        request_id=UUID(int=(0x6F1C5C1E8A534A9B9D7E2F0C7A1B3C4D + i)),
        published_at=datetime(2026, 11, 25, 6, 0, 0, 123456 * (i % 2), tzinfo=timezone.utc) + timedelta(days=i),
        embargo_until=datetime(2026, 12, 1, 8, 30, tzinfo=offsets[i % 3]),
        issue_date=date(2026, 2, 28) + timedelta(days=i),
        price=prices[i % len(prices)],
        audience=list(Audience)[i % 2],
        note=None if i % 2 else f"note {i}: blåbær \"quoted\"",
        word_count=None if i % 3 == 0 else 1200 + i,
        author=Author(name=f"Author {i}", email=None if i % 2 else f"a{i}@example.com"),
        tags=[f"t{j}" for j in range(i % 3)],
        counters={"views": 10 * i, "shares": i},
        outline=Section(heading="root", children=[Section(heading=f"s{j}") for j in range(i % 2 + 1)]),
        featured=i % 2 == 0,
        score=[0.1, 1e-7, 2.5, 1e21][i % 4],
    )


async def enqueue(payloads: list[bytes]) -> list[int]:
    connection = await asyncpg.connect(os.environ["PGDSN"])
    try:
        return await Queries(AsyncpgDriver(connection)).enqueue([ENTRYPOINT] * len(payloads), payloads,
                                                                [0] * len(payloads))
    finally:
        await connection.close()


def make(args: argparse.Namespace, contracts: Contracts) -> None:
    contracts.check_model(ENTRYPOINT, ArticlePublished)  # the model itself, before any data
    models = [sample(i) for i in range(args.count)]
    payloads = []
    for model in models:
        contracts.validate(ENTRYPOINT, model)
        payloads.append(model.model_dump_json(by_alias=True).encode())
    ids = asyncio.run(enqueue(payloads))
    for job_id, model, payload in zip(ids, models, payloads):
        emit("enqueued", id=job_id, canonical=canonical(model), payload=payload.decode())


def read(args: argparse.Namespace, contracts: Contracts) -> None:
    with open(args.file, encoding="utf-8") as f:
        for line in f:
            violations = contracts.violations(ENTRYPOINT, line.encode())
            model = ArticlePublished.model_validate_json(line)
            emit("read", violations=[str(v) for v in violations], canonical=canonical(model))


def drift(args: argparse.Namespace, contracts: Contracts) -> None:
    good = json.loads(sample(0).model_dump_json())
    renamed = {("articleId" if k == "article_id" else k): v for k, v in good.items()}
    wrong_kind = {**good, "article_id": "42a"}
    payloads = [json.dumps(renamed).encode(), json.dumps(wrong_kind).encode()]
    if args.check:
        refused = 0
        for payload in payloads:
            try:
                contracts.validate(ENTRYPOINT, payload)
            except ContractError as e:
                refused += 1
                emit("refused", violations=[str(v) for v in e.violations], message=str(e))
        if refused:
            sys.exit(2)  # a producer's CI step (or its enqueue) stops here: nothing was enqueued
    for job_id in asyncio.run(enqueue(payloads)):
        emit("enqueued", id=job_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, run in (("make", make), ("read", read), ("drift", drift)):
        p = sub.add_parser(name)
        p.add_argument("--dir", required=True)
        p.set_defaults(run=run)
        if name == "make":
            p.add_argument("--count", type=int, default=8)
        if name == "read":
            p.add_argument("--file", required=True)
        if name == "drift":
            p.add_argument("--no-check", dest="check", action="store_false")
    args = parser.parse_args()
    args.run(args, Contracts.load(args.dir))


if __name__ == "__main__":
    main()
