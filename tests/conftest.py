"""Shared fixtures: one real Kafka-protocol broker per test session, started on first use, and
a seeded generator for random moments."""

from __future__ import annotations

import os
import random

import pytest

from benchmarks.harness.kafka_broker import Broker


@pytest.fixture(scope="session")
def broker():
    broker = Broker()
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def seeded(request):
    """A seeded random generator for moments chosen at random (kills, ...): the seed is
    printed (shown with a failure) and can be replayed with STREAM_IMBAL_TEST_SEED."""
    seed = int(os.environ.get("STREAM_IMBAL_TEST_SEED") or random.randrange(2**32))
    print(f"{request.node.name}: STREAM_IMBAL_TEST_SEED={seed}")
    rng = random.Random(seed)
    rng.seed_text = f"STREAM_IMBAL_TEST_SEED={seed}"
    return rng
