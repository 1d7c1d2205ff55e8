//! Everything GitHub: the Actions runtime (context, outputs, summary, annotations, masks) and
//! the REST API client.

pub mod api;
pub mod runtime;
