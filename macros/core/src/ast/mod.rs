//! What the derives parse their input into: checked models that the
//! generators in [`crate::gen`] read.

pub mod enums;
pub mod model;
pub mod ty;

pub use enums::{Enum, Variant};
pub use model::{Field, ForeignKey, Model, UniqueKey};
pub use ty::TypeClass;
