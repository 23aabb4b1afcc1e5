//! One module per rule, named `dwNNNN_rule_name`. Add a line here for a new rule; the
//! registry (`RULES`) is generated from this directory by `build.rs`. Git merges this file
//! with the union driver (`.gitattributes`), so rules added on different branches do not
//! conflict.

pub(crate) mod dw1001_workdir_relative_path;
pub(crate) mod dw1002_cmd_shell_form;
pub(crate) mod dw1003_pipe_without_pipefail;
pub(crate) mod dw1004_empty_continuation_line;
pub(crate) mod dw1201_add_instead_of_copy;
pub(crate) mod dw1202_copy_from_unknown_stage;
pub(crate) mod dw1203_copy_from_own_stage;
pub(crate) mod dw1204_copy_relative_destination;
pub(crate) mod dw1205_multiple_cmd;
pub(crate) mod dw1206_multiple_entrypoint;
pub(crate) mod dw1207_multiple_healthcheck;
pub(crate) mod dw1208_duplicate_stage_name;
pub(crate) mod dw1209_reserved_stage_name;
pub(crate) mod dw1210_from_platform_pinned;
pub(crate) mod dw1211_copy_multiple_sources_to_file;
pub(crate) mod dw1212_expose_port_out_of_range;
pub(crate) mod dw1213_instruction_before_from;
pub(crate) mod dw1214_onbuild_forbidden_trigger;
pub(crate) mod dw1215_env_same_statement_reference;
pub(crate) mod dw1216_no_healthcheck;
pub(crate) mod dw2001_apt_no_install_recommends;
pub(crate) mod dw2002_apt_lists_not_removed;
pub(crate) mod dw2003_build_tools_in_final_stage;
pub(crate) mod dw2201_copy_whole_filesystem;
pub(crate) mod dw2202_archive_copied_then_extracted;
pub(crate) mod dw3001_consecutive_run;
pub(crate) mod dw4001_final_user_root;
pub(crate) mod dw4002_final_stage_no_user;
pub(crate) mod dw4201_user_not_numeric;
pub(crate) mod dw4202_secret_in_arg_or_env;
pub(crate) mod dw4203_untrusted_registry;
pub(crate) mod dw5001_base_image_untagged;
pub(crate) mod dw5002_base_image_latest;
pub(crate) mod dw5003_apt_unpinned;
pub(crate) mod dw6001_from_as_casing;
pub(crate) mod dw6002_stage_name_casing;
pub(crate) mod dw6003_maintainer_deprecated;
pub(crate) mod dw6201_redundant_target_platform;
pub(crate) mod dw6202_invalid_label_key;
pub(crate) mod dw6203_inline_ignore_pragma;
pub(crate) mod dw6204_label_missing;
pub(crate) mod dw6205_label_not_in_schema;
pub(crate) mod dw6206_label_empty;
pub(crate) mod dw6207_label_not_url;
pub(crate) mod dw6208_label_not_rfc3339;
pub(crate) mod dw6209_label_not_spdx;
pub(crate) mod dw6210_label_not_git_hash;
pub(crate) mod dw6211_label_not_semver;
pub(crate) mod dw6212_label_not_email;
