//! Stand-ins for the services decoder-ops talks to, held to their published contracts, and the
//! real or misbehaving servers the smoke checks run against.

pub mod chat;
pub mod faults;
pub mod github;
pub mod marker;
pub mod nginx;
pub mod probe;
pub mod prometheus;
pub mod webhook;
pub mod xml;
