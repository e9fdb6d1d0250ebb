#!/usr/bin/env python3
"""Writes server/tests/fixtures/botocore-inputs.json: for every operation of
the botocore cognito-idp model, each member of its input shape and that
member's type (enums, lists, maps and nested structures spelled out), so the
integration test `api_model_inputs` can walk the model without botocore.

Usage: python3 scripts/botocore-inputs.py [path/to/service-2.json(.gz)]
(without an argument, the model of the installed botocore).
"""

import gzip
import json
import os
import sys

OUT = os.path.join(
    os.path.dirname(__file__), "..", "server", "tests", "fixtures", "botocore-inputs.json"
)


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def model_path():
    if len(sys.argv) > 1:
        return sys.argv[1]
    import botocore  # only here: the test itself never needs botocore

    base = os.path.join(os.path.dirname(botocore.__file__), "data", "cognito-idp", "2016-04-18")
    for name in ("service-2.json.gz", "service-2.json"):
        if os.path.exists(os.path.join(base, name)):
            return os.path.join(base, name)
    sys.exit("no cognito-idp model in botocore")


def describe(shapes, name, depth=0):
    """A member's type: a string for scalars, an object for the rest."""
    shape = shapes[name]
    kind = shape["type"]
    if kind == "string" and "enum" in shape:
        return {"enum": shape["enum"]}
    if kind in ("string", "integer", "long", "boolean", "timestamp", "blob", "double", "float"):
        out = {"type": kind}
        for bound in ("min", "max"):
            if bound in shape:
                out[bound] = shape[bound]
        return out
    if depth >= 4:
        return {"type": kind}
    if kind == "list":
        return {"list": describe(shapes, shape["member"]["shape"], depth + 1)}
    if kind == "map":
        return {
            "map": describe(shapes, shape["value"]["shape"], depth + 1),
            "key": describe(shapes, shape["key"]["shape"], depth + 1),
        }
    if kind == "structure":
        return {
            "structure": {
                m: describe(shapes, v["shape"], depth + 1) for m, v in shape["members"].items()
            },
            "required": shape.get("required", []),
        }
    return {"type": kind}


def main():
    model = load(model_path())
    shapes = model["shapes"]
    out = {}
    for op, spec in sorted(model["operations"].items()):
        members = {}
        if "input" in spec:
            shape = shapes[spec["input"]["shape"]]
            for member, ref in shape["members"].items():
                members[member] = describe(shapes, ref["shape"])
            out[op] = {"members": members, "required": shape.get("required", [])}
        else:
            out[op] = {"members": {}, "required": []}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(
            {"api_version": model["metadata"]["apiVersion"], "operations": out},
            f,
            indent=1,
            sort_keys=True,
        )
        f.write("\n")


if __name__ == "__main__":
    main()
