//! One module per rule, named `dwNNNN_rule_name`. Add a line here for a new rule; the
//! registry (`RULES`) is generated from this directory by `build.rs`. Git merges this file
//! with the union driver (`.gitattributes`), so rules added on different branches do not
//! conflict.

pub(crate) mod dw1001_workdir_relative_path;
