//! Reusable pieces.

pub mod vtable;
