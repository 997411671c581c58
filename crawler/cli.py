"""The `patroli` command. Help texts are Indonesian first, English after the slash."""

from __future__ import annotations

import click

from crawler import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="patroli")
def main() -> None:
    """Patroli: patroli marketplace untuk produk kerajinan dan tekstil.

    Patroli: patrol online marketplaces for craft and textile listings.
    """


if __name__ == "__main__":
    main()
