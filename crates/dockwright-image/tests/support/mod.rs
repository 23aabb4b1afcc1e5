//! Writes test images (docker-archive, OCI archive, OCI layout; plain, gzip or zstd layers)
//! from a list of layer entries, so tests need no container engine.
#![allow(dead_code, clippy::unwrap_used, clippy::too_many_arguments)]

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

/// One tar entry.
#[derive(Clone, Debug)]
pub enum E {
    Dir(String, u32),
    File {
        path: String,
        data: Vec<u8>,
        mode: u32,
        uid: u64,
        gid: u64,
    },
    Symlink(String, String),
    HardLink(String, String),
    /// Deletes PATH (writes `.wh.NAME`).
    Whiteout(String),
    /// Hides the lower contents of DIR (writes `DIR/.wh..wh..opq`).
    Opaque(String),
    /// A raw entry: name, type byte, size claimed, data actually written.
    Raw {
        name: Vec<u8>,
        kind: u8,
        size: u64,
        data: Vec<u8>,
    },
}

pub fn file(path: &str, data: &[u8]) -> E {
    E::File {
        path: path.into(),
        data: data.to_vec(),
        mode: 0o644,
        uid: 0,
        gid: 0,
    }
}

pub fn file_owned(path: &str, data: &[u8], mode: u32, uid: u64) -> E {
    E::File {
        path: path.into(),
        data: data.to_vec(),
        mode,
        uid,
        gid: uid,
    }
}

pub fn dir(path: &str) -> E {
    E::Dir(path.into(), 0o755)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comp {
    None,
    Gzip,
    Zstd,
}

#[derive(Clone, Debug, Default)]
pub struct Layer {
    pub entries: Vec<E>,
    pub created_by: String,
}

pub fn layer(created_by: &str, entries: Vec<E>) -> Layer {
    Layer {
        entries,
        created_by: created_by.into(),
    }
}

#[derive(Clone, Debug, Default)]
pub struct TestImage {
    pub layers: Vec<Layer>,
    pub user: Option<String>,
    pub env: Vec<String>,
    pub healthcheck: bool,
    pub ports: Vec<String>,
}

/// Deterministic bytes (xorshift), compressible like real files only a little.
pub fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x & 0xff) as u8
        })
        .collect()
}

fn header(
    path: &[u8],
    kind: tar::EntryType,
    size: u64,
    mode: u32,
    uid: u64,
    gid: u64,
) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_uid(uid);
    h.set_gid(gid);
    h.set_mtime(1_700_000_000);
    let _ = path;
    h
}

fn append(
    b: &mut tar::Builder<Vec<u8>>,
    path: &str,
    kind: tar::EntryType,
    data: &[u8],
    mode: u32,
    uid: u64,
    gid: u64,
    link: Option<&str>,
) {
    let mut h = header(path.as_bytes(), kind, data.len() as u64, mode, uid, gid);
    if let Some(l) = link {
        b.append_link(&mut h, path, l).unwrap();
    } else {
        b.append_data(&mut h, path, data).unwrap();
    }
}

pub fn layer_tar(l: &Layer) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in &l.entries {
        match e {
            E::Dir(p, mode) => append(&mut b, p, tar::EntryType::Directory, &[], *mode, 0, 0, None),
            E::File {
                path,
                data,
                mode,
                uid,
                gid,
            } => append(
                &mut b,
                path,
                tar::EntryType::Regular,
                data,
                *mode,
                *uid,
                *gid,
                None,
            ),
            E::Symlink(p, t) => append(
                &mut b,
                p,
                tar::EntryType::Symlink,
                &[],
                0o777,
                0,
                0,
                Some(t),
            ),
            E::HardLink(p, t) => append(&mut b, p, tar::EntryType::Link, &[], 0o644, 0, 0, Some(t)),
            E::Whiteout(p) => {
                let (d, n) = p.rsplit_once('/').unwrap_or(("", p));
                let name = if d.is_empty() {
                    format!(".wh.{n}")
                } else {
                    format!("{d}/.wh.{n}")
                };
                append(
                    &mut b,
                    &name,
                    tar::EntryType::Regular,
                    &[],
                    0o644,
                    0,
                    0,
                    None,
                )
            }
            E::Opaque(d) => append(
                &mut b,
                &format!("{d}/.wh..wh..opq"),
                tar::EntryType::Regular,
                &[],
                0o644,
                0,
                0,
                None,
            ),
            E::Raw {
                name,
                kind,
                size,
                data,
            } => {
                let mut h = tar::Header::new_old();
                {
                    let raw = h.as_old_mut();
                    let n = name.len().min(100);
                    raw.name[..n].copy_from_slice(&name[..n]);
                }
                h.set_entry_type(tar::EntryType::new(*kind));
                h.set_size(*size);
                h.set_mode(0o644);
                h.set_cksum();
                b.get_mut().extend_from_slice(h.as_bytes());
                b.get_mut().extend_from_slice(data);
                let pad = (512 - data.len() % 512) % 512;
                b.get_mut().extend(std::iter::repeat_n(0u8, pad));
            }
        }
    }
    b.into_inner().unwrap()
}

