//! A local docker or podman engine, through its API socket.

use std::path::Path;

use super::{ResolveOptions, ResolvedImage};
use crate::error::{ImageError, Result};

/// Reads an image from a local engine.
pub fn resolve(
    name: &str,
    _socket: Option<&Path>,
    _opts: &ResolveOptions,
) -> Result<ResolvedImage> {
    Err(ImageError::invalid(
        name,
        "engine sources are not built yet",
    ))
}
