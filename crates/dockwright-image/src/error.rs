//! Errors reading an image. Each names the file, blob or entry it is about.

/// Why an image could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The operating system refused a read.
    #[error("{context}: {source}")]
    Io {
        /// What was being read (a path, a blob digest, a URL).
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The input is not what it claims to be (bad JSON, a broken tar, a missing blob).
    #[error("{context}: {message}")]
    Invalid {
        /// What was being read.
        context: String,
        /// What is wrong with it.
        message: String,
    },
    /// A blob's content does not hash to the digest that names it.
    #[error("{context}: digest mismatch: expected {expected}, computed {actual}")]
    DigestMismatch {
        /// Which blob.
        context: String,
        /// The digest the manifest or file name gives.
        expected: String,
        /// The digest of the bytes read.
        actual: String,
    },
    /// A compressed blob expands far beyond any plausible layer.
    #[error(
        "{context}: decompressed size passed {limit} bytes, more than {ratio}x its {compressed} compressed bytes (a decompression bomb?)"
    )]
    DecompressionBomb {
        /// Which blob.
        context: String,
        /// The decompressed bytes at which reading stopped.
        limit: u64,
        /// The compressed bytes read so far.
        compressed: u64,
        /// The largest expansion ratio allowed.
        ratio: u64,
    },
    /// A registry or engine answered with an error.
    #[error("{context}: {message}")]
    Remote {
        /// The URL or endpoint.
        context: String,
        /// What it said.
        message: String,
    },
}

impl ImageError {
    /// An [`ImageError::Invalid`] about `context`.
    pub fn invalid(context: impl Into<String>, message: impl Into<String>) -> Self {
        ImageError::Invalid {
            context: context.into(),
            message: message.into(),
        }
    }

    /// An [`ImageError::Io`] about `context`.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        ImageError::Io {
            context: context.into(),
            source,
        }
    }
}

/// Result of reading an image.
pub type Result<T, E = ImageError> = std::result::Result<T, E>;
