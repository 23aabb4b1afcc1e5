//! The build context: `.dockerignore` with BuildKit's exact semantics, the context walk,
//! COPY/ADD source resolution and the cache-key model.

mod go_path;
pub mod go_regexp;
pub mod ignore_file;
pub mod pattern;

pub use go_path::clean as clean_path;
pub use ignore_file::{Dockerignore, IgnoreFileError, IgnoreLine, ignore_file_for_build};
pub use pattern::{Decision, MatchInfo, Pattern, PatternError, PatternKind, PatternMatcher};
pub mod walk;

pub use walk::{
    ContextEntry, ContextWalk, DirTotals, EntryKind, ExcludedItem, HashStats, WalkError,
    WalkOptions, WalkWarning, walk_context,
};
pub mod report;

pub use report::{ContextReport, ReportSources};
pub mod copy_source;

pub use copy_source::{ContextIndex, CopiedFile, CopySource, IgnoredBy, SourceResolution};
pub mod suggest;

pub use suggest::{
    BuildInstalls, IgnoreSuggestion, KeptForCopy, RuleCategory, SuggestInput, SuggestedRule,
    suggest_dockerignore, write_atomically,
};
