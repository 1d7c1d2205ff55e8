//! `${VAR}` and `${VAR:-default}` in configuration strings, resolved from the environment at run
//! time so secrets never live in the file.
//!
//! Templates are kept unresolved in the typed config and resolved only when a value is used: a
//! staging job must not fail because the production webhook variable is unset. Substitution
//! happens on the parsed string, never on the YAML text, so a value containing `: ` or `#`
//! cannot change the structure of the file. `$${` writes a literal `${`.

use std::fmt;

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Var {
        name: String,
        default: Option<String>,
    },
}

/// A configuration string that may reference environment variables.
#[derive(Clone, PartialEq, Eq)]
pub struct Template {
    raw: String,
    parts: Vec<Part>,
}

/// Why a template cannot be parsed or resolved. The caller adds file, line and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpError {
    Syntax(String),
    Unset(String),
}

impl fmt::Display for InterpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterpError::Syntax(msg) => f.write_str(msg),
            InterpError::Unset(name) => write!(
                f,
                "environment variable `{name}` is not set; set it in the step's `env:` (e.g. from a secret) \
                 or give a default with `${{{name}:-value}}`"
            ),
        }
    }
}

impl Template {
    /// Parses `raw`. Variable names follow POSIX shell rules: `[A-Za-z_][A-Za-z0-9_]*`.
    pub fn parse(raw: &str) -> Result<Template, InterpError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = raw;
        while let Some(pos) = rest.find('$') {
            literal.push_str(&rest[..pos]);
            let after = &rest[pos + 1..];
            if let Some(tail) = after.strip_prefix("${") {
                literal.push_str("${");
                rest = tail;
            } else if let Some(body) = after.strip_prefix('{') {
                let end = body.find('}').ok_or_else(|| {
                    InterpError::Syntax(format!("unclosed `${{` in `{raw}`: expected `${{NAME}}`"))
                })?;
                let inner = &body[..end];
                let (name, default) = match inner.split_once(":-") {
                    Some((n, d)) => (n, Some(d.to_owned())),
                    None => (inner, None),
                };
                if !is_var_name(name) {
                    return Err(InterpError::Syntax(format!(
                        "`${{{inner}}}` is not a valid variable reference: expected `${{NAME}}` or `${{NAME:-default}}` \
                         with NAME made of letters, digits and `_` (write `$${{` for a literal `${{`)"
                    )));
                }
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                parts.push(Part::Var {
                    name: name.to_owned(),
                    default,
                });
                rest = &body[end + 1..];
            } else {
                literal.push('$');
                rest = after;
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Template {
            raw: raw.to_owned(),
            parts,
        })
    }

    /// The text as written in the file.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Whether any part comes from the environment.
    pub fn has_vars(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Var { .. }))
    }

    /// The names of the variables referenced, in order.
    pub fn var_names(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { name, .. } => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// The value with every variable substituted. An empty variable counts as unset, as in
    /// `${VAR:-default}` of POSIX shells (GitHub expands a missing secret to the empty string).
    pub fn resolve(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, InterpError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Var { name, default } => {
                    match (lookup(name).filter(|v| !v.is_empty()), default) {
                        (Some(v), _) => out.push_str(&v),
                        (None, Some(d)) => out.push_str(d),
                        (None, None) => return Err(InterpError::Unset(name.clone())),
                    }
                }
            }
        }
        Ok(out)
    }
}

impl fmt::Debug for Template {
    /// The raw text only: a resolved template may be a secret and is never stored here.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Template({:?})", self.raw)
    }
}

fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOOK" => Some("https://hooks.example/x".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn substitutes_variables_and_defaults() {
        let t = Template::parse("url=${HOOK} env=${STAGE:-staging} e=${EMPTY:-d}").unwrap();
        assert_eq!(
            t.resolve(&env).unwrap(),
            "url=https://hooks.example/x env=staging e=d"
        );
        assert_eq!(
            t.var_names().collect::<Vec<_>>(),
            ["HOOK", "STAGE", "EMPTY"]
        );
    }

    #[test]
    fn unset_variable_is_an_error_naming_it() {
        let t = Template::parse("${MISSING}").unwrap();
        let err = t.resolve(&env).unwrap_err();
        assert_eq!(err, InterpError::Unset("MISSING".into()));
        assert!(err.to_string().contains("`MISSING` is not set"));
    }

    #[test]
    fn dollar_escapes_and_plain_dollars_are_literal() {
        let t = Template::parse("cost $5, literal $${HOOK}, end$").unwrap();
        assert!(!t.has_vars());
        assert_eq!(t.resolve(&env).unwrap(), "cost $5, literal ${HOOK}, end$");
    }

    #[test]
    fn bad_references_are_syntax_errors() {
        for bad in ["${", "${1X}", "${A B}", "${}", "${HOOK"] {
            assert!(
                matches!(Template::parse(bad), Err(InterpError::Syntax(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn debug_never_shows_resolved_values() {
        let t = Template::parse("${HOOK}").unwrap();
        assert_eq!(format!("{t:?}"), "Template(\"${HOOK}\")");
    }
}
