#!/usr/bin/env python3
"""Copies each tagged region of the examples' sources into README.md's ```java block below its
<!-- snippet: PATH#TAG --> marker. ReadmeSnippetsTest fails when the two drift; run this to re-sync.
The block's leading import lines are kept as they are: ReadmeSnippetsTest checks them against what the
snippet uses, and names the ones to add for a new snippet."""
import re, sys, pathlib, textwrap

root = pathlib.Path(__file__).resolve().parent
readme = root.parent / "README.md" if len(sys.argv) < 2 else pathlib.Path(sys.argv[1])
lines = readme.read_text().split("\n")
out, i = [], 0
while i < len(lines):
    out.append(lines[i])
    m = re.fullmatch(r"<!-- snippet: (\S+)#(\S+) -->", lines[i].strip())
    if m and i + 1 < len(lines) and lines[i + 1].strip() == "```java":
        src = (root / m.group(1)).read_text().split("\n")
        start = next(k for k, l in enumerate(src) if l.strip() == f"// tag::{m.group(2)}[]") + 1
        end = next(k for k, l in enumerate(src) if k >= start and l.strip() == f"// end::{m.group(2)}[]")
        body = textwrap.dedent("\n".join(src[start:end]))
        out.append("```java")
        j = i + 2
        imports = []
        while lines[j].startswith("import ") or (imports and not lines[j].strip() and lines[j + 1].startswith("import ")):
            imports.append(lines[j])
            j += 1
        if imports:
            out.extend(imports)
            out.append("")
        out.extend(l.rstrip() for l in body.split("\n"))
        while lines[j].strip() != "```":
            j += 1
        out.append("```")
        i = j + 1
        continue
    i += 1
readme.write_text("\n".join(out))
