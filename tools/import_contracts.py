"""Custom import-linter contract types for Comptoir's layout (DESIGN.md, sections 2 and 3).

`BlockInterfacesContract` derives the blocks from the import graph on every run, so a block added
tomorrow is held to the rule without anyone editing the configuration:

- a block is any direct child `<root>.<name>` of the root package, except the shared kernel, the
  participant apps, the channels and the composition root with its helpers (`not_blocks`);
- anything in block A may import from another block B only `<root>.B.interfaces` (or a module
  inside it, should it become a package). Importing `<root>.B` itself is a violation too: its
  `__init__` holds `register()`, the block's wiring;
- a participant app `<root>.apps.<x>` imports no other app `<root>.apps.<y>`;
- the channels import no app;
- participant apps and channels import no block (they use the open protocols);
- the kernel imports nothing above it (no block, app, channel or composition root).

Register it under `[tool.importlinter]` with
`contract_types = ["block_interfaces: tools.import_contracts.BlockInterfacesContract"]`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils
from importlinter.application.contract_utils import AlertLevel
from importlinter.domain.contract import InvalidContractOptions
from importlinter.domain.imports import ImportExpression

DEFAULT_NOT_BLOCKS = ("kernel", "apps", "channels", "app", "cli", "demo")


@dataclass(frozen=True, order=True)
class IllegalImport:
    """One direct import that breaks the contract, with the lines it appears on."""

    importer: str
    imported: str
    line_numbers: tuple[int | None, ...]


@dataclass(frozen=True)
class BrokenRule:
    """The illegal imports from one part of the tree into another, under one heading."""

    heading: str
    imports: tuple[IllegalImport, ...]


@dataclass(frozen=True)
class _Settings:
    root: str
    not_blocks: frozenset[str]
    interface_module: str
    apps_package: str
    channels_package: str
    kernel_package: str


class _Layout:
    """Answers "which block, app or channel does this module belong to?" for one graph."""

    def __init__(self, settings: _Settings, graph: ImportGraph) -> None:
        self.settings = settings
        self.blocks = frozenset(
            child
            for child in graph.find_children(settings.root)
            if _last_part(child) not in settings.not_blocks
        )
        self.apps = f"{settings.root}.{settings.apps_package}"
        self.channels = f"{settings.root}.{settings.channels_package}"
        self.kernel = f"{settings.root}.{settings.kernel_package}"

    def block_of(self, module: str) -> str | None:
        top = _ancestor_at_depth(module, self.settings.root, 1)
        return top if top in self.blocks else None

    def app_of(self, module: str) -> str | None:
        return _ancestor_at_depth(module, self.apps, 1)

    def is_in_channels(self, module: str) -> bool:
        return _is_in_package(module, self.channels)

    def is_in_apps(self, module: str) -> bool:
        return _is_in_package(module, self.apps)

    def is_published_interface(self, module: str, block: str) -> bool:
        return _is_in_package(module, f"{block}.{self.settings.interface_module}")

    def breach(self, importer: str, imported: str) -> str | None:
        """Return the heading of the rule that the import breaks, or None if it is allowed."""
        importer_block, imported_block = self.block_of(importer), self.block_of(imported)
        if (
            importer_block is not None
            and imported_block is not None
            and importer_block != imported_block
            and not self.is_published_interface(imported, imported_block)
        ):
            return (
                f"{importer_block} is not allowed to import {imported_block} except through "
                f"{imported_block}.{self.settings.interface_module}:"
            )
        importer_app, imported_app = self.app_of(importer), self.app_of(imported)
        if importer_app is not None and imported_app is not None and importer_app != imported_app:
            return f"{importer_app} is not allowed to import {imported_app} (apps are independent):"
        if self.is_in_channels(importer) and self.is_in_apps(imported):
            return f"{self.channels} is not allowed to import {self.apps}:"
        if (self.is_in_apps(importer) or self.is_in_channels(importer)) and imported_block:
            # Participant apps reach the infrastructure only through the open protocols.
            return f"participant apps and channels are not allowed to import {imported_block}:"
        if self.is_in_kernel(importer) and self.is_above_kernel(imported):
            return f"{self.kernel} is not allowed to import {_top_of(imported, self)}:"
        return None

    def is_in_kernel(self, module: str) -> bool:
        return _is_in_package(module, self.kernel)

    def is_above_kernel(self, module: str) -> bool:
        """Anything in the root package but the kernel itself and the root's own __init__."""
        root = self.settings.root
        return _is_in_package(module, root) and module != root and not self.is_in_kernel(module)


