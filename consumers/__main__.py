"""`python -m consumers --config service.toml`: the same as `stream-imbal serve`."""

from consumers.cli import serve

serve(prog_name="python -m consumers")
