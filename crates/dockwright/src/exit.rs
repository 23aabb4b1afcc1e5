//! Exit statuses, shared by every command and documented in `--help`.

/// What a command run ended with. The numeric values are part of the CLI contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: the command ran and found nothing at or above the failure threshold.
    Success,
    /// 1: findings at or above the threshold, a CI gate breached, or (for `debug parse`)
    /// input that BuildKit's parser rejects.
    Failure,
    /// 2: usage error, unreadable input, invalid configuration or ignore file.
    Error,
}

impl From<Status> for std::process::ExitCode {
    fn from(status: Status) -> Self {
        std::process::ExitCode::from(match status {
            Status::Success => 0,
            Status::Failure => 1,
            Status::Error => 2,
        })
    }
}

/// The text shown at the end of `dockwright --help`.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  success: nothing at or above the failure threshold
  1  findings at or above the failure threshold, or a CI gate breached
  2  usage error, unreadable input, or invalid configuration

Environment:
  NO_COLOR   disables colour when --color is auto (the default)";
