import unittest

from textstats import count_words, summary, top_words


class WordCountTest(unittest.TestCase):
    def test_counts_words_across_punctuation(self):
        self.assertEqual(count_words("Hello, world! It's 2024."), 4)

    def test_top_words_orders_by_count_then_word(self):
        self.assertEqual(top_words("b a b c a b", 2), [("b", 3), ("a", 2)])

    def test_summary(self):
        self.assertEqual(summary("x y x", 1), {"words": 3, "top": [("x", 2)]})


if __name__ == "__main__":
    unittest.main()
