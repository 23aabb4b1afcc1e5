"""HTTP front end: upload audio, get a transcript."""

import argparse

import numpy as np
import soundfile
from fastapi import FastAPI, UploadFile

from transcriber import _features

app = FastAPI(title="transcriber")


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.post("/transcribe")
async def transcribe(audio: UploadFile) -> dict:
    samples, rate = soundfile.read(audio.file, dtype="float32")
    energy = _features.frame_energy(np.ascontiguousarray(samples).tobytes(), rate // 100)
    voiced = sum(1 for e in energy if e > 0.01)
    return {"frames": len(energy), "voiced_frames": voiced, "text": ""}


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
