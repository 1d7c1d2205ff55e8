//! Stand-ins for the services decoder-ops talks to, held to their published contracts.

pub mod chat;
pub mod github;
