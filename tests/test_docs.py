"""The README documents every command, setting and canned query (docs drive development)."""

import re
from pathlib import Path

import click
import yaml

from crawler import settings
from crawler.cli import main
from crawler.datasette_app import METADATA

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "patroli") -> list[str]:
    names = []
    for name, command in group.commands.items():
        names.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix} {name}")
    return names


def test_every_command_is_in_the_readme():
    missing = [c for c in _commands(main) if f"`{c}" not in README]
    assert not missing, f"README tidak menyebut: {missing}"


def test_every_patroli_setting_is_in_the_readme():
    names = [n for n in dir(settings) if n.startswith("PATROLI_")]
    assert len(names) >= 8
    missing = [n for n in names if f"`{n}`" not in README]
    assert not missing, f"README tidak menyebut setting: {missing}"


def test_every_canned_query_and_view_is_in_the_readme():
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    db = metadata["databases"]["patroli"]
    missing = [q for q in db.get("queries", {}) if f"`{q}`" not in README]
    missing += [t for t in db["tables"] if not re.search(rf"`{t}`", README)]
    assert not missing, f"README tidak menyebut: {missing}"
