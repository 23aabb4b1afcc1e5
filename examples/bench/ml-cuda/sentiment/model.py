"""Loads the model (vocabulary, weights, bias) and scores texts with the native kernel."""

import ctypes
import json
import os
import re
from pathlib import Path

import numpy as np

_KERNEL = ctypes.CDLL(str(Path(__file__).with_name("libscore.so")))
_KERNEL.score_batch.argtypes = [
    ctypes.c_void_p,
    ctypes.c_size_t,
    ctypes.c_size_t,
    ctypes.c_void_p,
    ctypes.c_float,
    ctypes.c_void_p,
]
_KERNEL.score_batch.restype = None

_TOKEN = re.compile(r"[a-z']+")


class Model:
    def __init__(self, path: str):
        spec = json.loads(Path(path).read_text())
        self.vocabulary = {w: i for i, w in enumerate(spec["vocabulary"])}
        self.weights = np.asarray(spec["weights"], dtype=np.float32)
        self.bias = float(spec["bias"])

    def features(self, texts):
        x = np.zeros((len(texts), len(self.vocabulary)), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in _TOKEN.findall(text.lower()):
                j = self.vocabulary.get(token)
                if j is not None:
                    x[i, j] += 1.0
        return x

    def score(self, texts):
        x = np.ascontiguousarray(self.features(texts))
        out = np.empty(len(texts), dtype=np.float32)
        _KERNEL.score_batch(
            x.ctypes.data,
            x.shape[0],
            x.shape[1],
            self.weights.ctypes.data,
            self.bias,
            out.ctypes.data,
        )
        return [round(float(p), 4) for p in out]


def load() -> Model:
    return Model(os.environ.get("MODEL_PATH", "model/weights.json"))
