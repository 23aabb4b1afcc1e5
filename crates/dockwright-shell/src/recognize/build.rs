//! Compiling and bundling: build systems and compilers run directly. (Builds driven by a
//! package manager — `go build`, `cargo build`, `mvn package`, `npm run build` — are
//! recognised with their manager.)

use serde::Serialize;

use super::{Action, Argument, Invocation, OptionSpec, parse_args};

/// A build step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Build {
    /// What builds.
    pub tool: BuildTool,
    /// The goal, task, target or script (`package`, `build`, `install`), when named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Argument>,
}

/// Build tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuildTool {
    /// `make`, `gmake`
    Make,
    /// `cmake` (configure or `--build`)
    Cmake,
    /// `ninja`
    Ninja,
    /// `meson`
    Meson,
    /// `./configure`
    Configure,
    /// A compiler run directly: `gcc`, `g++`, `cc`, `clang`, `rustc`, `javac`.
    Compiler,
    /// `go build`, `go install ./...`
    Go,
    /// `cargo build`, `cargo install --path`
    Cargo,
    /// `mvn package` and other building goals
    Maven,
    /// `gradle build` and other building tasks
    Gradle,
    /// `npm run build`
    Npm,
    /// `yarn build`
    Yarn,
    /// `pnpm build`
    Pnpm,
    /// `dotnet build`, `dotnet publish`
    Dotnet,
    /// `python setup.py build`, `python -m build`
    Python,
    /// JavaScript bundlers and compilers run directly: `tsc`, `webpack`, `vite build`, ...
    JavaScript,
    /// `sbt`
    Sbt,
    /// `bazel build`
    Bazel,
    /// `ant`
    Ant,
}

pub(super) fn recognize(inv: &Invocation<'_>) -> Option<Action> {
    let name = inv.program;
    let first_operand = inv.args().iter().find(|w| !w.text.starts_with('-'));
    let tool = match name {
        "make" | "gmake" => BuildTool::Make,
        "cmake" => BuildTool::Cmake,
        "ninja" => BuildTool::Ninja,
        "meson"
            if first_operand
                .is_some_and(|w| matches!(w.text.as_str(), "compile" | "setup" | "install")) =>
        {
            BuildTool::Meson
        }
        "configure" if inv.words[0].text.contains('/') => BuildTool::Configure,
        "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "rustc" | "javac" | "gfortran" => {
            BuildTool::Compiler
        }
        "tsc" | "webpack" | "esbuild" | "rollup" | "parcel" => BuildTool::JavaScript,
        "vite" | "next" | "ng" | "nuxt" | "react-scripts" | "vue-cli-service"
            if first_operand.is_some_and(|w| w.text == "build") =>
        {
            BuildTool::JavaScript
        }
        "npx" => {
            let inner = first_operand?;
            if matches!(
                inner.text.as_str(),
                "tsc" | "webpack" | "esbuild" | "rollup" | "parcel"
            ) || inv.args().iter().any(|w| w.text == "build")
            {
                BuildTool::JavaScript
            } else {
                return None;
            }
        }
        "sbt"
            if inv.args().iter().any(|w| {
                [
                    "compile",
                    "package",
                    "assembly",
                    "stage",
                    "dist",
                    "universal:packageBin",
                ]
                .iter()
                .any(|g| w.text.contains(g))
            }) =>
        {
            BuildTool::Sbt
        }
        "bazel" | "bazelisk" if first_operand.is_some_and(|w| w.text == "build") => {
            BuildTool::Bazel
        }
        "ant" => BuildTool::Ant,
        _ => return None,
    };
    let target = match tool {
        BuildTool::Compiler | BuildTool::Configure | BuildTool::Ant => None,
        BuildTool::Make => {
            let spec = OptionSpec {
                short_values: "CfIoW",
                long_values: &[
                    "directory",
                    "file",
                    "makefile",
                    "include-dir",
                    "old-file",
                    "what-if",
                    "jobs",
                    "load-average",
                ],
                short_optional_values: "jl",
                ..OptionSpec::default()
            };
            let args = parse_args(inv.args(), &spec);
            args.operands
                .into_iter()
                .find(|w| !w.text.contains('=') && !w.text.chars().all(|c| c.is_ascii_digit()))
        }
        _ => first_operand,
    };
    Some(Action::Build(Build {
        tool,
        target: target.map(Argument::from_word),
    }))
}
