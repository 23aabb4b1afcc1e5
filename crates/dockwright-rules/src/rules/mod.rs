//! One module per rule, named `dwNNNN_rule_name`. Add a line here for a new rule; the
//! registry (`RULES`) is generated from this directory by `build.rs`. Git merges this file
//! with the union driver (`.gitattributes`), so rules added on different branches do not
//! conflict.

pub(crate) mod dw1001_workdir_relative_path;
pub(crate) mod dw1002_cmd_shell_form;
pub(crate) mod dw1003_pipe_without_pipefail;
pub(crate) mod dw1004_empty_continuation_line;
pub(crate) mod dw1301_undefined_arg_in_from;
pub(crate) mod dw1302_invalid_default_arg_in_from;
pub(crate) mod dw1303_undefined_var;
pub(crate) mod dw1304_expose_invalid_format;
pub(crate) mod dw1305_from_platform_constant;
pub(crate) mod dw1306_copy_from_unknown_stage;
pub(crate) mod dw1307_unused_stage;
pub(crate) mod dw1308_arg_used_before_declared;
pub(crate) mod dw1309_cmd_ignored_by_entrypoint;
pub(crate) mod dw2001_apt_no_install_recommends;
pub(crate) mod dw2002_apt_lists_not_removed;
pub(crate) mod dw2003_build_tools_in_final_stage;
pub(crate) mod dw3001_consecutive_run;
pub(crate) mod dw3301_source_copied_before_dependencies;
pub(crate) mod dw3302_apt_update_not_with_install;
pub(crate) mod dw3303_volatile_arg_before_expensive_step;
pub(crate) mod dw3304_package_install_without_cache_mount;
pub(crate) mod dw3305_system_packages_with_project_build;
pub(crate) mod dw4001_final_user_root;
pub(crate) mod dw4002_final_stage_no_user;
pub(crate) mod dw5001_base_image_untagged;
pub(crate) mod dw5002_base_image_latest;
pub(crate) mod dw5003_apt_unpinned;
pub(crate) mod dw6001_from_as_casing;
pub(crate) mod dw6002_stage_name_casing;
pub(crate) mod dw6003_maintainer_deprecated;
pub(crate) mod dw6301_consistent_instruction_casing;
pub(crate) mod dw6302_legacy_key_value_format;
pub(crate) mod dw6303_expose_proto_casing;
pub(crate) mod dw6304_invalid_definition_description;
