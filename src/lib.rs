//! kitei: compile a security-incident regulation kept as Markdown and YAML into checked
//! records, an employee website and sealed evidence bundles.
//!
//! The flow is one-way: [`source`] reads files into the typed [`model`] (remembering where
//! every value came from), [`check`] runs the regulation's rules over the whole corpus and
//! returns diagnostics. Nothing in `source` or `model` knows about rules or output formats.

// Diagnostics are returned on cold error paths only; boxing them would buy nothing.
#![allow(clippy::result_large_err)]

pub mod check;
pub mod config;
pub mod dates;
pub mod diag;
pub mod digest;
pub mod evidence;
pub mod history;
pub mod import;
pub mod import_cmd;
pub mod model;
pub mod render;
pub mod serve;
pub mod source;
