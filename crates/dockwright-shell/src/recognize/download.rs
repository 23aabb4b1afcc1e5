//! Downloads with curl and wget.

use serde::Serialize;

use super::{Action, Argument, CommandOption, Invocation, OptionSpec, parse_args};
use crate::ast::is_false;
use crate::span::Span;

/// A download.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Download {
    /// The tool.
    pub tool: DownloadTool,
    /// The URLs fetched.
    pub urls: Vec<Argument>,
    /// Where the data goes.
    pub output: DownloadOutput,
    /// The option that turns TLS verification off (`-k`, `--insecure`,
    /// `--no-check-certificate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure: Option<Span>,
    /// Quiet (`curl -s`, `wget -q`/`-nv`).
    #[serde(skip_serializing_if = "is_false")]
    pub quiet: bool,
    /// The progress style asked for (`wget --progress=dot:giga`, `curl -#` gives `bar`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<String>,
    /// wget writes its log to a file (`-o`, `-a`).
    #[serde(skip_serializing_if = "is_false")]
    pub log_file: bool,
    /// Fails on HTTP errors (`curl -f`; wget always does).
    #[serde(skip_serializing_if = "is_false")]
    pub fail_on_http_error: bool,
    /// The interpreter the data is run by: the next command of the pipeline
    /// (`curl ... | sh`), or the command whose argument is this download's substitution
    /// (`sh -c "$(curl ...)"`, `bash <(curl ...)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub piped_into: Option<Argument>,
    /// Every option as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<CommandOption>,
}

/// Download tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DownloadTool {
    /// curl
    Curl,
    /// wget
    Wget,
}

/// Where downloaded data goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "to", content = "path", rename_all = "kebab-case")]
pub enum DownloadOutput {
    /// Standard output (curl's default, `wget -O -`).
    Stdout,
    /// A named file (`-o FILE`, `wget -O FILE`).
    File(Argument),
    /// A file named after the URL (`curl -O`, wget's default).
    RemoteName,
    /// Files named after the URLs in a directory (`wget -P DIR`, `curl --output-dir DIR -O`).
    Directory(Argument),
}

const CURL_SPEC: OptionSpec = OptionSpec {
    short_values: "AbcCdDeEFHKmoPQrtTuUwxXyYz",
    long_values: &[
        "output",
        "header",
        "user",
        "request",
        "data",
        "data-raw",
        "data-binary",
        "data-urlencode",
        "data-ascii",
        "user-agent",
        "referer",
        "cookie",
        "cookie-jar",
        "cacert",
        "capath",
        "cert",
        "key",
        "config",
        "connect-timeout",
        "max-time",
        "retry",
        "retry-delay",
        "retry-max-time",
        "proxy",
        "write-out",
        "output-dir",
        "url",
        "form",
        "form-string",
        "range",
        "continue-at",
        "upload-file",
        "proto",
        "proto-redir",
        "proto-default",
        "limit-rate",
        "max-filesize",
        "resolve",
        "connect-to",
        "dns-servers",
        "interface",
        "netrc-file",
        "oauth2-bearer",
        "ciphers",
        "pinnedpubkey",
        "unix-socket",
        "create-file-mode",
        "variable",
        "proxy-user",
        "max-redirs",
        "keepalive-time",
        "speed-limit",
        "speed-time",
        "dump-header",
        "trace",
        "trace-ascii",
        "stderr",
        "time-cond",
        "aws-sigv4",
        "hostpubmd5",
        "hostpubsha256",
        "json",
        "url-query",
    ],
    single_dash: &[],
    single_dash_values: &[],
    stop_at_operand: false,
    short_optional_values: "",
};

