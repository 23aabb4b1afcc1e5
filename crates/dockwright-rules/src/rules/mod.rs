//! One module per rule, named `dwNNNN_rule_name`. Add a line here for a new rule; the
//! registry (`RULES`) is generated from this directory by `build.rs`. Git merges this file
//! with the union driver (`.gitattributes`), so rules added on different branches do not
//! conflict.

pub(crate) mod dw1001_workdir_relative_path;
pub(crate) mod dw1002_cmd_shell_form;
pub(crate) mod dw1003_pipe_without_pipefail;
pub(crate) mod dw1004_empty_continuation_line;
pub(crate) mod dw1101_apt_install_without_yes;
pub(crate) mod dw1102_apt_instead_of_apt_get;
pub(crate) mod dw1103_command_out_of_place;
pub(crate) mod dw1104_ln_bin_sh;
pub(crate) mod dw1105_yum_without_yes;
pub(crate) mod dw1106_dnf_without_yes;
pub(crate) mod dw1107_zypper_without_non_interactive;
pub(crate) mod dw2001_apt_no_install_recommends;
pub(crate) mod dw2002_apt_lists_not_removed;
pub(crate) mod dw2003_build_tools_in_final_stage;
pub(crate) mod dw2101_pip_cache_kept;
pub(crate) mod dw2102_apk_cache_kept;
pub(crate) mod dw2103_yum_cache_kept;
pub(crate) mod dw2104_useradd_without_no_log_init;
pub(crate) mod dw2105_dnf_cache_kept;
pub(crate) mod dw2106_zypper_cache_kept;
pub(crate) mod dw2107_yarn_cache_kept;
pub(crate) mod dw3001_consecutive_run;
pub(crate) mod dw4001_final_user_root;
pub(crate) mod dw4002_final_stage_no_user;
pub(crate) mod dw4101_sudo_in_run;
pub(crate) mod dw5001_base_image_untagged;
pub(crate) mod dw5002_base_image_latest;
pub(crate) mod dw5003_apt_unpinned;
pub(crate) mod dw5101_pip_unpinned;
pub(crate) mod dw5102_apk_unpinned;
pub(crate) mod dw5103_yum_unpinned;
pub(crate) mod dw5104_dnf_unpinned;
pub(crate) mod dw5105_go_install_unpinned;
pub(crate) mod dw5106_npm_unpinned;
pub(crate) mod dw5107_gem_unpinned;
pub(crate) mod dw5108_zypper_unpinned;
pub(crate) mod dw5109_zypper_dist_upgrade;
pub(crate) mod dw6001_from_as_casing;
pub(crate) mod dw6002_stage_name_casing;
pub(crate) mod dw6003_maintainer_deprecated;
pub(crate) mod dw6101_cd_instead_of_workdir;
pub(crate) mod dw6102_wget_without_progress;
pub(crate) mod dw6103_curl_and_wget;
