"""python -m pgqj_contract validate|check-model: the contract checks from a shell or a CI step (exit 1 on a violation)."""

from __future__ import annotations

import argparse
import importlib
import sys

from . import ContractError, Contracts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pgqj-contract", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="validate payloads of one entrypoint")
    v.add_argument("--dir", required=True, help="the directory of *.schema.json files")
    v.add_argument("--jsonl", action="store_true", help="one payload per line")
    v.add_argument("entrypoint")
    v.add_argument("file", nargs="?", default="-", help="the payload (JSON); - for stdin (default)")
    m = sub.add_parser("check-model", help="check a pydantic model class against an entrypoint's contract")
    m.add_argument("--dir", required=True)
    m.add_argument("--strict", action="store_true", help="a model field the contract does not know fails too")
    m.add_argument("entrypoint")
    m.add_argument("model", help="module:Class")
    args = parser.parse_args(argv)
    contracts = Contracts.load(args.dir)
    try:
        if args.command == "validate":
            text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()
            payloads = [line for line in text.splitlines() if line.strip()] if args.jsonl else [text]
            failed = 0
            for i, payload in enumerate(payloads):
                for violation in contracts.violations(args.entrypoint, payload):
                    failed += 1
                    print(f"{args.entrypoint}" + (f" line {i + 1}" if args.jsonl else "") + f": {violation}")
            if failed:
                return 1
            print(f"{len(payloads)} payload(s) of {args.entrypoint} match the contract")
        else:
            module, _, name = args.model.partition(":")
            model = getattr(importlib.import_module(module), name)
            contracts.check_model(args.entrypoint, model, strict=args.strict)
            print(f"{args.model} matches the contract of {args.entrypoint}")
    except (ContractError, KeyError) as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
