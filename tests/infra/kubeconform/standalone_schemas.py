"""Turn the Kubernetes JSON schemas shipped in the `kubernetes-validate` wheel into
the standalone layout kubeconform reads from disk.

The wheel holds, per Kubernetes version, `v<X>-local-strict/<kind>-<group>-<version>.json`
files whose `$ref`s point at one shared `/api/_definitions.json`. kubeconform
compiles each file on its own, so every output file gets just the definitions it
reaches, under its own `$defs`, with refs rewritten to `#/$defs/...`.

Usage: python standalone_schemas.py WHEEL KUBE_VERSION OUT_DIR
(KUBE_VERSION like 1.31.0; writes OUT_DIR/v1.31.0-standalone-strict/*.json)
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

SHARED_REF = "/api/_definitions.json#/$defs/"
LOCAL_REF = "#/$defs/"


def _rewrite(node: Any, reached: set[str]) -> Any:
    """Copy node with shared refs made local; collect the definition names used."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                name = value.removeprefix(SHARED_REF).removeprefix(LOCAL_REF)
                reached.add(name)
                out[key] = LOCAL_REF + name
            else:
                out[key] = _rewrite(value, reached)
        return out
    if isinstance(node, list):
        return [_rewrite(item, reached) for item in node]
    return node


def standalone(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    reached: set[str] = set()
    top = _rewrite(schema, reached)
    defs: dict[str, Any] = {}
    pending = list(reached)
    while pending:
        name = pending.pop()
        if name in defs:
            continue
        found: set[str] = set()
        defs[name] = _rewrite(definitions[name], found)
        pending.extend(found - defs.keys())
    top.pop("$id", None)
    if defs:
        top["$defs"] = defs
    return top


def main(wheel: str, kube_version: str, out_dir: str) -> None:
    source = f"kubernetes_validate/kubernetes-json-schema/v{kube_version}-local-strict/"
    target = Path(out_dir) / f"v{kube_version}-standalone-strict"
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.startswith(source) and n.endswith(".json")]
        if not names:
            raise SystemExit(f"no schemas for Kubernetes {kube_version} in {wheel}")
        definitions = json.loads(archive.read(source + "_definitions.json"))["$defs"]
        for name in names:
            filename = name.removeprefix(source)
            if filename in ("_definitions.json", "all.json"):
                continue
            schema = json.loads(archive.read(name))
            (target / filename).write_text(json.dumps(standalone(schema, definitions)))
    print(f"wrote {len(names) - 2} schemas to {target}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
