//! Writes the images the dive-parity and benchmark scripts analyze:
//! `write_test_images OUTDIR [FILES]` writes `NAME.docker.tar`, `NAME.oci.tar` and `NAME.oci/`
//! for the small, chown, many (FILES files, default 100000) and zstd images.
//! `write_test_images --bench OUTDIR [PERCENT]` writes the benchmark images as docker-archives
//! (`files200k`, `big`, `big-gzip`, `big-zstd`; PERCENT scales them, default 100).
#![allow(clippy::unwrap_used)]

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(mut out) = args.next() else {
        eprintln!("usage: write_test_images [--bench] OUTDIR [FILES|PERCENT]");
        std::process::exit(2);
    };
    if out == "--bench" {
        let Some(dir) = args.next() else {
            eprintln!("usage: write_test_images --bench OUTDIR [PERCENT]");
            std::process::exit(2);
        };
        let scale: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
        out = dir;
        let out = std::path::PathBuf::from(out);
        std::fs::create_dir_all(&out).unwrap();
        for (name, image, comps) in support::bench_images(scale) {
            image.write_docker_archive(&out.join(format!("{name}.docker.tar")), &comps);
            println!("{name}");
        }
        return;
    }
    let many: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let out = std::path::PathBuf::from(out);
    std::fs::create_dir_all(&out).unwrap();
    for (name, image, comps) in support::parity_images(many) {
        image.write_docker_archive(&out.join(format!("{name}.docker.tar")), &comps);
        image.write_oci_archive(&out.join(format!("{name}.oci.tar")), &comps);
        let dir = out.join(format!("{name}.oci"));
        let _ = std::fs::remove_dir_all(&dir);
        image.write_oci_layout(&dir, &comps);
        println!("{name}");
    }
}
