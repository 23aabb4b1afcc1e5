use crate::prelude::*;

crate::declare_rule! {
    /// Flags a Dockerfile that compiles or bundles in the image it ships, with no builder
    /// stage.
    ///
    /// ## Why
    /// A build needs compilers, SDKs, dev dependencies, sources and intermediate objects;
    /// the program needs only its output. Built in the only stage, all of that ships: a Go
    /// service built on `golang` is ~800 MB where the binary on `distroless/static` is ~10
    /// MB, a Node app bundled with its `devDependencies` carries them all. Build in a stage
    /// of its own and `COPY --from=build` only the result into a small runtime base; the
    /// builder's layers then stay in the build cache and never reach the image. (`dockwright
    /// optimize` writes the split.)
    ///
    /// Flagged once, at the first build command (`go build`, `cargo build`, `mvn package`,
    /// `gradle build`, `npm run build`, `make`, `cmake`, `gcc`, `tsc`, `dotnet publish`,
    /// ...) of a stage that becomes the image, when the Dockerfile has no stage that does
    /// not. Not flagged in multi-stage files, whose authors chose what the image keeps
    /// (DW2003 reports toolchains left in it). hadolint, dockle and Checkov do not look at
    /// stage structure.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22
    /// COPY . .
    /// RUN go build -o /app ./cmd/server
    /// CMD ["/app"]
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /app ./cmd/server
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /app /app
    /// CMD ["/app"]
    /// ```
    pub struct SingleStageBuild {
        code: "DW2410",
        name: "single-stage-build",
        category: Size,
        severity: Info,
    }
}

impl Check for SingleStageBuild {
    fn check(cx: &mut Checker<'_>) {
        let stages = cx.stages();
        if stages.is_empty() || stages.iter().any(|s| !cx.in_final_image(s.index)) {
            return;
        }
        let commands: Vec<ScriptCommand<'_>> = cx.commands().collect();
        let first = commands.iter().enumerate().find(|(i, c)| {
            !c.inst.facts.onbuild
                && matches!(c.command.action, Action::Build(_))
                && !is_query(c.command)
                // Built and its toolchain removed in the same RUN (`apt-get purge`, `apk
                // del .build-deps`), as official images build from source: cleaned up.
                && !commands[i + 1..].iter().any(|later| {
                    later.inst.index == c.inst.index
                        && later.command.action.as_package().is_some_and(|p| {
                            matches!(
                                p.operation,
                                PackageOperation::Remove | PackageOperation::Autoremove
                            )
                        })
                })
        });
        let Some((_, command)) = first else {
            return;
        };
        let text = command
            .command
            .words
            .iter()
            .skip(command.command.program.as_ref().map_or(0, |p| p.index))
            .take_while(|w| !w.text.starts_with('-'))
            .take(3)
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        cx.report(
            command.span(),
            format!(
                "`{text}` builds in the image it ships: the toolchain, sources and intermediate files stay in it; build in a builder stage and `COPY --from` only the output"
            ),
        );
    }
}

/// `yarn --version`, `npm -v`, `gcc --version`: a query, not an install or a build.
fn is_query(command: &SimpleCommand) -> bool {
    command.arguments().iter().any(|w| {
        matches!(
            w.text.as_str(),
            "--version" | "-version" | "-v" | "-V" | "--help" | "-h" | "version"
        )
    })
}
