"""`python -m consumers --config service.toml`: the same as `stream-imbal serve`."""

from stream_imbal.cli.serve import serve

serve(prog_name="python -m consumers")
