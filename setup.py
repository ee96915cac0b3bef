"""The compiled kernels, built with the machine's C compiler (the rest is in pyproject.toml).

`-ffp-contract=off` keeps the C compiler from fusing a multiplication and an addition into one
rounding (it would on ARM): each operation rounds as Python's does, so the compiled code's
numbers are the Python code's they replace, to the last bit.
"""

from __future__ import annotations

import sys

from Cython.Build import cythonize
from setuptools import Extension, setup

FLAGS = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off"]

#: The compiled modules, each beside the Python module whose per-event work it does.
MODULES = (
    "stream_imbal._balancing",
    "stream_imbal._calibration",
    "stream_imbal._classifier",
    "stream_imbal._drift",
    "stream_imbal._fhddm",
    "stream_imbal._fields",
    "stream_imbal._hoeffding",
    "stream_imbal._logistic",
    "stream_imbal._pending",
    "stream_imbal._pool",
    "stream_imbal._priors",
    "stream_imbal._scaling",
)

setup(
    ext_modules=cythonize(
        [
            Extension(name, [name.replace(".", "/") + ".pyx"], extra_compile_args=FLAGS)
            for name in MODULES
        ],
        compiler_directives={"language_level": "3"},
    )
)
