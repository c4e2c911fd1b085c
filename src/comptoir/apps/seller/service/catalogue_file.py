"""A catalogue file, as an operator loads one with `comptoir seller business stock`.

The file is a JSON list of items: `{"name", "category", "price"}` and, if wanted,
`"description"`, `"stock"` (10 if left out), `"returnable"` (true), `"variants"` (a list of
words) and `"age_restricted"` (false). Every problem of every item is reported at once, each
named by the item's place in the list, so that one run is enough to fix a file; and a file with
a problem adds nothing, so that a half-loaded catalogue never goes on sale.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from comptoir.apps.seller.service.items import ItemInput, item_problems

_REQUIRED = ("name", "category", "price")
_KNOWN = frozenset({*_REQUIRED, "description", "stock", "returnable", "variants", "age_restricted"})


@dataclass
class Catalogue:
    """The items read from a file, and what is wrong with it (nothing, if `problems` is empty)."""

    items: list[ItemInput] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_catalogue(text: str, currency: str) -> Catalogue:
    """Read a catalogue file's text, its prices in `currency` (the platform's); see the
    module's doc for its shape."""
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as error:
        return Catalogue(
            problems=[f"not JSON: {error.msg} (line {error.lineno}, column {error.colno})"]
        )
    if not isinstance(entries, list):
        return Catalogue(problems=["the file must hold a JSON list of items: [{...}, {...}]"])
    catalogue = Catalogue()
    for number, entry in enumerate(entries, start=1):
        form, shape_problems = _item(entry)
        where = f"item {number}"
        if form is not None and form.name.strip():
            where += f" ({form.name.strip()[:40]})"
        catalogue.problems.extend(f"{where}: {problem}" for problem in shape_problems)
        if form is None:
            continue
        for name, problem in item_problems(form, currency).items():
            catalogue.problems.append(f"{where}: {name}: {problem.render()}")
        catalogue.items.append(form)
    return catalogue


def _item(entry: Any) -> tuple[ItemInput | None, list[str]]:
    """The item's form as the page would have it, or None, and what is wrong with its shape."""
    if not isinstance(entry, dict):
        return None, ['an item is an object: {"name": ..., "category": ..., "price": ...}']
    problems = [f"{name}: missing" for name in _REQUIRED if name not in entry]
    problems += [f"{name}: not a field of an item" for name in sorted(set(entry) - _KNOWN)]
    texts: dict[str, str] = {}
    for name in ("name", "category", "description"):
        value = entry.get(name, "")
        if isinstance(value, str):
            texts[name] = value
        else:
            problems.append(f"{name}: must be text")
    for name, default in (("price", ""), ("stock", 10)):
        value = entry.get(name, default)
        # Text as typed ("12.50"), or a JSON number; true and false are numbers to Python only.
        if isinstance(value, str) or (
            isinstance(value, int | float) and not isinstance(value, bool)
        ):
            texts[name] = str(value)
        else:
            problems.append(f'{name}: must be a number or text such as "12.50"')
    flags: dict[str, bool] = {}
    for name, default_flag in (("returnable", True), ("age_restricted", False)):
        value = entry.get(name, default_flag)
        if isinstance(value, bool):
            flags[name] = value
        else:
            problems.append(f"{name}: must be true or false")
    variants = entry.get("variants", [])
    if not isinstance(variants, list) or not all(isinstance(part, str) for part in variants):
        problems.append('variants: must be a list of words: ["S", "M", "L"]')
        variants = []
    if problems:
        return None, problems
    form = ItemInput(
        texts["name"],
        texts["description"],
        texts["category"],
        texts["price"],
        texts["stock"],
        flags["returnable"],
        ", ".join(variants),
        flags["age_restricted"],
    )
    return form, []
