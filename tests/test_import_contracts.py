"""The `block_interfaces` import-linter contract (tools/import_contracts.py), run end to end.

Each test writes a throwaway package tree `fakeroot` in tmp_path, shaped like Comptoir, and runs
the real `lint-imports` command on it in a subprocess, with tmp_path and the repository on
PYTHONPATH so that both the fake root and `tools.import_contracts` are importable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACT_NAME = "Blocks use each other only through their interfaces"

# A tree that keeps the contract: blocks reach each other only through `interfaces`, the
# composition root wires everything, and each app and channel keeps to itself.
CLEAN_TREE = {
    "fakeroot": "",
    "fakeroot.kernel": "",
    "fakeroot.kernel.db": "ENGINE = None\n",
    "fakeroot.payments": "def register() -> None: ...\n",
    "fakeroot.payments.interfaces": "from fakeroot.payments.service import pay\n",
    "fakeroot.payments.service": (
        "from fakeroot.kernel import db\nfrom fakeroot.payments import models\n\n"
        "def pay() -> None: ...\n"
    ),
    "fakeroot.payments.models": "class Transfer: ...\n",
    "fakeroot.identity": "def register() -> None: ...\n",
    "fakeroot.identity.interfaces": "def whoami() -> None: ...\n",
    "fakeroot.identity.service": (
        "from fakeroot.payments import interfaces\n"
        "import fakeroot.payments.interfaces\n"
        "from fakeroot.kernel.db import ENGINE\n"
    ),
    "fakeroot.apps": "",
    "fakeroot.apps.wallet": "",
    "fakeroot.apps.wallet.views": "from fakeroot.apps.wallet import forms\n",
    "fakeroot.apps.wallet.forms": "",
    "fakeroot.apps.buyer": "",
    "fakeroot.apps.buyer.views": "from fakeroot.kernel import db\n",
    "fakeroot.channels": "",
    "fakeroot.channels.ussd": "from fakeroot.kernel import db\n",
    "fakeroot.app": (
        "import fakeroot.identity\n"
        "import fakeroot.payments\n"
        "from fakeroot.payments import models, service\n"
        "from fakeroot.apps.wallet import views\n"
        "from fakeroot.channels import ussd\n"
    ),
    "fakeroot.cli": "from fakeroot.identity import service\n",
    "fakeroot.demo": "from fakeroot.payments.models import Transfer\n",
}


@dataclass(frozen=True)
class LintResult:
    returncode: int
    output: str

    @property
    def kept(self) -> bool:
        return self.returncode == 0 and "Contracts: 1 kept, 0 broken." in self.output


def write_modules(root: Path, modules: dict[str, str]) -> None:
    """Write each dotted module name as a file; a module with children becomes a package."""
    packages = {name.rpartition(".")[0] for name in modules if "." in name}
    for name, source in modules.items():
        parts = name.split(".")
        if name in packages:
            path = root.joinpath(*parts, "__init__.py")
        else:
            path = root.joinpath(*parts[:-1], f"{parts[-1]}.py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    for package in packages:
        root.joinpath(*package.split("."), "__init__.py").touch()


def lint(
    tmp_path: Path,
    changes: dict[str, str] | None = None,
    contract_options: str = "",
    root_packages: tuple[str, ...] = ("fakeroot",),
) -> LintResult:
    write_modules(tmp_path, {**CLEAN_TREE, **(changes or {})})
    config = tmp_path / "importlinter.toml"
    roots = ", ".join(f'"{root}"' for root in root_packages)
    config.write_text(
        textwrap.dedent(
            f"""\
            [tool.importlinter]
            root_packages = [{roots}]
            contract_types = ["block_interfaces: tools.import_contracts.BlockInterfacesContract"]

            [[tool.importlinter.contracts]]
            name = "{CONTRACT_NAME}"
            type = "block_interfaces"
            """
        )
        + textwrap.dedent(contract_options)
    )
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPOSITORY)]),
        "COLUMNS": "250",
        "NO_COLOR": "1",
    }
    completed = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return LintResult(completed.returncode, completed.stdout + completed.stderr)


def test_a_tree_whose_blocks_use_each_other_only_through_interfaces_keeps_the_contract(
    tmp_path: Path,
) -> None:
    result = lint(tmp_path)

    assert result.kept, result.output
    assert f"{CONTRACT_NAME} KEPT" in result.output


def test_a_block_importing_another_blocks_service_breaks_the_contract(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {
            "fakeroot.identity.service": (
                '"""Identity."""\n\nfrom fakeroot.payments.service import pay\n'
            )
        },
    )

    assert result.returncode == 1, result.output
    assert f"{CONTRACT_NAME} BROKEN" in result.output
    assert (
        "fakeroot.identity is not allowed to import fakeroot.payments "
        "except through fakeroot.payments.interfaces:"
    ) in result.output
    assert "- fakeroot.identity.service -> fakeroot.payments.service (l.3)" in result.output


def test_a_block_importing_another_block_package_itself_breaks_the_contract(
    tmp_path: Path,
) -> None:
    result = lint(tmp_path, {"fakeroot.identity.api": "from fakeroot.payments import register\n"})

    assert result.returncode == 1, result.output
    assert "- fakeroot.identity.api -> fakeroot.payments (l.1)" in result.output


def test_every_violating_import_is_reported_with_all_its_line_numbers(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {
            "fakeroot.identity.service": (
                "from fakeroot.payments.models import Transfer\n"
                "from fakeroot.payments import interfaces\n"
                "\n"
                "import fakeroot.payments.models\n"
            ),
            "fakeroot.identity.pages": "from fakeroot.payments import service\n",
            "fakeroot.payments.service": "from fakeroot.identity.service import Transfer\n",
        },
    )

    assert result.returncode == 1, result.output
    assert "- fakeroot.identity.service -> fakeroot.payments.models (l.1, l.4)" in result.output
    assert "- fakeroot.identity.pages -> fakeroot.payments.service (l.1)" in result.output
    assert (
        "fakeroot.payments is not allowed to import fakeroot.identity "
        "except through fakeroot.identity.interfaces:"
    ) in result.output
    assert "- fakeroot.payments.service -> fakeroot.identity.service (l.1)" in result.output
    assert "fakeroot.payments.interfaces (l." not in result.output


def test_an_interfaces_package_may_be_used_down_to_its_submodules(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {
            "fakeroot.payments.interfaces": "",
            "fakeroot.payments.interfaces.events": "class TransferSettled: ...\n",
            "fakeroot.identity.service": (
                "from fakeroot.payments.interfaces.events import TransferSettled\n"
            ),
        },
    )

    assert result.kept, result.output


def test_a_block_added_later_is_held_to_the_rule_without_changing_the_config(
    tmp_path: Path,
) -> None:
    result = lint(
        tmp_path,
        {
            "fakeroot.grievance": "",
            "fakeroot.grievance.service": (
                "from fakeroot.identity import interfaces\nfrom fakeroot.payments import models\n"
            ),
        },
    )

    assert result.returncode == 1, result.output
    assert "- fakeroot.grievance.service -> fakeroot.payments.models (l.2)" in result.output
    assert "fakeroot.grievance.service -> fakeroot.identity.interfaces" not in result.output


def test_the_composition_root_may_import_block_internals(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {"fakeroot.app": "from fakeroot.payments.service import pay\nimport fakeroot.identity\n"},
    )

    assert result.kept, result.output


def test_the_kernel_importing_a_block_breaks_the_contract(tmp_path: Path) -> None:
    result = lint(tmp_path, {"fakeroot.kernel.registry": "from fakeroot.payments import models\n"})

    assert result.returncode == 1, result.output
    assert "fakeroot.kernel is not allowed to import fakeroot.payments:" in result.output
    assert "- fakeroot.kernel.registry -> fakeroot.payments.models (l.1)" in result.output


def test_the_kernel_importing_the_composition_root_breaks_the_contract(tmp_path: Path) -> None:
    result = lint(tmp_path, {"fakeroot.kernel.registry": "import fakeroot.app\n"})

    assert result.returncode == 1, result.output
    assert "fakeroot.kernel is not allowed to import fakeroot.app:" in result.output


def test_a_participant_app_importing_a_block_even_its_interfaces_breaks_the_contract(
    tmp_path: Path,
) -> None:
    result = lint(
        tmp_path, {"fakeroot.apps.buyer.views": "from fakeroot.payments import interfaces\n"}
    )

    assert result.returncode == 1, result.output
    assert (
        "participant apps and channels are not allowed to import fakeroot.payments:"
    ) in result.output


def test_a_participant_app_importing_another_app_breaks_the_contract(tmp_path: Path) -> None:
    result = lint(
        tmp_path, {"fakeroot.apps.buyer.views": "from fakeroot.apps.wallet import forms\n"}
    )

    assert result.returncode == 1, result.output
    assert (
        "fakeroot.apps.buyer is not allowed to import fakeroot.apps.wallet (apps are independent):"
    ) in result.output
    assert "- fakeroot.apps.buyer.views -> fakeroot.apps.wallet.forms (l.1)" in result.output


def test_a_channel_importing_an_app_breaks_the_contract(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {"fakeroot.channels.ussd": "import os\n\nfrom fakeroot.apps.wallet.views import forms\n"},
    )

    assert result.returncode == 1, result.output
    assert "fakeroot.channels is not allowed to import fakeroot.apps:" in result.output
    assert "- fakeroot.channels.ussd -> fakeroot.apps.wallet.views (l.3)" in result.output


@pytest.mark.parametrize(
    ("contract_options", "kept"),
    [
        ("", False),
        ('not_blocks = ["kernel", "apps", "channels", "app", "cli", "demo", "shared"]\n', True),
    ],
)
def test_the_modules_that_are_not_blocks_are_a_contract_option(
    tmp_path: Path, contract_options: str, kept: bool
) -> None:
    result = lint(
        tmp_path,
        {
            "fakeroot.shared": "",
            "fakeroot.shared.text": "",
            "fakeroot.identity.pages": "from fakeroot.shared import text\n",
        },
        contract_options,
    )

    assert result.kept is kept, result.output


def test_the_contract_takes_its_root_package_from_the_config(tmp_path: Path) -> None:
    write_modules(tmp_path, {"otherroot": "", "otherroot.blocka": "import fakeroot.payments\n"})

    result = lint(
        tmp_path,
        {"fakeroot.identity.pages": "from fakeroot.payments import models\n"},
        'root_package = "fakeroot"\n',
        root_packages=("fakeroot", "otherroot"),
    )

    assert result.returncode == 1, result.output
    assert "- fakeroot.identity.pages -> fakeroot.payments.models (l.1)" in result.output
    assert "otherroot.blocka" not in result.output


def test_a_root_package_must_be_named_when_the_config_has_several(tmp_path: Path) -> None:
    write_modules(tmp_path, {"otherroot": "", "otherroot.module": ""})

    result = lint(tmp_path, root_packages=("fakeroot", "otherroot"))

    assert result.returncode == 1, result.output
    assert "root_package: Required when" in result.output
    assert "exactly one root package" in result.output


def test_an_ignored_import_is_left_out_of_the_check(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {"fakeroot.identity.pages": "from fakeroot.payments import models\n"},
        'ignore_imports = ["fakeroot.identity.pages -> fakeroot.payments.models"]\n',
    )

    assert result.kept, result.output
