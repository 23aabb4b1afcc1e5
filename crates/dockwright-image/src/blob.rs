//! Reading blobs: compression sniffing, digest verification, decompression with a cap on the
//! expansion ratio, and byte counting for progress.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest as _, Sha256, Sha512};

use crate::error::{ImageError, Result};
use crate::spec::Digest;

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// A plain tar.
    None,
    /// gzip (also estargz).
    Gzip,
    /// Zstandard (also zstd:chunked).
    Zstd,
}

impl Compression {
    /// Recognises the compression from the first bytes of a blob (media types lie often
    /// enough that the bytes decide).
    pub fn sniff(prefix: &[u8]) -> Compression {
        if prefix.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if prefix.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// Receives byte counts while blobs are read (drives a progress bar).
pub trait Progress: Send + Sync {
    /// Reading starts; `total` bytes are expected (0 if unknown).
    fn start(&self, _total: u64) {}
    /// `bytes` more compressed bytes were read.
    fn advance(&self, bytes: u64);
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn advance(&self, _bytes: u64) {}
}

enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    fn for_digest(d: &Digest) -> Hasher {
        if d.algorithm == "sha512" {
            Hasher::Sha512(Sha512::new())
        } else {
            Hasher::Sha256(Sha256::new())
        }
    }
    fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }
    fn finish(self) -> String {
        match self {
            Hasher::Sha256(h) => format!("sha256:{:x}", h.finalize()),
            Hasher::Sha512(h) => format!("sha512:{:x}", h.finalize()),
        }
    }
}

/// Hashes everything read through it; [`DigestCheck::verify`] compares at the end.
pub struct HashingReader<R> {
    inner: R,
    hasher: Option<Hasher>,
    counter: Arc<AtomicU64>,
    progress: Option<Arc<dyn Progress>>,
}

impl<R: Read> HashingReader<R> {
    /// Counts bytes read from `inner`, hashing them when `expected` is given.
    pub fn new(inner: R, expected: Option<&Digest>, progress: Option<Arc<dyn Progress>>) -> Self {
        HashingReader {
            inner,
            hasher: expected.map(Hasher::for_digest),
            counter: Arc::new(AtomicU64::new(0)),
            progress,
        }
    }

    /// A handle on the number of bytes read so far.
    pub fn counter(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.counter)
    }

    /// Reads the rest of the stream (so the digest covers every byte) and returns the digest.
    pub fn finish(mut self) -> io::Result<Option<String>> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(self.hasher.take().map(Hasher::finish))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(buf.get(..n).unwrap_or_default());
        }
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        if let Some(p) = &self.progress {
            p.advance(n as u64);
        }
        Ok(n)
    }
}

/// Compares a computed digest with the expected one.
pub fn check_digest(context: &str, expected: &Digest, actual: Option<String>) -> Result<()> {
    let expected_text = expected.to_string();
    match actual {
        Some(actual) if actual != expected_text => Err(ImageError::DigestMismatch {
            context: context.to_string(),
            expected: expected_text,
            actual,
        }),
        _ => Ok(()),
    }
}

/// Limits on decompression.
#[derive(Debug, Clone, Copy)]
pub struct BombLimit {
    /// Largest decompressed ÷ compressed ratio accepted once past `floor`.
    pub ratio: u64,
    /// Decompressed bytes always allowed, whatever the ratio.
    pub floor: u64,
}

impl Default for BombLimit {
    fn default() -> Self {
        // A file of zeros gzips about 1000:1, so real layers stay well below 5000:1; zstd
        // bombs run to 30000:1 and more.
        BombLimit {
            ratio: 5000,
            floor: 1 << 30,
        }
    }
}

/// Stops a decompressor whose output grows beyond the ratio limit.
pub struct BombGuard<R> {
    inner: R,
    compressed: Arc<AtomicU64>,
    out: u64,
    limit: BombLimit,
    context: String,
}

impl<R: Read> BombGuard<R> {
    /// Guards `inner`, whose compressed input count is `compressed`.
    pub fn new(inner: R, compressed: Arc<AtomicU64>, limit: BombLimit, context: String) -> Self {
        BombGuard {
            inner,
            compressed,
            out: 0,
            limit,
            context,
        }
    }
}

/// The error a [`BombGuard`] stops with, carried through `io::Error`.
#[derive(Debug)]
pub struct BombTripped(pub ImageError);

impl std::fmt::Display for BombTripped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
impl std::error::Error for BombTripped {}

impl<R: Read> Read for BombGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        if self.out > self.limit.floor {
            let compressed = self.compressed.load(Ordering::Relaxed).max(1);
            if self.out / compressed > self.limit.ratio {
                return Err(io::Error::other(BombTripped(
                    ImageError::DecompressionBomb {
                        context: self.context.clone(),
                        limit: self.out,
                        compressed,
                        ratio: self.limit.ratio,
                    },
                )));
            }
        }
        Ok(n)
    }
}

/// Turns an `io::Error` from a blob read into an [`ImageError`], keeping a tripped bomb guard.
pub fn io_error(context: &str, err: io::Error) -> ImageError {
    if err.get_ref().is_some_and(|e| e.is::<BombTripped>()) {
        if let Some(inner) = err.into_inner() {
            if let Ok(b) = inner.downcast::<BombTripped>() {
                return b.0;
            }
            return ImageError::invalid(context, "decompression failed");
        }
        return ImageError::invalid(context, "decompression failed");
    }
    match err.kind() {
        io::ErrorKind::UnexpectedEof => {
            ImageError::invalid(context, "truncated: the data ends early")
        }
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::Other => {
            ImageError::invalid(context, format!("corrupt data: {err}"))
        }
        _ => ImageError::io(context, err),
    }
}

/// Wraps a compressed stream in the right decoder.
pub fn decoder<'a, R: io::BufRead + 'a>(
    compression: Compression,
    input: R,
    context: &str,
) -> Result<Box<dyn Read + 'a>> {
    Ok(match compression {
        Compression::None => Box::new(input),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(input)),
        Compression::Zstd => Box::new(
            zstd::stream::read::Decoder::with_buffer(input)
                .map_err(|e| ImageError::invalid(context, format!("zstd: {e}")))?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn sniffs_compression() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(
            Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
            Compression::Zstd
        );
        assert_eq!(Compression::sniff(b"usr/"), Compression::None);
        assert_eq!(Compression::sniff(b""), Compression::None);
    }

    #[test]
    fn bomb_guard_trips() {
        let zeros = vec![0u8; 4 << 20];
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&zeros).unwrap();
        let gz = enc.finish().unwrap();
        let hashing = HashingReader::new(&gz[..], None, None);
        let counter = hashing.counter();
        let dec = decoder(Compression::Gzip, io::BufReader::new(hashing), "t").unwrap();
        let mut guard = BombGuard::new(
            dec,
            counter,
            BombLimit {
                ratio: 100,
                floor: 1 << 20,
            },
            "layer x".into(),
        );
        let err = io::copy(&mut guard, &mut io::sink()).unwrap_err();
        let err = io_error("layer x", err);
        assert!(matches!(err, ImageError::DecompressionBomb { .. }), "{err}");
        assert!(err.to_string().contains("decompression bomb"));
    }

    #[test]
    fn digest_is_checked() {
        let d = Digest::parse(&format!("sha256:{}", "0".repeat(64)), "t").unwrap();
        let r = HashingReader::new(&b"hello"[..], Some(&d), None);
        let got = r.finish().unwrap();
        let err = check_digest("blob", &d, got).unwrap_err();
        assert!(err.to_string().contains("digest mismatch"));
    }
}
