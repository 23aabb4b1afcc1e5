package store

import "testing"

func TestShortenIsStable(t *testing.T) {
	s := New()
	a, err := s.Shorten("https://example.com/a")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Shorten("https://example.com/a")
	if a != b || len(a) != 8 {
		t.Fatalf("codes %q and %q", a, b)
	}
	if got, ok := s.Resolve(a); !ok || got != "https://example.com/a" {
		t.Fatalf("resolve: %q %v", got, ok)
	}
}

func TestRejectsRelative(t *testing.T) {
	if _, err := New().Shorten("/local"); err != ErrInvalidURL {
		t.Fatalf("got %v", err)
	}
}
