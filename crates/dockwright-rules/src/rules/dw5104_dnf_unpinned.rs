use super::dw5103_yum_unpinned::report_rpm_unpinned;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `dnf install` and `microdnf install` of packages without a version.
    ///
    /// ## Why
    /// Without `package-version` each build installs the newest package in the enabled
    /// repositories that day: two builds of the same Dockerfile differ, and an update can
    /// break the image with no change to the Dockerfile.
    ///
    /// A version is a `-` followed by a digit (`nginx-1.24.0`); local and remote `.rpm`
    /// files are pinned; module streams (`dnf module install nodejs:20`) are judged by
    /// their stream; group installs name groups, not packages. Packages given by a
    /// variable are judged by the variable's value when the script assigns it or an
    /// ARG/ENV sets it; otherwise they are not judged.
    ///
    /// ## Differences from hadolint (DL3041)
    /// hadolint takes every `$VARIABLE` package whose variable the file declares as
    /// pinned, whatever its value. It misses `dnf` called through `sudo`, by path or inside
    /// `sh -c` (those findings carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN dnf install -y nginx && dnf clean all
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN dnf install -y nginx-1.24.0 && dnf clean all
    /// ```
    pub struct DnfUnpinned {
        code: "DW5104",
        name: "dnf-unpinned",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3041",
    }
}

impl Check for DnfUnpinned {
    fn check(cx: &mut Checker<'_>) {
        report_rpm_unpinned(cx, &[PackageManager::Dnf, PackageManager::Microdnf], "dnf");
    }
}
