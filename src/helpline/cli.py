"""The core's commands: database, knowledge base, FAQ matching, staff, status registry, complaints.

The ``helpline`` command itself is composed in ``webhooks.main``, where the channels are visible too (serve,
worker, telegram, chat); the core never imports them. Every command reads settings, opens the database and
builds the core the same way: through :func:`env`. Commands import what they need when they run, so
``helpline --help`` stays fast.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from helpline.errors import ConfigError, HelplineError
from helpline.settings import REPO_ROOT, Settings, load_settings

SHARED_TOPICS = REPO_ROOT.parent / "shared" / "knowledge" / "topics.md"


class CliEnv:
    """What a command needs, each read or built on first use: the settings, the database, the core."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._engine: Any = None
        self._sessions: Any = None
        self._core: Any = None

    @property
    def settings(self) -> Settings:
        """The settings from the environment (and ``.env``); a bad value is a click error naming it."""
        if self._settings is None:
            try:
                self._settings = load_settings()
                from helpline import crypto

                crypto.configure(self._settings)  # the data keys, before any row is read or migrated
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._settings

    def require(self, name: str, *, purpose: str) -> Settings:
        """The settings, with ``name`` set (else a click error saying which variable ``purpose`` needs)."""
        try:
            self.settings.require(name, purpose=purpose)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        return self.settings

    @property
    def engine(self) -> Any:
        """The database engine; a SQLite file is created and upgraded by itself, PostgreSQL must be current."""
        if self._engine is None:
            from helpline.storage import db

            engine = db.make_engine(self.settings.database_url)
            if engine.dialect.name == "sqlite":
                db.upgrade(engine)
            elif not db.is_up_to_date(engine):
                raise click.ClickException("the database schema is not up to date: run `helpline db upgrade`")
            self._engine = engine
        return self._engine

    @property
    def sessions(self) -> Any:  # sessionmaker[Session]
        """A session factory on the configured database."""
        if self._sessions is None:
            from helpline.storage import db

            self._sessions = db.make_session_factory(self.engine)
        return self._sessions

    @property
    def core(self) -> Any:  # helpline.pipeline.Core
        """The core, built by :func:`helpline.wiring.build_core` from the settings."""
        if self._core is None:
            from helpline.wiring import build_core

            try:
                self._core = build_core(self.settings)
            except HelplineError as exc:
                raise click.ClickException(str(exc)) from None
        return self._core


def env() -> CliEnv:
    """The running command's :class:`CliEnv` (one per invocation, shared by the group and its subcommand)."""
    return click.get_current_context().find_root().ensure_object(CliEnv)


def import_done(report: Any) -> None:
    """Tell the operator how a registry import went (the status registry, the OEP list): each rejected row with
    its line number, how many more, the summary; exit 1 when rows were rejected (nothing was written)."""
    for line, message in report.errors:
        click.echo(f"line {line}: {message}", err=True)
    if report.rejected > len(report.errors):
        click.echo(f"... and {report.rejected - len(report.errors)} more rejected row(s)", err=True)
    click.echo(report.summary())
    if report.rejected:
        sys.exit(1)


@click.group()
@click.version_option(package_name="helpline")
def main() -> None:
    """Helpline for Pakistani migrant workers: FAQ answers, complaints and status checks."""
    from helpline.privacy import install_log_masking

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    install_log_masking()


# -- database ---------------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    from helpline.storage import db as storage

    settings = env().settings
    storage.upgrade(settings.database_url, revision)
    click.echo(f"database at {settings.database_url_masked} is at {revision}")


@db.command("current")
def db_current() -> None:
    """Print the database's schema revision."""
    from helpline.storage import db as storage

    engine = storage.make_engine(env().settings.database_url)
    click.echo(storage.current_revision(engine) or "(empty)")
    engine.dispose()


@db.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--empty", is_flag=True, help="Do not autogenerate from the models.")
def db_revision(message: str, empty: bool) -> None:
    """Create a new migration from the difference between the models and the database."""
    from helpline.storage import db as storage

    click.echo(storage.revision(message, autogenerate=not empty, url=env().settings.database_url))


# -- knowledge base ---------------------------------------------------------------------------------------


@main.group()
def kb() -> None:
    """The FAQ knowledge base under locales/kb."""


@kb.command("check")
@click.option("--topics-md", type=click.Path(path_type=Path), default=None,
              help="A topics.md whose topic ids must all be covered (default: ../shared/knowledge/topics.md).")
