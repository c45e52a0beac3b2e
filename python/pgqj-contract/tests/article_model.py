"""The pydantic twin of the Java test record (interop's ContractRecords.ArticlePublished), written snake_case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from uuid import UUID

from pydantic import AwareDatetime, BaseModel


class Audience(str, Enum):
    PUBLIC = "PUBLIC"
    SUBSCRIBERS = "SUBSCRIBERS"


class Author(BaseModel):
    name: str
    email: str | None = None


class Section(BaseModel):
    heading: str
    children: list[Section] = []


class ArticlePublished(BaseModel):
    article_id: int
    request_id: UUID
    published_at: AwareDatetime
    embargo_until: AwareDatetime
    issue_date: date
    price: Decimal
    audience: Audience
    note: str | None = None
    word_count: int | None = None
    author: Author
    tags: list[str]
    counters: dict[str, int]
    outline: Section
    featured: bool
    score: float
