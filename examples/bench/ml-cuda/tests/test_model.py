import unittest

from sentiment.model import load


class ModelTest(unittest.TestCase):
    def test_positive_beats_negative(self):
        good, bad = load().score(["a great movie, loved it", "terrible and boring film"])
        self.assertGreater(good, 0.5)
        self.assertLess(bad, 0.5)


if __name__ == "__main__":
    unittest.main()
