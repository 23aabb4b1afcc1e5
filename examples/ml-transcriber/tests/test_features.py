import array

from transcriber import _features


def test_frame_energy_of_silence_is_zero():
    silence = array.array("f", [0.0] * 320).tobytes()
    assert _features.frame_energy(silence, 160) == [0.0, 0.0]
