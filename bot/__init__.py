"""Masar: a multilingual safety-information chatbot for people on the move.

OpenMP reads its thread count once, when the first OpenMP library loads; scikit-learn (imported
by Rasa) and the embedding engine share one libgomp build, so the limit must be set before
anything else is imported. One thread per process: on 2 cores, a second OpenMP thread made a
30 ms embedding take 300+ ms whenever another process was busy (MASAR_NLU_THREADS to change).
"""
import os as _os

_threads = _os.environ.get("MASAR_NLU_THREADS", "1")
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_name, _threads)