const WGET_SPEC: OptionSpec = OptionSpec {
    short_values: "OoaPtTwUeiBQlARDXI",
    long_values: &[
        "output-document",
        "output-file",
        "append-output",
        "directory-prefix",
        "tries",
        "timeout",
        "wait",
        "user-agent",
        "execute",
        "input-file",
        "base",
        "quota",
        "level",
        "accept",
        "reject",
        "domains",
        "exclude-domains",
        "include-directories",
        "exclude-directories",
        "header",
        "user",
        "password",
        "post-data",
        "post-file",
        "ca-certificate",
        "ca-directory",
        "certificate",
        "private-key",
        "load-cookies",
        "save-cookies",
        "limit-rate",
        "dns-timeout",
        "connect-timeout",
        "read-timeout",
        "waitretry",
        "http-user",
        "http-password",
        "ftp-user",
        "ftp-password",
        "referer",
        "max-redirect",
        "bind-address",
        "restrict-file-names",
        "cut-dirs",
        "method",
        "body-data",
        "body-file",
        "backups",
        "report-speed",
        "secure-protocol",
        "compression",
        "progress",
        "retry-on-http-error",
    ],
    single_dash: &["-nv", "-nc", "-nd", "-nH", "-np", "-nr"],
    single_dash_values: &[],
    stop_at_operand: false,
    short_optional_values: "",
};

pub(super) fn recognize(inv: &Invocation<'_>) -> Action {
    let curl = inv.program == "curl";
    let args = parse_args(inv.args(), if curl { &CURL_SPEC } else { &WGET_SPEC });
    let mut urls: Vec<Argument> = args
        .operands
        .iter()
        .map(|w| Argument::from_word(w))
        .collect();
    for o in &args.options {
        if o.is(&["--url"])
            && let Some(value) = &o.value
        {
            urls.push(Argument {
                text: value.clone(),
                span: o.value_word.map_or(o.word.span, |w| w.span),
            });
        }
    }
    urls.sort_by_key(|u| u.span.start);
    let value_argument = |names: &[&str]| {
        args.options
            .iter()
            .rev()
            .find(|o| o.is(names))
            .map(|o| Argument {
                text: o.value.clone().unwrap_or_default(),
                span: o.value_word.map_or(o.word.span, |w| w.span),
            })
    };
    let insecure = args
        .find(if curl {
            &["-k", "--insecure"]
        } else {
            &["--no-check-certificate"]
        })
        .map(super::args::ParsedOption::span);
    let download = if curl {
        let output = match value_argument(&["-o", "--output"]) {
            Some(file) if file.text == "-" => DownloadOutput::Stdout,
            Some(file) => DownloadOutput::File(file),
            None if args.has(&["-O", "--remote-name", "--remote-name-all"]) => {
                match value_argument(&["--output-dir"]) {
                    Some(dir) => DownloadOutput::Directory(dir),
                    None => DownloadOutput::RemoteName,
                }
            }
            None => DownloadOutput::Stdout,
        };
        Download {
            tool: DownloadTool::Curl,
            urls,
            output,
            insecure,
            quiet: args.has(&["-s", "--silent"]),
            progress: args
                .has(&["-#", "--progress-bar"])
                .then(|| "bar".to_string()),
            log_file: false,
            fail_on_http_error: args.has(&["-f", "--fail", "--fail-with-body"]),
            piped_into: None,
            options: args.public_options(),
        }
    } else {
        let output = match value_argument(&["-O", "--output-document"]) {
            Some(file) if file.text == "-" => DownloadOutput::Stdout,
            Some(file) => DownloadOutput::File(file),
            None => match value_argument(&["-P", "--directory-prefix"]) {
                Some(dir) => DownloadOutput::Directory(dir),
                None => DownloadOutput::RemoteName,
            },
        };
        Download {
            tool: DownloadTool::Wget,
            urls,
            output,
            insecure,
            quiet: args.has(&["-q", "--quiet", "-nv", "--no-verbose"]),
            progress: args.value(&["--progress"]).map(str::to_string),
            log_file: args.has(&["-o", "--output-file", "-a", "--append-output"]),
            fail_on_http_error: true,
            piped_into: None,
            options: args.public_options(),
        }
    };
    Action::Download(download)
}