def kb_check(topics_md: Path | None) -> None:
    """Validate every topic: ids, languages, sources (classified, none foreign, secondary ones said so), GSM-7
    purity, SMS length, placeholders."""
    from helpline import kb as kb_mod
    from helpline import kb_sources

    settings = env().settings
    base = kb_mod.load(settings.locales_dir, settings.deployment_file)
    topics_md = topics_md or (SHARED_TOPICS if SHARED_TOPICS.exists() else None)
    expected = kb_mod.topic_ids_from_markdown(topics_md) if topics_md else None
    problems = kb_mod.check(base, expected)
    if (settings.locales_dir / "kb" / kb_sources.SOURCES_FILE).exists():  # sources that apply (issue 14, item 4)
        problems += kb_sources.problems(base, settings.locales_dir / "kb")
    for problem in problems:
        click.echo(problem)
    gaps = kb_mod.gaps(base)
    if gaps:
        click.echo("What a worker is not told under this deployment (the answer's fallback is shown instead):")
    for (tid, lang), names in sorted(gaps.items()):
        click.echo(f"  {tid}/{lang}: " + "; ".join(base.placeholders.get(n, n) for n in names))
    unset = sorted(n for n in base.placeholders if not base.value(n))
    defaulted = sorted(n for n in base.placeholders if not base.values.get(n) and base.value(n))
    click.echo(f"{len(base.topics)} topics, {len(problems)} problem(s); {len(base.placeholders)} placeholder(s): "
               f"{len(unset)} unset, {len(defaulted)} from public defaults ({', '.join(defaulted) or 'none'}); "
               f"unset: {', '.join(unset) or 'none'}")
    if problems:
        sys.exit(1)


@kb.command("export-examples")
@click.option("--dry-run", is_flag=True, help="Only count what would be added; write nothing.")
def kb_export_examples(dry_run: bool) -> None:
    """Append the examples staff taught in the console to locales/kb/examples/<topic>.toml, for review.

    Strings already in a file are not added again, so running it twice changes nothing.
    """
    from helpline import teaching

    settings, sessions = env().settings, env().sessions
    examples_dir = Path(settings.locales_dir).joinpath(*teaching.EXAMPLES_DIR)
    try:
        with sessions() as session:
            counts = teaching.export(session, settings.locales_dir, dry_run=dry_run)
    except HelplineError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        sessions.kw["bind"].dispose()
    for name, n in counts.items():
        click.echo(f"{examples_dir / name}: {n} new example(s)")
    verb = "would add" if dry_run else "added"
    click.echo(f"{verb} {sum(counts.values())} example(s) to {sum(1 for n in counts.values() if n)} file(s)"
               + (" (dry run: nothing written)" if dry_run else ""))


# -- FAQ matching -----------------------------------------------------------------------------------------


@main.group()
def faq() -> None:
    """FAQ matching, for people and for scripts."""


def _match_record(matcher, text: str) -> dict:
    m = matcher.match(text)
    intent = matcher.intent(text)
    return {"text": text, "topic": m.predicted, "score": round(m.score, 4), "lang": m.lang, "action": m.action,
            "suggestions": list(m.suggestions), "declined": m.declined, "intent": intent[0] if intent else None}


@faq.command("match")
@click.option("--jsonl", is_flag=True, required=True, help="One message per stdin line → one JSON object per line.")
def faq_match(jsonl: bool) -> None:
    """Match messages from stdin: {"text", "topic" (id or null), "score", "lang", "action" (answer, suggest or
    decline), "suggestions", "declined" (out_of_scope or an intent, when declined), "intent"} per line."""
    matcher = env().core.matcher
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        click.echo(json.dumps(_match_record(matcher, text), ensure_ascii=False))


@faq.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--show-errors", is_flag=True, help="List the rows it got wrong.")
def faq_eval(file: Path, show_errors: bool) -> None:
    """Per language: top-1, answered and right, answered and WRONG, suggested, and out-of-scope (NONE) rows
    declined, for a TSV (text, expected_topic, lang)."""
    from helpline.evaluation import evaluate, read_tsv

    core = env().core
    report = evaluate(core.matcher, read_tsv(file))
    click.echo(report.format(show_errors=show_errors))


@faq.command("cv")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20))
def faq_cv(folds: int) -> None:
    """Cross-validate the classifier over its training data (k folds): the figures its thresholds come from."""
    from helpline import kb as kb_mod
    from helpline.classifier import cross_validate
    from helpline.training import load_training

    settings = env().settings
    base = kb_mod.load(settings.locales_dir, settings.deployment_file)
    click.echo(cross_validate(load_training(settings.locales_dir, base), k=folds).format())


from helpline.console.cli import staff as _staff  # noqa: E402

main.add_command(_staff)

from helpline.status.cli import status as _status  # noqa: E402

main.add_command(_status)

from helpline.complaints.cli import complaints as _complaints  # noqa: E402  (imports only click)

main.add_command(_complaints)

from helpline.oep.cli import oep as _oep  # noqa: E402  (imports only click)

main.add_command(_oep)

from helpline.privacy_cli import privacy as _privacy  # noqa: E402  (imports only click)

main.add_command(_privacy)

if __name__ == "__main__":  # pragma: no cover
    main()
