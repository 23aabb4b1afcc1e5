//! RUN scripts as commands: the shell in a RUN instruction parsed into command lists, with
//! what each command does (package managers, downloads, cleanups), mapped back to the
//! Dockerfile's lines and columns.
