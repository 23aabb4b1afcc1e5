"""Word statistics: counts and frequencies, with the tokenizer written in C."""

from textstats._wordcount import count_words, top_words

__all__ = ["count_words", "top_words", "summary"]
__version__ = "1.2.0"


def summary(text: str, top: int = 5) -> dict:
    """Returns the word count and the `top` most frequent words of `text`."""
    return {"words": count_words(text), "top": top_words(text, top)}
