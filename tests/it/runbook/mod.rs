//! Reading what a person wrote: runbooks and their errors, the condition
//! language of probes, the caps on every parser, and the import of real
//! deployment guides into runbooks.

mod condition;
mod import;
mod limits;
mod load;
mod outlines;
