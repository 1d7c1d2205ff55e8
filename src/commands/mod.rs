//! One file per subcommand: wires config and inputs to the core, the outcome to the sinks.