pub fn sha(data: &[u8]) -> String {
    format!("{:x}", Sha256::digest(data))
}

pub fn compress(data: &[u8], c: Comp) -> Vec<u8> {
    match c {
        Comp::None => data.to_vec(),
        Comp::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        Comp::Zstd => zstd::encode_all(data, 3).unwrap(),
    }
}

pub struct Built {
    pub config: Vec<u8>,
    pub config_digest: String,
    /// (blob, digest hex, media type)
    pub blobs: Vec<(Vec<u8>, String, String)>,
    pub manifest: Vec<u8>,
    pub manifest_digest: String,
}

impl TestImage {
    pub fn new(layers: Vec<Layer>) -> TestImage {
        TestImage {
            layers,
            ..Default::default()
        }
    }

    pub fn build(&self, comps: &[Comp]) -> Built {
        let tars: Vec<Vec<u8>> = self.layers.iter().map(layer_tar).collect();
        let diff_ids: Vec<String> = tars.iter().map(|t| format!("sha256:{}", sha(t))).collect();
        let history: Vec<serde_json::Value> = self
            .layers
            .iter()
            .flat_map(|l| {
                vec![
                    serde_json::json!({"created_by": l.created_by}),
                    serde_json::json!({"created_by": "/bin/sh -c #(nop) ENV X=1", "empty_layer": true}),
                ]
            })
            .collect();
        let mut cfg = serde_json::json!({
            "User": self.user.clone().unwrap_or_default(),
            "Env": self.env,
        });
        if self.healthcheck {
            cfg["Healthcheck"] = serde_json::json!({"Test": ["CMD", "true"]});
        }
        if !self.ports.is_empty() {
            let mut m = serde_json::Map::new();
            for p in &self.ports {
                m.insert(p.clone(), serde_json::json!({}));
            }
            cfg["ExposedPorts"] = serde_json::Value::Object(m);
        }
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "config": cfg,
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": history,
        }))
        .unwrap();
        let config_digest = sha(&config);
        let blobs: Vec<(Vec<u8>, String, String)> = tars
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let c = comps.get(i).copied().unwrap_or(Comp::None);
                let blob = compress(t, c);
                let d = sha(&blob);
                let mt = match c {
                    Comp::None => "application/vnd.oci.image.layer.v1.tar",
                    Comp::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
                    Comp::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
                };
                (blob, d, mt.to_string())
            })
            .collect();
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{config_digest}"), "size": config.len()},
            "layers": blobs.iter().map(|(b, d, mt)| serde_json::json!({"mediaType": mt, "digest": format!("sha256:{d}"), "size": b.len()})).collect::<Vec<_>>(),
        }))
        .unwrap();
        let manifest_digest = sha(&manifest);
        Built {
            config,
            config_digest,
            blobs,
            manifest,
            manifest_digest,
        }
    }

    /// Files of an OCI layout: (name, bytes).
    fn layout_files(&self, comps: &[Comp]) -> Vec<(String, Vec<u8>)> {
        let b = self.build(comps);
        let mut files = vec![(
            "oci-layout".to_string(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        )];
        let index = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{}", b.manifest_digest), "size": b.manifest.len(),
                           "annotations": {"org.opencontainers.image.ref.name": "latest"}}],
        }))
        .unwrap();
        files.push(("index.json".into(), index));
        files.push((
            format!("blobs/sha256/{}", b.manifest_digest),
            b.manifest.clone(),
        ));
        files.push((
            format!("blobs/sha256/{}", b.config_digest),
            b.config.clone(),
        ));
        for (blob, d, _) in &b.blobs {
            files.push((format!("blobs/sha256/{d}"), blob.clone()));
        }
        files
    }

    pub fn write_oci_layout(&self, dir: &Path, comps: &[Comp]) {
        for (name, data) in self.layout_files(comps) {
            let p = dir.join(&name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, data).unwrap();
        }
    }

    pub fn write_oci_archive(&self, path: &Path, comps: &[Comp]) {
        write_tar(path, &self.layout_files(comps));
    }

    /// `docker save` format: legacy `<id>/layer.tar` when every layer is plain, else Docker
    /// 25's `blobs/sha256/` with manifest.json (what dive reads for compressed layers).
    pub fn write_docker_archive(&self, path: &Path, comps: &[Comp]) {
        let b = self.build(comps);
        let legacy = comps.iter().all(|c| *c == Comp::None);
        let mut files = Vec::new();
        let mut layer_paths = Vec::new();
        let config_name = if legacy {
            format!("{}.json", b.config_digest)
        } else {
            format!("blobs/sha256/{}", b.config_digest)
        };
        files.push((config_name.clone(), b.config.clone()));
        for (i, (blob, d, _)) in b.blobs.iter().enumerate() {
            let name = if legacy {
                format!("{d}/layer.tar")
            } else {
                format!("blobs/sha256/{d}")
            };
            if !files.iter().any(|(n, _)| *n == name) {
                files.push((name.clone(), blob.clone()));
            }
            let _ = i;
            layer_paths.push(name);
        }
        let manifest = serde_json::to_vec(&serde_json::json!([{
            "Config": config_name, "RepoTags": ["test:latest"], "Layers": layer_paths,
        }]))
        .unwrap();
        files.push(("manifest.json".into(), manifest));
        write_tar(path, &files);
    }
}

