//! Container images: docker-archive, OCI archive/layout and registry readers, layer file
//! trees, wasted bytes, findings and image comparison.
