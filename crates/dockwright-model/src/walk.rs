//! Builds the model in one pass over the instructions, following BuildKit's Dockerfile
//! frontend (`dockerfile2llb`): global ARGs, stages and their bases, ARG/ENV scoping through
//! [`BuildScope`], image configuration, and the stage graph.

use dockwright_syntax::expand::{Expansion, Lexer, Variables};
use dockwright_syntax::scope::{Base, BuildScope, Platform};
use dockwright_syntax::{CommandRef, Dockerfile, Instruction, InstructionKind, Span};

use crate::path;
use crate::reference::ImageReference;
use crate::run::run_facts;
use crate::stage::{
    ArgFact, BaseImage, Dependency, DependencyKind, DependencySource, ImageConfig,
    InstructionFacts, ModelError, PlatformFact, PortFact, Stage, StageBase, UserFact,
};
use crate::{BuildOptions, DEFAULT_SHELL, Model};

/// The name BuildKit gives to an empty base.
const SCRATCH: &str = "scratch";

pub(crate) fn build(doc: &Dockerfile<'_>, options: &BuildOptions) -> Model {
    let source = String::from_utf8_lossy(doc.source());
    let lexer = Lexer::new(doc.escape_token());
    let (target, target_error) = find_target(doc, options);
    let target_name = target.and_then(|t| stage_alias(doc, t));
    let mut walk = Walk {
        source: &source,
        lexer,
        scope: BuildScope::new(
            options.build_args.clone(),
            options.platform.clone(),
            options.build_platform.clone(),
        )
        .with_target_stage(target_name.as_deref())
        .with_escape(doc.escape_token()),
        model: Model {
            stages: Vec::new(),
            global_args: Vec::new(),
            global_args_used: Vec::new(),
            instructions: Vec::with_capacity(doc.instructions().len()),
            dependencies: Vec::new(),
            target,
            errors: Vec::new(),
            envs: Vec::new(),
            shells: vec![DEFAULT_SHELL.iter().map(|s| s.to_string()).collect()],
            options: options.clone(),
            lexer,
        },
        env: 0,
    };
    walk.snapshot_env();
    if let Some(message) = target_error {
        walk.model.errors.push(ModelError {
            instruction: None,
            message,
        });
    }
    for (index, instruction) in doc.instructions().iter().enumerate() {
        walk.instruction(index, instruction);
    }
    walk.finish();
    walk.model
}

/// The target stage index: `--target` (case-insensitive) or the last stage.
fn find_target(doc: &Dockerfile<'_>, options: &BuildOptions) -> (Option<usize>, Option<String>) {
    let froms: Vec<&Instruction<'_>> = doc
        .instructions()
        .iter()
        .filter(|i| i.kind() == InstructionKind::From)
        .collect();
    let Some(wanted) = &options.target else {
        return (froms.len().checked_sub(1), None);
    };
    let wanted = wanted.to_lowercase();
    let found = froms.iter().rposition(|i| {
        i.as_from()
            .and_then(|f| f.alias)
            .is_some_and(|a| a.text.to_lowercase() == wanted)
    });
    match found {
        Some(index) => (Some(index), None),
        None => (
            froms.len().checked_sub(1),
            Some(format!("target stage {wanted:?} could not be found")),
        ),
    }
}

fn stage_alias(doc: &Dockerfile<'_>, stage: usize) -> Option<String> {
    doc.instructions()
        .iter()
        .filter(|i| i.kind() == InstructionKind::From)
        .nth(stage)
        .and_then(|i| i.as_from())
        .and_then(|f| f.alias)
        .map(|a| a.text.to_lowercase())
}

struct Walk<'s> {
    source: &'s str,
    lexer: Lexer,
    scope: BuildScope,
    model: Model,
    /// The current environment snapshot.
    env: usize,
}

