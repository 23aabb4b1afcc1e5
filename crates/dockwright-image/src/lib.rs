//! Container images: docker-archive, OCI archive/layout, registry and engine readers, layer
//! file trees, dive-compatible and reclaimable waste, findings, image comparison and CI gates.
//!
//! Reading an image is three steps: [`source::resolve`] reads the metadata (manifest, config,
//! the list of layer blobs), [`load::load`] streams every layer into a compact tree, and
//! [`report::analyze`] computes the figures and findings.

pub mod blob;
pub mod ci;
pub mod diff;
pub mod dive;
pub mod error;
pub mod findings;
pub mod layer;
pub mod load;
pub mod merge;
pub mod paths;
pub mod report;
pub mod source;
pub mod spec;

pub use error::{ImageError, Result};
pub use load::LoadedImage;
pub use report::ImageReport;
pub use source::reference::ImageReference;