class BlockInterfacesContract(Contract):
    """
    Blocks use each other only through their published interfaces; apps are independent.

    Configuration options:
        - root_package:      The package whose direct children are the blocks. (Optional: defaults
                             to the session's root package when there is exactly one.)
        - not_blocks:        Names of the direct children of the root package that are not blocks
                             (the kernel, the apps, the channels, the composition root and its
                             helpers). Defaults to kernel, apps, channels, app, cli and demo.
        - interface_module:  The name of each block's published interface. Default "interfaces".
        - apps_package:      The package whose direct children are independent participant apps.
                             Default "apps".
        - channels_package:  The package that may not import the apps. Default "channels".
        - kernel_package:    The shared kernel, which imports nothing above it. Default "kernel".
        - ignore_imports:    Import expressions to leave out of the check, as in the built-in
                             contracts. (Optional.)
        - unmatched_ignore_imports_alerting: "none", "warn" or "error" (the default) when an
                             ignored import does not match anything in the graph.
        - broken_contract_guidance: Text displayed after the violations. (Optional.)
    """

    type_name = "block_interfaces"

    root_package = fields.StringField(required=False)
    not_blocks = fields.ListField(subfield=fields.StringField(), default=list(DEFAULT_NOT_BLOCKS))
    interface_module = fields.StringField(default="interfaces")
    apps_package = fields.StringField(default="apps")
    channels_package = fields.StringField(default="channels")
    kernel_package = fields.StringField(default="kernel")
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)
    broken_contract_guidance = fields.TextField(required=False)

    _settings: _Settings

    def validate(self) -> None:
        errors: dict[str, str] = {}
        root = cast(str | None, self.root_package)
        if root is None:
            session_roots = list(self.session_options.get("root_packages", []))
            if len(session_roots) == 1:
                root = str(session_roots[0])
            else:
                errors["root_package"] = (
                    "Required when the configuration does not have exactly one root package."
                )
        for name in cast(list[str], self.not_blocks):
            if "." in name:
                errors["not_blocks"] = (
                    f"'{name}' is not a direct child of the root package: give its last name only."
                )
        for option in ("interface_module", "apps_package", "channels_package", "kernel_package"):
            value = cast(str, getattr(self, option))
            if not value or "." in value:
                errors[option] = f"'{value}' must be a single module name, without dots."
        if errors:
            raise InvalidContractOptions(errors)
        self._settings = _Settings(
            root=cast(str, root),
            not_blocks=frozenset(cast(list[str], self.not_blocks)),
            interface_module=cast(str, self.interface_module),
            apps_package=cast(str, self.apps_package),
            channels_package=cast(str, self.channels_package),
            kernel_package=cast(str, self.kernel_package),
        )

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        import_removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self._ignore_imports(),
            unmatched_alerting=cast(AlertLevel, self.unmatched_ignore_imports_alerting),
        )
        root = self._settings.root
        if root not in graph.modules:
            raise ValueError(f"Module '{root}' does not exist.")

        layout = _Layout(self._settings, graph)
        output.verbose_print(
            verbose, f"Blocks under {root}: {', '.join(sorted(layout.blocks)) or '(none)'}."
        )

        illegal: defaultdict[str, set[IllegalImport]] = defaultdict(set)
        for importer in sorted(_modules_in_package(graph, root)):
            for imported in graph.find_modules_directly_imported_by(importer):
                heading = layout.breach(importer, imported)
                if heading is not None:
                    illegal[heading].add(
                        IllegalImport(importer, imported, _line_numbers(graph, importer, imported))
                    )

        broken_rules = [
            BrokenRule(heading=heading, imports=tuple(sorted(imports)))
            for heading, imports in sorted(illegal.items())
        ]
        return ContractCheck(
            kept=not broken_rules,
            warnings=list(import_removal.warnings),
            ignored_import_count=import_removal.ignored_import_count,
            metadata={"broken_rules": broken_rules},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        broken_rules = cast(list[BrokenRule], check.metadata["broken_rules"])
        for broken_rule in broken_rules:
            output.print_error(broken_rule.heading, bold=False)
            output.new_line()
            for illegal_import in broken_rule.imports:
                output.print_error(
                    f"- {illegal_import.importer} -> {illegal_import.imported} "
                    f"({_format_line_numbers(illegal_import.line_numbers)})",
                    bold=False,
                )
            output.new_line()
        contract_utils.render_broken_contract_guidance(
            cast(str | None, self.broken_contract_guidance)
        )

    def _ignore_imports(self) -> list[ImportExpression]:
        return sorted(cast(set[ImportExpression] | None, self.ignore_imports) or (), key=str)


def _modules_in_package(graph: ImportGraph, package: str) -> Iterator[str]:
    yield package
    if not graph.is_module_squashed(package):
        yield from graph.find_descendants(package)


def _line_numbers(graph: ImportGraph, importer: str, imported: str) -> tuple[int | None, ...]:
    details = graph.get_import_details(importer=importer, imported=imported)
    # A graph built by hand may hold an import without its details: its line is unknown.
    return tuple(sorted({detail["line_number"] for detail in details})) or (None,)


def _format_line_numbers(line_numbers: Sequence[int | None]) -> str:
    return ", ".join("l.?" if number is None else f"l.{number}" for number in line_numbers)


def _is_in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def _ancestor_at_depth(module: str, package: str, depth: int) -> str | None:
    """The ancestor-or-self of `module` that is `depth` levels below `package`, if any."""
    if not module.startswith(f"{package}."):
        return None
    parts = module[len(package) + 1 :].split(".")
    if len(parts) < depth:
        return None
    return ".".join([package, *parts[:depth]])


def _top_of(module: str, layout: _Layout) -> str:
    return _ancestor_at_depth(module, layout.settings.root, 1) or module


def _last_part(module: str) -> str:
    return module.rpartition(".")[2]
