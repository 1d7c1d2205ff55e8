//! Report formats → normalized models. Parsers are synchronous, streaming and pure: they read
//! a `BufRead`, never the environment, and return located errors.

pub mod junit;
