#!/usr/bin/env python3
"""Writes crates/ops-sim/src/api/proto/schema.rs: the protobuf field
numbers and JSON names of the Kubernetes messages that a Job or a CronJob
is made of, for the simulator's decoder of protobuf request bodies.

Field numbers and types come from the prost bindings of the `k8s-pb`
crate; JSON names from `k8s-openapi`'s deserializers. Both are read from
their unpacked sources:

    scripts/k8s-proto-schema.py ~/.cargo/registry/src/*/k8s-pb-0.9.0 \\
        ~/.cargo/registry/src/*/k8s-openapi-0.29.0/src/v1_37 \\
        > crates/ops-sim/src/api/proto/schema.rs
    cargo fmt --all
"""

import os
import re
import sys

ROOTS = ["api.batch.v1.Job", "api.batch.v1.CronJob"]

# Messages with a JSON form of their own.
SPECIAL = {
    "apimachinery.pkg.apis.meta.v1.Time": "Time",
    "apimachinery.pkg.apis.meta.v1.MicroTime": "Time",
    "apimachinery.pkg.api.resource.Quantity": "Quantity",
    "apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
    "apimachinery.pkg.runtime.RawExtension": "Raw",
    "apimachinery.pkg.apis.meta.v1.Duration": "Duration",
    "apimachinery.pkg.apis.meta.v1.FieldsV1": "Skip",
}

# Go structs embedded in others: their fields are the outer object's in
# JSON, a nested message in protobuf.
INLINE = {"volume_source", "ephemeral_container_common", "handler", "local_object_reference"}

# JSON names of fields of embedded structs that k8s-openapi has no struct
# for, where the plain camel case is not the name.
RENAMED = {"downward_api": "downwardAPI", "scale_io": "scaleIO", "target_ww_ns": "targetWWNs"}

SCALARS = {
    "string": "Str",
    "bytes": "Bytes",
    "bool": "Bool",
    "int32": "Int32",
    "int64": "Int64",
    "double": "Double",
    "float": "Float",
}


def modules(root):
    """Yields (module path, file text) for every module of a crate."""
    src = os.path.join(root, "src") if os.path.isdir(os.path.join(root, "src")) else root
    for dirpath, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), src)[:-3].split(os.sep)
            if rel[-1] in ("mod", "lib"):
                rel = rel[:-1]
            with open(os.path.join(dirpath, f), encoding="utf-8") as fh:
                yield rel, fh.read()


def structs(text):
    """Yields (name, body) of each `pub struct` in a file."""
    for m in re.finditer(r"^pub struct (\w+) \{\n(.*?)^\}", text, re.S | re.M):
        yield m.group(1), m.group(2)


def resolve(module, path):
    """A Rust type path seen from `module`, as a dotted message name."""
    parts = path.split("::")
    up = 0
    while parts and parts[0] == "super":
        up += 1
        parts = parts[1:]
    base = module[: len(module) - up] if up else module
    return ".".join(base + parts)


def type_path(rust_type):
    """The message type inside Option<..>, Vec<..> or BTreeMap<String, ..>."""
    t = re.sub(r"\s+", "", rust_type).replace(",>", ">")
    t = re.sub(r"^::core::option::Option<(.*)>$", r"\1", t)
    t = re.sub(r"^::prost::alloc::vec::Vec<(.*)>$", r"\1", t)
    m = re.match(r"^::prost::alloc::collections::BTreeMap<::prost::alloc::string::String,(.*)>$", t)
    if m:
        t = m.group(1)
    return t


def pb_messages(root):
    out = {}
    field_re = re.compile(
        r"#\[prost\((?P<attr>[^\]]*)\)\]\s*pub (?:r#)?(?P<name>\w+):\s*(?P<type>.*?),\n\s*(?=(?:///|#\[|pub |$))",
        re.S,
    )
    for module, text in modules(root):
        for name, body in structs(text):
            fields = []
            for f in field_re.finditer(body + "\n"):
                attr = f.group("attr")
                tag = int(re.search(r'tag = "(\d+)"', attr).group(1))
                kind = attr.split(",")[0].strip()
                repeated = "repeated" in attr
                rtype = f.group("type")
                if kind.startswith("btree_map"):
                    value = re.search(r'btree_map = "string, (\w+)"', attr).group(1)
                    target = resolve(module, type_path(rtype)) if value == "message" else None
                    fields.append((tag, f.group("name"), "map", value, target, False))
                elif kind == "message":
                    fields.append((tag, f.group("name"), "message", None, resolve(module, type_path(rtype)), repeated))
                else:
                    kind = kind.split("=")[0].strip()
                    fields.append((tag, f.group("name"), kind, None, None, repeated))
            out[".".join(module + [name])] = fields
    return out


def json_names(root):
    """(dotted struct name, rust field) -> JSON name, from the deserializers."""
    out = {}
    for module, text in modules(root):
        for m in re.finditer(r"^pub struct (\w+) \{", text, re.M):
            # Struct names differ in case between the two (PodDnsConfig,
            # PodDNSConfig): compare them in lower case.
            struct = ".".join(module[:-1] + [m.group(1)]).lower()
            for k in re.finditer(r'"(\w+)" => Field::Key_(\w+),', text):
                out[(struct, k.group(2).rstrip("_"))] = k.group(1)
    return out


def camel(name):
    first, *rest = name.split("_")
    return first + "".join(p[:1].upper() + p[1:] for p in rest)


def main():
    pb = pb_messages(sys.argv[1])
    names = json_names(sys.argv[2])
    order = []
    seen = set()
    todo = list(ROOTS)
    while todo:
        msg = todo.pop(0)
        if msg in seen:
            continue
        seen.add(msg)
        order.append(msg)
        if msg in SPECIAL:
            continue
        for _, _, _, _, target, _ in pb[msg]:
            if target and target not in seen:
                todo.append(target)
    index = {m: i for i, m in enumerate(order)}
    w = sys.stdout.write
    w("//! Generated by scripts/k8s-proto-schema.py from the protobuf bindings of\n")
    w("//! k8s-pb 0.9.0 and the JSON names of k8s-openapi 0.29 (Kubernetes 1.37\n")
    w("//! API): the messages a Job or a CronJob is made of. Do not edit.\n\n")
    w("use super::{Field, Kind, Message, Special};\n\n")
    for root in ROOTS:
        const = root.split(".")[-1].upper()
        w(f"pub const {const}: usize = {index[root]};\n")
    w("\npub static MESSAGES: &[Message] = &[\n")
    for msg in order:
        special = SPECIAL.get(msg, "None")
        w(f"    // {msg}\n")
        w(f"    Message {{\n        special: Special::{special},\n        fields: &[\n")
        if msg not in SPECIAL:
            for tag, rname, kind, value, target, repeated in pb[msg]:
                json = names.get((msg.lower(), rname)) or RENAMED.get(rname) or camel(rname)
                if rname in INLINE and (msg.lower(), rname) not in names:
                    json = ""
                if kind == "map":
                    v = f"Kind::Message({index[target]})" if value == "message" else f"Kind::{SCALARS[value]}"
                    k = f"Kind::Map(&{v})"
                elif kind == "message":
                    k = f"Kind::Message({index[target]})"
                else:
                    k = f"Kind::{SCALARS[kind]}"
                w(f"            Field {{ tag: {tag}, json: \"{json}\", kind: {k}, repeated: {'true' if repeated else 'false'} }},\n")
        w("        ],\n    },\n")
    w("];\n")


main()
