"""Shared fixtures: one real Kafka-protocol broker per test session, started on first use."""

from __future__ import annotations

import pytest

from tests.kafka_broker import Broker


@pytest.fixture(scope="session")
def broker():
    broker = Broker()
    broker.start()
    yield broker
    broker.stop()
