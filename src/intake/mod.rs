//! Acknowledgement intake: the roster from an HR export (`kitei roster import`), and
//! acknowledgements from LMS or form exports (`kitei ack import`) and from the site button's
//! mailed receipts (`kitei ack import-mail`). Like `import/`, it sits beside the rules and only
//! `cmd/` uses it; it computes what to write, `cmd` writes it.

pub mod acks;
pub mod mail;
pub mod roster;
pub mod table;
pub mod yaml_out;
