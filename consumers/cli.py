"""`stream-imbal serve` (and `python -m consumers`): the command of the Kafka service. The
library's command line lists it and imports this module only when it runs, so the library
itself never imports Kafka."""

from __future__ import annotations

import dataclasses
import pathlib

import click

from consumers.config import load_config
from consumers.kafka_io import KafkaError
from consumers.logs import configure_logging
from consumers.service import Service
from stream_imbal.exceptions import StreamImbalError
from stream_imbal.signing import SnapshotError


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=pathlib.Path),
    help="Service configuration (TOML); environment variables STREAM_IMBAL__SECTION__KEY "
    "override it.",
)
@click.option(
    "--role",
    type=click.Choice(["both", "learner", "scorer"]),
    help="Override [scale] role: 'both' learns and scores; for scale, one 'learner' and any "
    "number of 'scorer's.",
)
def serve(config_path: pathlib.Path | None, role: str | None) -> None:
    """Serve predictions from a Kafka events topic, learning from labels as they come."""
    try:
        config = load_config(config_path)
        if role is not None:
            config = dataclasses.replace(config, scale=dataclasses.replace(config.scale, role=role))
    except StreamImbalError as error:
        raise click.UsageError(str(error)) from error
    configure_logging(config.logging.level, config.logging.json, config.logging.client_level)
    try:
        service = Service(config)
    except (SnapshotError, StreamImbalError) as error:
        raise click.UsageError(str(error)) from error
    try:
        code = service.run()
    except SnapshotError as error:
        raise click.ClickException(f"refusing a checkpoint: {error}") from error
    except StreamImbalError as error:  # at start: the topics do not fit the configuration
        raise click.ClickException(str(error)) from error
    except KafkaError as error:  # at start: the brokers cannot be reached
        servers = config.kafka.bootstrap_servers
        raise click.ClickException(
            f"cannot reach Kafka at {servers} ([kafka] bootstrap_servers, or the environment "
            f"variable STREAM_IMBAL__KAFKA__BOOTSTRAP_SERVERS): {error}"
        ) from None
    raise SystemExit(code)
