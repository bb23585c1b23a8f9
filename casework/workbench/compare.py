"""Two versions side by side: the BPMN elements and DMN rows added, removed or changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
)
# drawing only: moving a shape changes no behaviour
DI_PREFIXES = (
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/",
    "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "http://www.omg.org/spec/DMN/20180521/D",
)


@dataclass
class Change:
    file: str
    element: str
    kind: str
    name: str
    change: str  # added, removed, changed
    before: list = field(default_factory=list)
    after: list = field(default_factory=list)


def _parse(text: str):
    return etree.fromstring(
        text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    )


def _is_di(node) -> bool:
    return isinstance(node.tag, str) and any(node.tag.startswith("{" + p) for p in DI_PREFIXES)


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _signature(node) -> str:
    """The element's own content: its attributes and its children that have no id of their
    own (documentation, conditions, extension elements); children with an id are compared
    on their own."""
    copy = etree.Element(node.tag, {k: v for k, v in sorted(node.attrib.items())})
    copy.text = (node.text or "").strip() or None
    for child in node:
        if not isinstance(child.tag, str) or _is_di(child) or (child.get("id") and not _owned(child)):
            continue
        copy.append(_strip_ids(child))
    return etree.tostring(copy, method="c14n").decode()


# parts of an element that have ids of their own but are read as part of it: a user task's
# form fields, a table row's cells
OWNED = {"inputEntry", "outputEntry", "inputExpression", "inputValues", "outputValues"}


def _owned(node) -> bool:
    return _local(node.tag) in OWNED or any(_local(a.tag) == "extensionElements" for a in node.iterancestors())


def _strip_ids(node):
    copy = etree.Element(node.tag, dict(node.attrib))
    copy.text = (node.text or "").strip() or None
    for child in node:
        if isinstance(child.tag, str):
            copy.append(_strip_ids(child))
    return copy


def _elements(text: str) -> dict[str, tuple]:
    root = _parse(text)
    found = {}
    for node in root.iter():
        if not isinstance(node.tag, str) or _is_di(node) or node is root:
            continue
        element_id = node.get("id")
        if element_id and not _owned(node) and not any(_is_di(a) for a in node.iterancestors()):
            found[element_id] = (node, _signature(node))
    return found


def _rule_cells(rule) -> list[str]:
    return [
        " ".join((entry.findtext("{*}text") or "").split())
        for entry in rule
        if _local(entry.tag) in ("inputEntry", "outputEntry")
    ]


def _label(node) -> str:
    name = node.get("name") or node.get("label")
    if name:
        return " ".join(name.split())
    if _local(node.tag) == "rule":
        cells = _rule_cells(node)
        return "row " + str(1 + list(node.getparent().findall(node.tag)).index(node)) + ": " + " | ".join(cells)
    return ""


def diff_files(before: dict[str, str], after: dict[str, str]) -> list[Change]:
    changes: list[Change] = []
    for name in sorted(set(before) | set(after)):
        old = _elements(before[name]) if name in before else {}
        new = _elements(after[name]) if name in after else {}
        for element_id in sorted(set(old) | set(new)):
            if element_id in old and element_id in new:
                if old[element_id][1] == new[element_id][1]:
                    continue
                node, change = new[element_id][0], "changed"
            elif element_id in new:
                node, change = new[element_id][0], "added"
            else:
                node, change = old[element_id][0], "removed"
            kind = _local(node.tag)
            item = Change(name, element_id, kind, _label(node), change)
            if kind == "rule":
                item.before = _rule_cells(old[element_id][0]) if element_id in old else []
                item.after = _rule_cells(new[element_id][0]) if element_id in new else []
            elif change == "changed":
                before_lines, after_lines = _describe(old[element_id][0]), _describe(new[element_id][0])
                item.before = [line for line in before_lines if line not in after_lines]
                item.after = [line for line in after_lines if line not in before_lines]
            changes.append(item)
    return changes


def _describe(node) -> list[str]:
    """What an analyst reads of an element: its name, attributes and texts."""
    lines = [f"{etree.QName(k).localname} = {v}" for k, v in sorted(node.attrib.items()) if k != "id"]
    for child in node.iter():
        if child is node or not isinstance(child.tag, str) or (child.get("id") and not _owned(child)):
            continue
        text = " ".join((child.text or "").split())
        attrs = ", ".join(f"{etree.QName(k).localname}={v}" for k, v in sorted(child.attrib.items()))
        if text or attrs:
            lines.append(f"{_local(child.tag)}: {text}{(' (' + attrs + ')') if attrs else ''}")
    return lines


def marks(changes: list[Change], file: str) -> dict[str, list[str]]:
    """Element ids to mark on the diagram of ``file``: added, removed, changed."""
    result = {"added": [], "removed": [], "changed": []}
    for change in changes:
        if change.file == file:
            result[change.change].append(change.element)
    return result


def tables(files: dict[str, str]) -> dict[str, list[dict]]:
    """Each DMN file's decision table as rows of cells, for showing rows side by side."""
    out = {}
    for name, text in files.items():
        if not name.endswith(".dmn"):
            continue
        root = _parse(text)
        for table in root.iter("{*}decisionTable"):
            heads = [
                (i.get("label") or (i.findtext("{*}inputExpression/{*}text") or "")).strip()
                for i in table.findall("{*}input")
            ]
            heads += [(o.get("label") or o.get("name") or "").strip() for o in table.findall("{*}output")]
            rows = [{"id": rule.get("id"), "cells": _rule_cells(rule)} for rule in table.findall("{*}rule")]
            out.setdefault(name, []).append({"id": table.get("id"), "heads": heads, "rows": rows})
    return out