impl Walk<'_> {
    fn snapshot_env(&mut self) {
        self.model.envs.push(self.scope.env().clone());
        self.env = self.model.envs.len() - 1;
    }

    fn error(&mut self, instruction: usize, message: impl Into<String>) {
        self.model.errors.push(ModelError {
            instruction: Some(instruction),
            message: message.into(),
        });
    }

    fn current_stage(&mut self) -> Option<&mut Stage> {
        self.model.stages.last_mut()
    }

    /// Expands a word in the current environment; on failure records the error and gives
    /// the word back as written.
    fn expand(&mut self, index: usize, word: &str) -> Expansion {
        if !word.contains('$') && !word.contains(['"', '\'', self.lexer.escape()]) {
            return Expansion {
                value: word.to_string(),
                words: vec![word.to_string()],
                references: Vec::new(),
            };
        }
        match self.scope.expand(word) {
            Ok(expansion) => {
                self.note_references(&expansion);
                expansion
            }
            Err(err) => {
                self.error(index, err.to_string());
                Expansion {
                    value: word.to_string(),
                    words: vec![word.to_string()],
                    references: Vec::new(),
                }
            }
        }
    }

    fn note_references(&mut self, expansion: &Expansion) {
        for r in &expansion.references {
            self.use_name(&r.name);
        }
    }

    /// Records a variable reference in the current stage if it names a declared ARG.
    fn use_name(&mut self, name: &str) {
        let Some(stage) = self.model.stages.last_mut() else {
            return;
        };
        if !stage.args_used.iter().any(|n| n == name)
            && self
                .scope
                .current_stage()
                .is_some_and(|s| s.is_declared_arg(name))
        {
            stage.args_used.push(name.to_string());
        }
    }

    fn facts(&self, run: Option<crate::RunFacts>, onbuild: bool) -> InstructionFacts {
        let stage = self.model.stages.last();
        InstructionFacts {
            stage: stage.map(|s| s.index),
            env: self.env,
            shell: stage.map_or(0, |s| s.config.shell),
            workdir: stage.and_then(|s| s.config.workdir.clone()),
            user: stage.and_then(|s| s.config.user.as_ref().map(|u| u.value.clone())),
            run,
            onbuild,
        }
    }

    fn instruction(&mut self, index: usize, instruction: &Instruction<'_>) {
        let kind = instruction.kind();
        if kind == InstructionKind::From {
            self.from(index, instruction);
            self.model.instructions.push(self.facts(None, false));
            if let Some(stage) = self.current_stage() {
                stage.instructions.end = index + 1;
            }
            return;
        }
        if self.model.stages.is_empty() {
            if kind == InstructionKind::Arg {
                self.global_arg(index, instruction);
            }
            self.model.instructions.push(self.facts(None, false));
            return;
        }
        // Facts describe what the instruction sees, so take them before it changes anything.
        let mut facts = self.facts(None, false);
        match kind {
            InstructionKind::Arg => self.stage_arg(index, instruction),
            InstructionKind::Env => self.env_instruction(index, instruction),
            InstructionKind::Workdir => self.workdir(index, instruction),
            InstructionKind::User => self.user(index, instruction),
            InstructionKind::Shell => self.shell(instruction),
            InstructionKind::Expose => self.expose(index, instruction),
            InstructionKind::Cmd => {
                if let Some(s) = self.current_stage() {
                    s.cmds.push(index);
                    s.config.cmd = Some(index);
                }
            }
            InstructionKind::Entrypoint => {
                if let Some(s) = self.current_stage() {
                    s.entrypoints.push(index);
                    s.config.entrypoint = Some(index);
                    // BuildKit resets an inherited CMD when ENTRYPOINT is set.
                    if !s.contains_cmd_after_from() {
                        s.config.cmd = None;
                    }
                }
            }
            InstructionKind::Healthcheck => {
                if let Some(s) = self.current_stage() {
                    s.healthchecks.push(index);
                    s.config.healthcheck = Some(index);
                }
            }
            InstructionKind::Copy | InstructionKind::Add => self.copy(index, instruction),
            InstructionKind::Run => {
                facts.run = self.run(index, instruction.command());
            }
            InstructionKind::Onbuild => {
                if let Some(trigger) = instruction.trigger()
                    && trigger.kind() == InstructionKind::Run
                {
                    facts.onbuild = true;
                    facts.run = self.run_trigger(index, trigger);
                }
            }
            _ => self.note_words(instruction),
        }
        self.model.instructions.push(facts);
        if let Some(stage) = self.current_stage() {
            stage.instructions.end = index + 1;
        }
    }

    /// References in instructions whose words the model does not otherwise expand (LABEL,
    /// VOLUME, STOPSIGNAL, ...), so ARG use is complete.
    fn note_words(&mut self, instruction: &Instruction<'_>) {
        let text = instruction.args_text();
        if !text.contains('$') {
            return;
        }
        if let Ok(info) = self.lexer.analyze(&text) {
            for name in info.names() {
                self.use_name(name);
            }
        }
    }

    fn global_arg(&mut self, index: usize, instruction: &Instruction<'_>) {
        for decl in instruction.as_arg().unwrap_or_default() {
            let default = decl.default.as_ref().map(|d| d.text.to_string());
            match self
                .scope
                .declare_global_arg(&decl.name.text, default.as_deref())
            {
                Ok(resolved) => self.model.global_args.push(ArgFact {
                    instruction: index,
                    span: decl.name.span,
                    default,
                    resolved,
                }),
                Err(err) => self.error(index, err.to_string()),
            }
        }
        self.snapshot_env();
    }

    fn from(&mut self, index: usize, instruction: &Instruction<'_>) {
        let Some(from) = instruction.as_from() else {
            return;
        };
        let stage_index = self.model.stages.len();
        let (written, span) = match &from.image {
            Some(word) => (word.text.to_string(), word.span),
            None => (String::new(), instruction.span()),
        };
        let expansion = match self.scope.expand_in_from(&written) {
            Ok(e) => e,
            Err(err) => {
                self.error(index, err.to_string());
                Expansion {
                    value: written.clone(),
                    words: vec![written.clone()],
                    references: Vec::new(),
                }
            }
        };
        for r in &expansion.references {
            if !self.model.global_args_used.contains(&r.name) {
                self.model.global_args_used.push(r.name.clone());
            }
        }
        let unresolved: Vec<String> = expansion
            .references
            .iter()
            .filter(|r| !r.set)
            .map(|r| r.name.clone())
            .collect();
        let expanded = expansion.value;
        let parent = if expanded == SCRATCH {
            None
        } else {
            self.model.stages.iter().position(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase() == expanded)
            })
        };
        let (base, scope_base, source) = if expanded == SCRATCH {
            (StageBase::Scratch, Base::Scratch, DependencySource::Scratch)
        } else if let Some(parent) = parent {
            (
                StageBase::Stage(parent),
                Base::Stage(parent),
                DependencySource::Stage(parent),
            )
        } else {
            let reference = ImageReference::parse(&expanded).ok();
            if expanded.is_empty() {
                self.error(index, format!("base name ({written}) should not be blank"));
            }
            let source = if unresolved.is_empty() {
                DependencySource::Image(reference.clone())
            } else {
                DependencySource::Unresolved
            };
            (
                StageBase::Image(BaseImage {
                    written: written.clone(),
                    expanded: expanded.clone(),
                    span,
                    unresolved,
                    reference,
                }),
                Base::Image,
                source,
            )
        };
        let platform = from.platform.as_ref().map(|p| {
            let (expanded, references) = match self.scope.expand_in_from(&p.text) {
                Ok(e) => (
                    e.value,
                    e.references.into_iter().map(|r| r.name).collect::<Vec<_>>(),
                ),
                Err(err) => {
                    self.model.errors.push(ModelError {
                        instruction: Some(index),
                        message: err.to_string(),
                    });
                    (p.text.to_string(), Vec::new())
                }
            };
            PlatformFact {
                written: p.text.to_string(),
                expanded,
                span: p.span,
                references,
            }
        });
        let stage_platform = platform
            .as_ref()
            .and_then(|p| Platform::parse(&p.expanded).ok())
            .unwrap_or_else(|| self.model.options.platform.clone());
        if let Err(err) = self.scope.begin_stage_on(scope_base, &stage_platform) {
            self.error(index, err.to_string());
        }
        self.snapshot_env();
        let config = match parent.and_then(|p| self.model.stages.get(p)) {
            Some(parent) => parent.config.clone(),
            None => ImageConfig {
                workdir: matches!(base, StageBase::Scratch).then(|| "/".to_string()),
                ..ImageConfig::default()
            },
        };
        // ARGs a base stage declared stay declared (and used-tracking starts over).
        self.model.dependencies.push(Dependency {
            stage: stage_index,
            instruction: index,
            kind: DependencyKind::Base,
            written,
            expanded,
            source,
            span,
        });
        self.model.stages.push(Stage {
            index: stage_index,
            name: from.alias.as_ref().map(|a| a.text.to_string()),
            name_span: from.alias.as_ref().map(|a| a.span),
            from_instruction: index,
            instructions: index..index + 1,
            base,
            platform,
            config,
            cmds: Vec::new(),
            entrypoints: Vec::new(),
            healthchecks: Vec::new(),
            users: Vec::new(),
            args_declared: Vec::new(),
            args_used: Vec::new(),
            needed: false,
        });
    }

    fn stage_arg(&mut self, index: usize, instruction: &Instruction<'_>) {
        for decl in instruction.as_arg().unwrap_or_default() {
            let default = decl.default.as_ref().map(|d| d.text.to_string());
            match self.scope.stage_arg(&decl.name.text, default.as_deref()) {
                Ok(resolved) => {
                    // A default may reference earlier ARGs.
                    for r in &resolved.references {
                        self.use_name(&r.name.clone());
                    }
                    let fact = ArgFact {
                        instruction: index,
                        span: decl.name.span,
                        default,
                        resolved,
                    };
                    if let Some(stage) = self.current_stage() {
                        stage.args_declared.push(fact);
                    }
                }
                Err(err) => self.error(index, err.to_string()),
            }
        }
        self.snapshot_env();
    }

    fn env_instruction(&mut self, index: usize, instruction: &Instruction<'_>) {
        let pairs: Vec<(String, String)> = instruction
            .as_env()
            .unwrap_or_default()
            .into_iter()
            .map(|kv| (kv.key.text.into_owned(), kv.value.text.into_owned()))
            .collect();
        for (_, value) in &pairs {
            if value.contains('$')
                && let Ok(info) = self.lexer.analyze(value)
            {
                for name in info.names() {
                    self.use_name(name);
                }
            }
        }
        if let Err(err) = self.scope.env_instruction(&pairs) {
            self.error(index, err.to_string());
        }
        self.snapshot_env();
    }

    fn workdir(&mut self, index: usize, instruction: &Instruction<'_>) {
        let Some(word) = instruction.as_value() else {
            return;
        };
        let value = self.expand(index, &word.text).value;
        if let Some(stage) = self.current_stage() {
            stage.config.workdir = if path::is_absolute(&value) {
                Some(path::clean(&value.replace('\\', "/")))
            } else {
                stage
                    .config
                    .workdir
                    .as_deref()
                    .map(|current| path::resolve_workdir(current, &value))
            };
        }
    }

    fn user(&mut self, index: usize, instruction: &Instruction<'_>) {
        let Some(word) = instruction.as_value() else {
            return;
        };
        let expansion = self.expand(index, &word.text);
        let unresolved = expansion.references.iter().any(|r| !r.set);
        let value = expansion.value;
        let (user, group) = match value.split_once(':') {
            Some((u, g)) => (u.to_string(), Some(g.to_string())),
            None => (value.clone(), None),
        };
        let is_root = user == "root" || user == "0";
        let fact = UserFact {
            instruction: index,
            written: word.text.to_string(),
            value,
            user,
            group,
            is_root,
            unresolved,
        };
        if let Some(stage) = self.current_stage() {
            stage.users.push(index);
            stage.config.user = Some(fact);
        }
    }

    fn shell(&mut self, instruction: &Instruction<'_>) {
        let words: Vec<String> = instruction
            .as_shell()
            .unwrap_or_default()
            .into_iter()
            .map(|w| w.text.into_owned())
            .collect();
        if words.is_empty() {
            return;
        }
        let id = match self.model.shells.iter().position(|s| *s == words) {
            Some(id) => id,
            None => {
                self.model.shells.push(words);
                self.model.shells.len() - 1
            }
        };
        if let Some(stage) = self.current_stage() {
            stage.config.shell = id;
        }
    }

    fn expose(&mut self, index: usize, instruction: &Instruction<'_>) {
        for port in instruction.as_expose().unwrap_or_default() {
            let value = self.expand(index, &port.word.text).value;
            let fact = PortFact {
                instruction: index,
                written: port.word.text.to_string(),
                value,
                span: port.word.span,
            };
            if let Some(stage) = self.current_stage() {
                stage.config.exposes.push(fact);
            }
        }
    }

    fn copy(&mut self, index: usize, instruction: &Instruction<'_>) {
        self.note_words(instruction);
        let Some(copy) = instruction.as_copy() else {
            return;
        };
        let Some(from) = copy.from else {
            return;
        };
        let expansion = self.expand(index, &from.text);
        let unresolved = expansion.references.iter().any(|r| !r.set);
        let expanded = expansion.value;
        let source = if unresolved {
            DependencySource::Unresolved
        } else if let Ok(n) = expanded.parse::<usize>() {
            if n < self.model.stages.len() {
                DependencySource::Stage(n)
            } else {
                // Later stages are looked up once all are known (see `finish`).
                DependencySource::Image(None)
            }
        } else {
            self.stage_or_image(&expanded)
        };
        self.push_dependency(
            index,
            DependencyKind::CopyFrom,
            &from.text,
            expanded,
            source,
            from.span,
        );
    }

    fn stage_or_image(&self, name: &str) -> DependencySource {
        let lower = name.to_lowercase();
        match self
            .model
            .stages
            .iter()
            .position(|s| s.lowercase_name().as_deref() == Some(lower.as_str()))
        {
            Some(stage) => DependencySource::Stage(stage),
            None => DependencySource::Image(ImageReference::parse(name).ok()),
        }
    }

    fn push_dependency(
        &mut self,
        instruction: usize,
        kind: DependencyKind,
        written: &str,
        expanded: String,
        source: DependencySource,
        span: Span,
    ) {
        let Some(stage) = self.model.stages.last().map(|s| s.index) else {
            return;
        };
        self.model.dependencies.push(Dependency {
            stage,
            instruction,
            kind,
            written: written.to_string(),
            expanded,
            source,
            span,
        });
    }

    fn run(&mut self, index: usize, command: CommandRef<'_, '_>) -> Option<crate::RunFacts> {
        let facts = self.run_trigger(index, command)?;
        for script in &facts.scripts {
            for name in script_references(&script.text) {
                self.use_name(name);
            }
        }
        for mount in &facts.mounts {
            if let Some(from) = &mount.mount.from {
                let source = self.stage_or_image(from);
                self.push_dependency(
                    index,
                    DependencyKind::MountFrom,
                    from,
                    from.clone(),
                    source,
                    mount.span,
                );
            }
        }
        Some(facts)
    }

    fn run_trigger(
        &mut self,
        index: usize,
        command: CommandRef<'_, '_>,
    ) -> Option<crate::RunFacts> {
        let shell = self
            .model
            .stages
            .last()
            .and_then(|s| self.model.shells.get(s.config.shell))
            .cloned()
            .unwrap_or_default();
        let env: Variables = self.scope.env().clone();
        let lexer = self.lexer;
        let mut errors = Vec::new();
        let mut expand = |word: &str| match lexer.process_word(word, &env) {
            Ok(v) => v,
            Err(err) => {
                errors.push(err.to_string());
                word.to_string()
            }
        };
        let home = match env.get("HOME") {
            Some(home) => home.to_string(),
            None => match self
                .model
                .stages
                .last()
                .and_then(|s| s.config.user.as_ref())
            {
                Some(user) if !user.is_root && !user.user.is_empty() => {
                    format!("/home/{}", user.user)
                }
                _ => "/root".to_string(),
            },
        };
        let facts = run_facts(self.source, command, &shell, &home, &mut expand);
        for message in errors {
            self.error(index, message);
        }
        facts
    }

    /// Resolves forward `COPY --from` references and marks the stages the target needs.
    fn finish(&mut self) {
        let names: Vec<Option<String>> = self
            .model
            .stages
            .iter()
            .map(Stage::lowercase_name)
            .collect();
        let count = self.model.stages.len();
        for dep in &mut self.model.dependencies {
            if dep.kind == DependencyKind::Base || !matches!(dep.source, DependencySource::Image(_))
            {
                continue;
            }
            let lower = dep.expanded.to_lowercase();
            if let Some(stage) = names.iter().position(|n| n.as_deref() == Some(&lower)) {
                dep.source = DependencySource::Stage(stage);
            } else if dep.kind == DependencyKind::CopyFrom
                && let Ok(n) = dep.expanded.parse::<usize>()
            {
                if n < count {
                    dep.source = DependencySource::Stage(n);
                } else {
                    dep.source = DependencySource::Image(None);
                    self.model.errors.push(ModelError {
                        instruction: Some(dep.instruction),
                        message: format!("invalid stage index {n}"),
                    });
                }
            }
        }
        let Some(target) = self.model.target else {
            return;
        };
        let mut stack = vec![target];
        while let Some(stage) = stack.pop() {
            let Some(s) = self.model.stages.get_mut(stage) else {
                continue;
            };
            if s.needed {
                continue;
            }
            s.needed = true;
            for dep in self.model.dependencies.iter().filter(|d| d.stage == stage) {
                if let DependencySource::Stage(source) = dep.source {
                    stack.push(source);
                }
            }
        }
    }
}

impl Stage {
    /// Whether this stage has its own CMD (so ENTRYPOINT does not reset it).
    fn contains_cmd_after_from(&self) -> bool {
        !self.cmds.is_empty()
    }
}

/// Variable names a shell script references (`$NAME`, `${NAME...}`), as a rough scan: good
/// enough to tell whether an ARG is used, never used for expansion.
fn script_references(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if bytes[i] != b'$' {
                i += 1;
                continue;
            }
            i += 1;
            if bytes.get(i) == Some(&b'{') {
                i += 1;
            }
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if i > start && !bytes[start].is_ascii_digit() {
                return text.get(start..i);
            }
        }
        None
    })
}
