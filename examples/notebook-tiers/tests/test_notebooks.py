import json
import pathlib


def test_every_notebook_is_valid_json():
    for path in pathlib.Path("notebooks").rglob("*.ipynb"):
        json.loads(path.read_text())
