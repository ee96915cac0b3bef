"""The research benchmarks: scripts, and the harness they share (`benchmarks.harness`).

Not part of the installed library: run them from a checkout of the repository, e.g.
`python benchmarks/bench.py --suite report`.
"""
