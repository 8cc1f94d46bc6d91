"""``helpline status ...``: the operator's commands for the status registry."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def status() -> None:
    """Passport / protector / skills-passport status registry."""


@status.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and count, write nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import FILE.csv (kind, tracking_number, status; date_of_birth, cnic_last4, office, note, updated_at).

    All or nothing: any rejected row leaves the registry as it was. Exit status 1 when rows were rejected.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from helpline import kb as kb_mod
    from helpline.cli import env, import_done
    from helpline.i18n import I18n, load_catalogs
    from helpline.pipeline import utcnow
    from helpline.status import config
    from helpline.status.importer import import_csv

    settings = env().settings
    cfg = config.warn_if_dev_pepper(config.from_settings(settings))
    if cfg.is_dev_pepper:
        click.echo("warning: HELPLINE_PEPPER is not set; using the development pepper (never in production)",
                   err=True)
    kb = kb_mod.load(settings.locales_dir, settings.deployment_file)
    i18n = I18n(load_catalogs(settings.locales_dir), kb, settings.default_language)
    sessions = env().sessions
    try:
        report = import_csv(sessions, file, config=cfg, now=utcnow(), render=i18n.render, dry_run=dry_run)
    except SQLAlchemyError as exc:  # rolled back: nothing was written
        raise click.ClickException(f"database error, nothing written: {type(exc).__name__}") from None
    finally:
        sessions.kw["bind"].dispose()
    import_done(report)