pub fn write_tar(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut b = tar::Builder::new(std::fs::File::create(path).unwrap());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, &data[..]).unwrap();
    }
    b.finish().unwrap();
}

/// The parity images: small with deletes and overwrites; a chown -R duplicate; many files; a
/// zstd layer. Returned as (name, image, compression per layer).
pub fn parity_images(many: usize) -> Vec<(&'static str, TestImage, Vec<Comp>)> {
    let mut out = Vec::new();

    // 1. Small, with overwrites, a deleted file, a deleted directory, links and an opaque dir.
    let base = layer(
        "/bin/sh -c #(nop) ADD file:base in /",
        vec![
            dir("bin"),
            file("bin/sh", &bytes(1, 90_000)),
            E::Symlink("bin/ash".into(), "sh".into()),
            dir("etc"),
            file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"),
            file("etc/config", &bytes(2, 5_000)),
            dir("usr"),
            dir("usr/lib"),
            file("usr/lib/libbig.so", &bytes(3, 300_000)),
            file("usr/lib/libsmall.so", &bytes(4, 20_000)),
            dir("usr/share"),
            dir("usr/share/doc"),
            file("usr/share/doc/README", &bytes(5, 40_000)),
            dir("var"),
            dir("var/cache"),
            file("var/cache/big.cache", &bytes(6, 120_000)),
        ],
    );
    let l2 = layer(
        "/bin/sh -c apt-get update && apt-get install -y thing",
        vec![
            dir("etc"),
            file("etc/config", &bytes(7, 6_000)),
            dir("usr"),
            dir("usr/lib"),
            file("usr/lib/libbig.so", &bytes(8, 310_000)),
            E::HardLink("usr/lib/libbig-link.so".into(), "usr/lib/libbig.so".into()),
            dir("var"),
            dir("var/lib"),
            dir("var/lib/apt"),
            dir("var/lib/apt/lists"),
            file("var/lib/apt/lists/deb_Packages", &bytes(9, 250_000)),
            dir("root"),
            dir("root/.cache"),
            dir("root/.cache/pip"),
            file("root/.cache/pip/wheel.whl", &bytes(10, 80_000)),
        ],
    );
    let l3 = layer(
        "/bin/sh -c rm -rf /usr/share/doc /var/cache/big.cache && echo new > /etc/config",
        vec![
            dir("usr"),
            dir("usr/share"),
            E::Whiteout("usr/share/doc".into()),
            dir("var"),
            dir("var/cache"),
            E::Whiteout("var/cache/big.cache".into()),
            dir("etc"),
            file("etc/config", b"new\n"),
            dir("app"),
            dir("app/.git"),
            file("app/.git/packfile", &bytes(11, 60_000)),
            file("app/main.py", &bytes(12, 3_000)),
        ],
    );
    let mut small = TestImage::new(vec![base, l2, l3]);
    small.env = vec!["PATH=/usr/bin".into(), "DB_PASSWORD=hunter2".into()];
    small.ports = vec!["8080/tcp".into()];
    out.push(("small", small, vec![Comp::None; 3]));

    // 2. chown -R duplicates a directory with only the owner changed.
    let mut app = vec![dir("srv"), dir("srv/app"), dir("srv/app/lib")];
    for i in 0..300u64 {
        let d = if i % 2 == 0 { "srv/app" } else { "srv/app/lib" };
        app.push(file(
            &format!("{d}/f{i}.bin"),
            &bytes(100 + i, 2_000 + (i as usize * 37) % 9_000),
        ));
    }
    let owned: Vec<E> = app
        .iter()
        .map(|e| match e {
            E::File {
                path, data, mode, ..
            } => E::File {
                path: path.clone(),
                data: data.clone(),
                mode: *mode,
                uid: 1000,
                gid: 1000,
            },
            E::Dir(p, m) => E::Dir(p.clone(), *m),
            other => other.clone(),
        })
        .collect();
    let chown = TestImage::new(vec![
        layer(
            "/bin/sh -c #(nop) ADD file:base in /",
            vec![dir("bin"), file("bin/sh", &bytes(1, 50_000))],
        ),
        layer("/bin/sh -c #(nop) COPY dir:app in /srv/app", app),
        layer("/bin/sh -c chown -R 1000:1000 /srv/app", owned),
    ]);
    out.push(("chown", chown, vec![Comp::None; 3]));

    // 3. Many files.
    let mut big = vec![dir("data")];
    for d in 0..(many / 500).max(1) {
        big.push(dir(&format!("data/d{d}")));
        for f in 0..500 {
            let i = d * 500 + f;
            big.push(file(
                &format!("data/d{d}/file{f}.txt"),
                &bytes(i as u64, (i * 7919) % 1_500),
            ));
        }
    }
    let mut change = vec![dir("data")];
    for d in 0..20 {
        change.push(dir(&format!("data/d{d}")));
        for f in 0..50 {
            change.push(file(
                &format!("data/d{d}/file{f}.txt"),
                &bytes(999_000 + (d * 50 + f) as u64, 700),
            ));
        }
    }
    change.push(E::Whiteout("data/d30".into()));
    change.push(E::Whiteout("data/d31/file7.txt".into()));
    let many_img = TestImage::new(vec![
        layer(
            "/bin/sh -c #(nop) ADD file:base in /",
            vec![dir("bin"), file("bin/sh", &bytes(1, 50_000))],
        ),
        layer("/bin/sh -c generate-data", big),
        layer("/bin/sh -c update-data && rm -rf /data/d30", change),
    ]);
    out.push(("many", many_img, vec![Comp::None; 3]));

    // 4. zstd and gzip layers.
    let z = TestImage::new(vec![
        layer(
            "/bin/sh -c #(nop) ADD file:base in /",
            vec![
                dir("opt"),
                file("opt/tool", &bytes(40, 200_000)),
                file("opt/data.bin", &vec![7u8; 400_000]),
                dir("opt/sub"),
                file("opt/sub/a", &bytes(41, 10_000)),
            ],
        ),
        layer(
            "/bin/sh -c update tool",
            vec![
                dir("opt"),
                file("opt/tool", &bytes(42, 210_000)),
                E::Whiteout("opt/sub".into()),
                file("opt/new", &bytes(43, 30_000)),
            ],
        ),
        layer(
            "/bin/sh -c rm /opt/data.bin",
            vec![dir("opt"), E::Whiteout("opt/data.bin".into())],
        ),
    ]);
    out.push(("zstd", z, vec![Comp::Zstd, Comp::Gzip, Comp::Zstd]));
    out
}

