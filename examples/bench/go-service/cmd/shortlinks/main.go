// Command shortlinks serves a URL shortener over HTTP.
//
//	POST /links   body: the target URL     → 201 {"code": "..."}
//	GET  /{code}                            → 302 to the target
//	GET  /healthz                           → 200 {"status":"ok","links":N}
package main

import (
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"strings"

	"example.com/shortlinks/internal/store"
)

func main() {
	check := flag.Bool("check", false, "print the version and exit")
	flag.Parse()
	if *check {
		os.Stdout.WriteString("shortlinks 1.3.0\n")
		return
	}
	addr := ":" + envOr("PORT", "8080")
	log.Printf("shortlinks listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, routes(store.New())))
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func routes(s *store.Store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "links": s.Len()})
	})
	mux.HandleFunc("/links", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST a URL", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 4096))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		code, err := s.Shorten(strings.TrimSpace(string(body)))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"code": code})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		target, ok := s.Resolve(strings.TrimPrefix(r.URL.Path, "/"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, target, http.StatusFound)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
