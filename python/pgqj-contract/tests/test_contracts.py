"""pgqj_contract against the schema the Java side exports for interop's ContractRecords.ArticlePublished.

tests/schemas is that export, committed; the interop suite fails when it is no longer what Java exports.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from pathlib import Path
from uuid import UUID

import pytest
from pydantic import Field

from article_model import ArticlePublished, Audience, Author, Section
from pgqj_contract import ContractError, Contracts, Violation
from pgqj_contract.__main__ import main

SCHEMAS = Path(__file__).parent / "schemas"
EP = "article_published"


@pytest.fixture(scope="module")
def contracts() -> Contracts:
    return Contracts.load(SCHEMAS)


def valid() -> dict:
    return {
        "article_id": 42, "request_id": "6f1c5c1e-8a53-4a9b-9d7e-2f0c7a1b3c4d",
        "published_at": "2026-11-25T06:00:00.123456Z", "embargo_until": "2026-12-01T08:30:00+05:30",
        "issue_date": "2026-02-28", "price": "12.50", "audience": "PUBLIC", "note": None,
        "author": {"name": "Ada"}, "tags": ["a"], "counters": {"views": 1},
        "outline": {"heading": "root", "children": [{"heading": "s0", "children": []}]},
        "featured": True, "score": 0.5,
    }


def model() -> ArticlePublished:
    return ArticlePublished(
        article_id=42, request_id=UUID(int=7), published_at=datetime(2026, 11, 25, 6, tzinfo=timezone.utc),
        embargo_until=datetime(2026, 12, 1, tzinfo=timezone.utc), issue_date=date(2026, 2, 28), price=Decimal("1.10"),
        audience=Audience.SUBSCRIBERS, author=Author(name="Ada"), tags=[], counters={},
        outline=Section(heading="root"), featured=False, score=1.0)


def problems(contracts: Contracts, payload: object) -> list[str]:
    return [str(v) for v in contracts.violations(EP, payload)]


def test_loads_the_java_export(contracts: Contracts) -> None:
    assert contracts.entrypoints == [EP]
    assert contracts.covers(EP) and not contracts.covers("python_only")
    assert contracts.schema(EP)["x-pgqj-java-type"].endswith("ContractRecords$ArticlePublished")


@pytest.mark.parametrize("form", [
    lambda p: p, lambda p: json.dumps(p), lambda p: json.dumps(p).encode(), lambda p: bytearray(json.dumps(p).encode()),
])
def test_a_valid_payload_passes_in_every_form(contracts: Contracts, form) -> None:
    assert problems(contracts, form(valid())) == []


def test_a_pydantic_instance_is_checked_as_it_dumps(contracts: Contracts) -> None:
    assert problems(contracts, model()) == []
    contracts.validate(EP, model().model_dump_json().encode())


def test_a_rename_is_named_with_a_hint(contracts: Contracts) -> None:
    p = valid()
    p["articleId"] = p.pop("article_id")
    assert problems(contracts, p) == ["$.article_id: required, missing (the payload has 'articleId': renamed?)"]


def test_a_string_for_a_long(contracts: Contracts) -> None:
    assert problems(contracts, {**valid(), "article_id": "42a"}) == [
        '$.article_id: expected an integer, got the string "42a"']
    assert problems(contracts, {**valid(), "article_id": "42"}) != [], "Java reads no numbers from strings"


def test_integers_stay_in_the_java_range(contracts: Contracts) -> None:
    assert problems(contracts, {**valid(), "article_id": 2**63 - 1}) == []
    assert problems(contracts, {**valid(), "article_id": 2**63}) == [
        "$.article_id: expected an integer between -9223372036854775808 and 9223372036854775807, "
        "got the number 9223372036854775808"]
    assert problems(contracts, {**valid(), "article_id": 1.5}) == ["$.article_id: expected an integer, got the number 1.5"]
    assert problems(contracts, {**valid(), "article_id": 2.0}) == [], "an integral number is an integer"


def test_optional_fields_may_be_null_or_absent(contracts: Contracts) -> None:
    p = valid()
    del p["note"]
    assert problems(contracts, {**p, "word_count": None}) == []
    assert problems(contracts, {**p, "word_count": 12, "note": "n"}) == []
    assert problems(contracts, {**p, "word_count": "12"}) == ['$.word_count: expected an integer, got the string "12"']


def test_required_fields_may_not_be_null(contracts: Contracts) -> None:
    assert problems(contracts, {**valid(), "author": {"name": None}}) == ["$.author.name: expected a string, got null"]
    assert problems(contracts, {**valid(), "tags": None}) == ["$.tags: expected an array, got null"]


def test_date_times_need_an_offset(contracts: Contracts) -> None:
    assert problems(contracts, {**valid(), "published_at": "2026-11-25T06:00:00+00:00"}) == []
    assert problems(contracts, {**valid(), "published_at": "2026-11-25T06:00:00"}) == [
        '$.published_at: expected an ISO-8601 date-time with an offset (2026-01-31T12:00:00Z), '
        'got the string "2026-11-25T06:00:00"']
    assert problems(contracts, {**valid(), "published_at": "2026-11-25 06:00:00Z"}) != [], "Java needs the T"


def test_dates_uuids_and_enums(contracts: Contracts) -> None:
    assert problems(contracts, {**valid(), "issue_date": "2026-02-30"}) == [
        '$.issue_date: expected an ISO-8601 date (2026-01-31), got the string "2026-02-30"']
    assert problems(contracts, {**valid(), "request_id": "42"}) == [
        '$.request_id: expected a UUID string (8-4-4-4-12 hex digits), got the string "42"']
    assert problems(contracts, {**valid(), "audience": "public"}) == [
        '$.audience: expected one of "PUBLIC", "SUBSCRIBERS", got the string "public"']


def test_decimals_are_numbers_or_numeric_strings(contracts: Contracts) -> None:
    for price in (12.5, 12, "12.50", "-0.001", "1E+2", "12345678901234567890.123456789"):
        assert problems(contracts, {**valid(), "price": price}) == [], price
    assert problems(contracts, {**valid(), "price": "12,50"}) == [
        '$.price: expected a decimal number (a JSON number or a numeric string), got the string "12,50"']


def test_nested_and_recursive_paths(contracts: Contracts) -> None:
    p = valid()
    p["outline"]["children"][0]["children"] = [{"heading": 7, "children": []}]
    p["counters"]["shares"] = "many"
    assert problems(contracts, p) == [
        '$.counters.shares: expected an integer, got the string "many"',
        "$.outline.children[0].children[0].heading: expected a string, got the number 7"]


def test_keys_the_contract_does_not_name_are_allowed(contracts: Contracts) -> None:
    assert problems(contracts, {**valid(), "added_by_python": True}) == []


def test_validate_raises_naming_every_field(contracts: Contracts) -> None:
    p = valid()
    p["articleId"] = p.pop("article_id")
    with pytest.raises(ContractError) as raised:
        contracts.validate(EP, {**p, "featured": "yes"})
    e = raised.value
    assert e.entrypoint == EP
    assert e.violations == [
        Violation("$.featured", 'expected true or false, got the string "yes"'),
        Violation("$.article_id", "required, missing (the payload has 'articleId': renamed?)")]
    assert str(e).startswith("payload of entrypoint 'article_published' breaks its contract (")
    assert problems(contracts, b"{not json")[0].startswith("$: not JSON")


def test_validate_jobs_checks_a_batch_and_skips_python_only_entrypoints(contracts: Contracts) -> None:
    contracts.validate_jobs([EP, "python_only"], [json.dumps(valid()).encode(), b"anything"])
    with pytest.raises(ContractError):
        contracts.validate_jobs([EP], [b"{}"])
    with pytest.raises(KeyError, match="no contract for entrypoint 'nope'"):
        contracts.validate("nope", b"{}")


def test_the_matching_model_passes_check_model(contracts: Contracts) -> None:
    contracts.check_model(EP, ArticlePublished)
    contracts.check_model(EP, ArticlePublished, strict=True)


class Renamed(ArticlePublished):
    article_id: int = Field(alias="articleId")


class WrongKind(ArticlePublished):
    article_id: str


class MaybeAuthor(ArticlePublished):
    author: Author | None = None


class Tier(str, Enum):
    PUBLIC = "PUBLIC"
    PREMIUM = "PREMIUM"


class NewTier(ArticlePublished):
    audience: Tier


class WithExtra(ArticlePublished):
    source: str = "python"



def test_check_model_finds_drift_without_data(contracts: Contracts) -> None:
    assert [str(v) for v in contracts.model_violations(EP, Renamed)] == [
        "$.article_id: required by the contract, missing from the model (the model has 'articleId': renamed?)"]
    assert [str(v) for v in contracts.model_violations(EP, WrongKind)] == [
        "$.article_id: the model writes string, the contract expects integer"]
    assert [str(v) for v in contracts.model_violations(EP, MaybeAuthor)] == [
        "$.author: the model may write null (None); the contract requires a value"]
    assert [str(v) for v in contracts.model_violations(EP, NewTier)] == [
        "$.audience: the model may write 'PREMIUM', which the contract does not allow (one of 'PUBLIC', 'SUBSCRIBERS')"]
    assert contracts.model_violations(EP, WithExtra) == []
    assert [str(v) for v in contracts.model_violations(EP, WithExtra, strict=True)] == [
        "$.source: not in the contract (the Java side ignores it)"]
    with pytest.raises(ContractError, match=r"^model test_contracts.Renamed of entrypoint 'article_published'"):
        contracts.check_model(EP, Renamed)


def test_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(valid()))
    assert main(["validate", "--dir", str(SCHEMAS), EP, str(good)]) == 0
    lines = tmp_path / "payloads.jsonl"
    lines.write_text(json.dumps(valid()) + "\n" + json.dumps({**valid(), "score": "high"}) + "\n")
    assert main(["validate", "--dir", str(SCHEMAS), "--jsonl", EP, str(lines)]) == 1
    assert 'article_published line 2: $.score: expected a number, got the string "high"' in capsys.readouterr().out
    assert main(["check-model", "--dir", str(SCHEMAS), EP, "article_model:ArticlePublished"]) == 0
    assert main(["check-model", "--dir", str(SCHEMAS), EP, "test_contracts:WrongKind"]) == 1