/// Text-like bytes (words from a small vocabulary) that compress about 3:1, as real files do.
pub fn text(seed: u64, len: usize) -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "the ",
        "layer ",
        "image ",
        "build ",
        "cache ",
        "file ",
        "data ",
        "config ",
        "size ",
        "run ",
        "copy ",
        "user ",
        "lib ",
        "bin ",
        "\n",
        "0123456789abcdef ",
    ];
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 20);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(WORDS[(x & 15) as usize].as_bytes());
        if x & 0x300 == 0 {
            out.extend_from_slice(&x.to_le_bytes());
        }
    }
    out.truncate(len);
    out
}

/// Benchmark images: (name, image, compression per layer).
/// - `files200k`: 210,000 small files over 3 layers (uncompressed).
/// - `big`: 11 layers, about 1.1 GB (uncompressed), with overwrites and deletes.
/// - `big-gzip`, `big-zstd`: the same content with gzip or zstd layers.
pub fn bench_images(scale: usize) -> Vec<(&'static str, TestImage, Vec<Comp>)> {
    let mut out = Vec::new();
    let mut l1 = vec![dir("usr"), dir("usr/share")];
    let mut l2 = vec![dir("srv")];
    let files = 210_000 * scale / 100;
    for i in 0..files {
        let (target, root) = if i % 2 == 0 {
            (&mut l1, "usr/share")
        } else {
            (&mut l2, "srv")
        };
        if i % 1000 < 2 {
            target.push(dir(&format!("{root}/d{}", i / 1000)));
        }
        target.push(file(
            &format!("{root}/d{}/f{i}", i / 1000),
            &text(i as u64, (i * 131) % 2_000),
        ));
    }
    let mut l3 = vec![dir("srv")];
    for d in 0..20 {
        l3.push(E::Whiteout(format!("srv/d{d}")));
    }
    out.push((
        "files200k",
        TestImage::new(vec![
            layer("ADD base", l1),
            layer("COPY srv", l2),
            layer("RUN rm -rf /srv/d0..d19", l3),
        ]),
        vec![Comp::None; 3],
    ));
    // About 1.1 GB in 11 layers, shaped like a real image of that size (a Python/CUDA stack):
    // half of each layer's bytes in a few large blobs, half in 3,000 small files (about 33,000
    // entries in all), not a handful of huge files that no real image of that size has.
    let mut layers = Vec::new();
    let per = 100_000_000 * scale / 100;
    for n in 0..11usize {
        let mut e = vec![dir("opt"), dir(&format!("opt/l{n}"))];
        let files = 40;
        for f in 0..files {
            e.push(file(
                &format!("opt/l{n}/blob{f}"),
                &text((n * 1000 + f) as u64, per / 2 / files),
            ));
        }
        let small = 3_000;
        for f in 0..small {
            if f % 100 == 0 {
                e.push(dir(&format!("opt/l{n}/pkg{}", f / 100)));
            }
            e.push(file(
                &format!("opt/l{n}/pkg{}/mod{f}.py", f / 100),
                &text((n * 100_000 + f) as u64, per / 2 / small),
            ));
        }
        if n > 0 {
            // Overwrite two files of the layer below, delete a third.
            e.push(dir(&format!("opt/l{}", n - 1)));
            e.push(file(
                &format!("opt/l{}/blob0", n - 1),
                &text(77 + n as u64, per / files),
            ));
            e.push(E::Whiteout(format!("opt/l{}/blob1", n - 1)));
        }
        layers.push(layer(&format!("RUN step {n}"), e));
    }
    let big = TestImage::new(layers);
    out.push(("big", big.clone(), vec![Comp::None; 11]));
    out.push(("big-gzip", big.clone(), vec![Comp::Gzip; 11]));
    out.push(("big-zstd", big, vec![Comp::Zstd; 11]));
    out
}
