"""Masar: a multilingual safety-information chatbot for people on the move.

OpenMP reads its thread count once, when the first OpenMP library loads; scikit-learn (imported
by Rasa) and the embedding engine share one libgomp build, so the limit must be set before
anything else is imported. One thread per process: on 2 cores, a second OpenMP thread made a
30 ms embedding take 300+ ms whenever another process was busy (MASAR_NLU_THREADS to change).

JAX: TensorFlow (imported by Rasa) tries `import jax` for TFLite conversion, which Masar never
uses, and that import alone costs ~65 MB of memory and ~0.35 s per process (measured: `import rasa`
peaks at 467 MB without it, 531 MB with it). Marking the module as
absent makes TensorFlow's guarded import fail fast (MASAR_ALLOW_JAX=1 to let it load).
"""

import os as _os
import sys as _sys

from .settings import Process as _Process  # reads the environment; imports no library

_process = _Process.from_env()
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_name, _process.nlu_threads)  # for the libraries, which read it

if not _process.allow_jax and "jax" not in _sys.modules:
    _sys.modules["jax"] = None  # type: ignore[assignment]  # `import jax` now raises ImportError

from . import quiet as _quiet  # noqa: E402  (after the thread settings above, before any library)

_quiet.install()
