//! One module per rule, named `dwNNNN_rule_name`. Add a line here for a new rule; the
//! registry (`RULES`) is generated from this directory by `build.rs`. Git merges this file
//! with the union driver (`.gitattributes`), so rules added on different branches do not
//! conflict.

pub(crate) mod dw1001_workdir_relative_path;
pub(crate) mod dw1002_cmd_shell_form;
pub(crate) mod dw1003_pipe_without_pipefail;
pub(crate) mod dw1004_empty_continuation_line;
pub(crate) mod dw2001_apt_no_install_recommends;
pub(crate) mod dw2002_apt_lists_not_removed;
pub(crate) mod dw2003_build_tools_in_final_stage;
pub(crate) mod dw2401_package_cache_left;
pub(crate) mod dw2402_cleanup_in_later_layer;
pub(crate) mod dw2403_downloaded_archive_kept;
pub(crate) mod dw2404_recursive_chown_layer;
pub(crate) mod dw2405_dev_dependencies_in_image;
pub(crate) mod dw2406_context_copied_unfiltered;
pub(crate) mod dw2407_model_files_copied;
pub(crate) mod dw2408_duplicate_copy;
pub(crate) mod dw2409_full_base_image;
pub(crate) mod dw2410_single_stage_build;
pub(crate) mod dw3001_consecutive_run;
pub(crate) mod dw4001_final_user_root;
pub(crate) mod dw4002_final_stage_no_user;
pub(crate) mod dw4401_base_image_no_digest;
pub(crate) mod dw4402_secret_file_copied;
pub(crate) mod dw4403_verification_disabled;
pub(crate) mod dw4404_remote_script_piped_to_shell;
pub(crate) mod dw4405_add_remote_without_checksum;
pub(crate) mod dw4406_world_writable_mode;
pub(crate) mod dw4407_exposed_port_no_healthcheck;
pub(crate) mod dw4408_secret_value_in_arg_or_env;
pub(crate) mod dw5001_base_image_untagged;
pub(crate) mod dw5002_base_image_latest;
pub(crate) mod dw5003_apt_unpinned;
pub(crate) mod dw6001_from_as_casing;
pub(crate) mod dw6002_stage_name_casing;
pub(crate) mod dw6003_maintainer_deprecated;
