"""docker-compose.yml and the Dockerfile agree with the service's configuration schema.

No Docker engine runs here, so the file is checked, not run: it parses, its topics, ports,
volumes and environment variables are the ones the service and the replay command read.
"""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

from consumers.config import ENV_PREFIX, load_config
from stream_imbal.cli import main

REPO = pathlib.Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def resolved(environment: dict) -> dict[str, str]:
    """Compose's `${VAR:-default}` substitution, with VAR unset."""
    return {k: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(v)) for k, v in environment.items()}


INSTANCES = ["learner", "scorer-1", "scorer-2"]


def configured(name: str):
    """The configuration an instance of the compose file runs with, and its environment."""
    env = resolved(SERVICES[name]["environment"])
    command = SERVICES[name]["command"]
    role = command[command.index("--role") + 1]
    env["STREAM_IMBAL__SCALE__ROLE"] = role  # as `serve --role` sets it
    return load_config(REPO / command[command.index("--config") + 1], environ=env), env


@pytest.fixture(scope="module")
def service_config():
    return configured("learner")


def test_one_learner_and_two_scorers_with_their_own_ids_and_ports():
    configs = {name: configured(name)[0] for name in INSTANCES}
    assert [c.scale.role for c in configs.values()] == ["learner", "scorer", "scorer"]
    assert len({c.kafka.group_instance_id for c in configs.values()}) == 3
    ports = [SERVICES[name]["ports"][0].split(":")[0] for name in INSTANCES]
    assert len(set(ports)) == 3
    assert {c.topics.model_topic for c in configs.values()} == {"events.model"}
    script = SERVICES["topics"]["command"][0]
    assert "create events.model --partitions 1 --config cleanup.policy=compact" in script


def test_kafka_is_the_official_image_in_kraft_mode_with_a_healthcheck():
    kafka = SERVICES["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]
    assert "healthcheck" in kafka and all("healthcheck" in SERVICES[n] for n in INSTANCES)
    assert SERVICES["topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"


def test_every_environment_variable_is_a_setting_of_the_service(service_config):
    config, env = service_config
    service_vars = [k for k in env if k.startswith(ENV_PREFIX)]
    assert service_vars, "the service's broker address comes from the environment"
    host, port = config.kafka.bootstrap_servers.split(":")
    assert (
        f"PLAINTEXT://{host}:{port}"
        in SERVICES["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    )
    assert config.checkpoint.key_env in env


def test_the_topic_creator_makes_the_topics_the_service_uses(service_config):
    config, _ = service_config
    script = SERVICES["topics"]["command"][0]
    created = dict(re.findall(r"create ([\w.-]+) --partitions (\d+)", script))
    for topic in (config.topics.events, config.topics.labels, config.topics.predictions):
        assert topic in created
    assert config.topics.dead_letters in created and config.checkpoint.topic in created
    assert created[config.topics.events] == created[config.topics.labels], "co-partitioned"


def test_ports_and_volumes_match_the_configuration(service_config):
    config, _ = service_config
    service = SERVICES["learner"]
    assert f"{config.metrics.port}:{config.metrics.port}" in service["ports"]
    assert f":{config.metrics.port}/metrics" in " ".join(service["healthcheck"]["test"])
    mounts = {v.split(":")[1] for v in service["volumes"]}
    assert config.checkpoint.directory in mounts
    assert "checkpoints" in COMPOSE["volumes"]


def test_the_replay_producer_feeds_the_service_topics(service_config):
    config, _ = service_config
    replay = SERVICES["replay"]
    args = replay["command"]
    assert args[0] == "replay" and (REPO / args[1]).is_file()
    assert args[args.index("--to-kafka") + 1] == config.topics.events
    assert args[args.index("--labels-topic") + 1] == config.topics.labels
    assert replay["environment"]["STREAM_IMBAL_BOOTSTRAP_SERVERS"] == (
        config.kafka.bootstrap_servers
    )
    command = main.get_command(None, "replay")
    with command.make_context("replay", list(args[1:])) as context:  # the options parse
        assert context.params


def test_the_dockerfile_copies_what_exists_and_runs_the_service():
    dockerfile = (REPO / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (.+) \S+$", dockerfile, flags=re.M):
        for path in source.split():
            assert (REPO / path).exists(), path
    assert '"serve", "--config", "config/service.toml"' in dockerfile
    assert all(SERVICES[n]["build"] == "." for n in [*INSTANCES, "replay"])
