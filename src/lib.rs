//! kitei: compile a security-incident regulation kept as Markdown and YAML into checked
//! records, an employee website and sealed evidence bundles.
//!
//! The flow is one-way: [`source`] reads files into the typed [`model`] (remembering where
//! every value came from), [`check`] runs the regulation's rules over the whole corpus and
//! returns diagnostics, [`history`] reads released versions from git, a [`workspace`] holds
//! one loaded project for a command, [`render`] and [`evidence`] turn it into a site and
//! bundles, and [`cmd`] is the front door: one thin file per command. The module map and the
//! direction of every dependency: docs/architecture.md.

// Diagnostics are returned on cold error paths only; boxing them would buy nothing.
#![allow(clippy::result_large_err)]

pub mod check;
pub mod cmd;
pub mod config;
pub mod crash_points;
pub mod dates;
pub mod diag;
pub mod digest;
pub mod evidence;
pub mod files;
pub mod history;
pub mod import;
pub mod intake;
pub mod model;
pub mod render;
pub mod serve;
pub mod source;
pub mod text;
pub mod timings;
pub mod workspace;
