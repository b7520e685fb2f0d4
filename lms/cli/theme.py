"""`flask lms theme …`: apply a theme file, go back to the default, show the theme in force (docs/theming.md)."""

from __future__ import annotations

from pathlib import Path

import click

from lms.cli.group import lms_cli
from lms.core import theme as core_theme
from lms.services import theme


@lms_cli.group("theme")
def theme_cli() -> None:
    """The site's name, logo, colours and footer."""


@theme_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def load(path: Path) -> None:
    """Apply the theme in PATH (TOML; logo and favicon named relative to it), after the same checks as the web form:
    contrast, sanitised images, footer links."""
    applied = theme.load_theme_file(None, path)
    click.echo(f"Theme applied: {applied.site_name}, brand {applied.brand_colour}, accent {applied.accent_colour}"
               f"{', with a logo' if applied.has_logo else ''}.")


@theme_cli.command("reset")
def reset() -> None:
    """Go back to the default theme."""
    theme.reset_theme(None)
    click.echo(f"The default theme is back ({core_theme.DEFAULT.site_name}).")


@theme_cli.command("show")
def show() -> None:
    """Print the theme in force and whether its colours pass WCAG 2.1 AA."""
    theme.forget_cached_theme()
    current = theme.current_theme()
    click.echo(f"Site name: {current.site_name}\nBrand colour: {current.brand_colour}\n"
               f"Accent colour: {current.accent_colour}\nLogo: {'yes' if current.has_logo else 'no'}\n"
               f"Favicon: {'yes' if current.has_favicon else 'no'}")
    problems = theme.contrast_problems(current)
    click.echo("Contrast: passes WCAG 2.1 AA" if not problems else
               "Contrast problems:\n" + "\n".join(f"  {problem.message}" for problem in problems))
