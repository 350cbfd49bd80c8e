#!/usr/bin/python3
"""Each docs/schema/*.schema.json is a valid draft 2020-12 schema (python3-jsonschema's metaschema
check), self-contained (every $ref points inside the file), and its $id names the file and the
protocol version. Runs without root; daemon_schema then validates real responses against them."""
import glob
import json
import os
import sys

import jsonschema

bad = 0
files = sorted(glob.glob(os.path.join(sys.argv[1], "*.schema.json")))
if not files:
    sys.exit(f"no *.schema.json in {sys.argv[1]}")


def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


for path in files:
    name = os.path.basename(path)[: -len(".schema.json")]
    with open(path) as f:
        schema = json.load(f)
    problems = []
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        problems.append(f"not a valid draft 2020-12 schema: {e.message}")
    if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
        problems.append("$schema is not draft 2020-12")
    version = schema.get("properties", {}).get("v", {}).get("const")  # api_schema checks it against api/
    if schema.get("$id") != f"urn:linkcrypt:control:v{version}:{name}":
        problems.append(f"$id {schema.get('$id')!r}, want urn:linkcrypt:control:v{version}:{name}")
    for r in refs(schema):
        target = schema
        for part in r.lstrip("#/").split("/") if r.startswith("#/") else [None]:
            target = target.get(part) if isinstance(target, dict) and part is not None else None
        if target is None:
            problems.append(f"$ref {r} does not resolve inside the file")
    for p in problems:
        print(f"{name}.schema.json: {p}")
    bad += bool(problems)
    print(f"{name}.schema.json: {'BAD' if problems else 'ok'}")
sys.exit(1 if bad else 0)
