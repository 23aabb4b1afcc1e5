use crate::prelude::*;

use dockwright_context::plan::ReadVia;

crate::declare_rule! {
    /// Flags model weights and large data files copied into the image: `*.pt`, `*.pth`,
    /// `*.bin`, `*.safetensors`, `*.onnx`, `*.ckpt`, `*.h5`, `*.gguf`, `*.pkl`, `*.parquet`,
    /// ...
    ///
    /// ## Why
    /// Weights are gigabytes that change on a different schedule than the code: baked into
    /// the image they make every push and pull gigabytes long, are stored again for every
    /// model version in every registry, and a `COPY . .` that takes them along re-sends
    /// and re-stores them on every code change. Mount them at run time (a volume, an
    /// object-store download at start-up, a model registry), or, if they must ship, copy
    /// them in a step of their own before the code so the layer is cached and shared.
    ///
    /// With the build context (`dockwright lint --context DIR`) the files each `COPY` really
    /// copies are counted and sized, so `COPY . .` over a `models/` directory is caught and
    /// files under 1 MB (test fixtures, a `vocab.bin`) are not reported. Without it the
    /// `COPY` sources are judged by name (`COPY model.safetensors /models/`, `COPY *.pt
    /// ./`). Only copies into the image the build produces count. dive shows large layers
    /// after a build; no linter looks at what a copy takes.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY . /app
    /// ```
    /// with `models/llama-7b.safetensors` in the context. Use instead: keep `models/` out
    /// (`.dockerignore`) and mount it:
    /// ```sh
    /// docker run -v "$PWD/models:/app/models:ro" app
    /// ```
    pub struct ModelFilesCopied {
        code: "DW2407",
        name: "model-files-copied",
        category: Size,
        severity: Info,
    }
}

/// Below this, matching files are not worth a finding (fixtures, small vocabularies).
const MIN_BYTES: u64 = 1_000_000;

impl Check for ModelFilesCopied {
    fn check(cx: &mut Checker<'_>) {
        if let Some(facts) = cx.context() {
            let mut found = Vec::new();
            for read in &facts.reads {
                if !matches!(read.via, ReadVia::Copy | ReadVia::Add)
                    || !cx.in_final_image(read.stage)
                {
                    continue;
                }
                let models: Vec<_> = read
                    .resolution
                    .files
                    .iter()
                    .filter(|f| is_model_file(&f.path))
                    .collect();
                let bytes: u64 = models.iter().map(|f| f.bytes).sum();
                if bytes < MIN_BYTES {
                    continue;
                }
                let mut largest = models.clone();
                largest.sort_by_key(|f| std::cmp::Reverse(f.bytes));
                let names: Vec<&str> = largest.iter().take(3).map(|f| f.path.as_str()).collect();
                found.push((
                    read.span,
                    format!(
                        "`{}` copies {} model/data file(s), {} ({}): they bloat every push and pull; mount them at run time, or copy them in an earlier step of their own",
                        read.resolution.source,
                        models.len(),
                        super::dw2406_context_copied_unfiltered::human_bytes(bytes),
                        names.join(", ")
                    ),
                ));
            }
            for (span, message) in found {
                cx.report(span, message);
            }
            return;
        }
        let model = cx.model();
        let mut found = Vec::new();
        for inst in cx.instructions() {
            let Some(copy) = inst.syntax.as_copy() else {
                continue;
            };
            if copy.from.is_some() || !inst.stage().is_some_and(|s| cx.in_final_image(s)) {
                continue;
            }
            for source in &copy.sources {
                let CopySource::Path(word) = source else {
                    continue;
                };
                let text = model
                    .expand_at(inst.index, word.as_str())
                    .map(|e| e.value)
                    .unwrap_or_else(|_| word.as_str().to_string());
                if !text.contains("://") && is_model_file(&text) {
                    found.push((
                        word.span,
                        format!(
                            "`{text}` looks like model weights or a data file: baked in, it bloats every push and pull; mount it at run time, or copy it in an early step of its own"
                        ),
                    ));
                }
            }
        }
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}

const MODEL_EXTENSIONS: &[&str] = &[
    "pt",
    "pth",
    "bin",
    "safetensors",
    "onnx",
    "ckpt",
    "h5",
    "hdf5",
    "gguf",
    "ggml",
    "pb",
    "tflite",
    "pkl",
    "joblib",
    "npy",
    "npz",
    "parquet",
    "mlmodel",
];

fn is_model_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && MODEL_EXTENSIONS.contains(&ext))
}
