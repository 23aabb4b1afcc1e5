// Package store keeps short links in memory, safe for concurrent use.
package store

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"sync"
)

// ErrInvalidURL is returned for targets that are not absolute http(s) URLs.
var ErrInvalidURL = errors.New("target must be an absolute http or https URL")

// Store maps short codes to target URLs.
type Store struct {
	mu    sync.RWMutex
	links map[string]string
}

// New returns an empty store.
func New() *Store {
	return &Store{links: make(map[string]string)}
}

// Shorten stores target and returns its code; the same target always gets the same code.
func (s *Store) Shorten(target string) (string, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", ErrInvalidURL
	}
	sum := sha256.Sum256([]byte(target))
	code := base64.RawURLEncoding.EncodeToString(sum[:])[:8]
	s.mu.Lock()
	s.links[code] = target
	s.mu.Unlock()
	return code, nil
}

// Resolve returns the target of code.
func (s *Store) Resolve(code string) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	target, ok := s.links[code]
	return target, ok
}

// Len is the number of stored links.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.links)
}
