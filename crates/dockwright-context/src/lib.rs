//! The build context: `.dockerignore` with BuildKit's exact semantics, the context walk,
//! COPY/ADD source resolution and the cache-key model.
