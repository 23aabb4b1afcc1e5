//! The manifest, index, config, `manifest.json`, `.dive-ci` and reference readers on arbitrary
//! bytes.
#![no_main]

use dockwright_image::ci::CiConfig;
use dockwright_image::source::reference::{ImageReference, RegistryRef};
use dockwright_image::spec::{self, ArchiveManifestEntry, Digest, ImageConfig, Index, Manifest, Platform};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = spec::is_index(data);
    if let Ok(index) = spec::parse_json::<Index>(data, "fuzz") {
        let _ = spec::select_platform(&index, &Platform::host(), "fuzz");
        let _ = spec::select_platform(&index, &Platform { os: "linux".into(), architecture: "arm".into(), variant: Some("v7".into()) }, "fuzz");
    }
    if let Ok(m) = spec::parse_json::<Manifest>(data, "fuzz") {
        let _ = spec::check_manifest(&m, "fuzz");
    }
    let _ = spec::parse_json::<ImageConfig>(data, "fuzz");
    let _ = spec::parse_json::<Vec<ArchiveManifestEntry>>(data, "fuzz");
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(c) = CiConfig::parse(text, "fuzz") {
            let _ = c.validate();
        }
        let _ = Digest::parse(text, "fuzz");
        let _ = Platform::parse(text);
        let _ = RegistryRef::parse(text);
        if !text.contains('\0') && !std::path::Path::new(text).exists() {
            let _ = ImageReference::parse(text);
        }
        let _ = dockwright_image::ci::parse_bytes(text);
    }
});
