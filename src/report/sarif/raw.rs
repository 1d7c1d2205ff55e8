//! serde structs for the SARIF 2.1.0 fields read by the parent module (section numbers of the
//! OASIS spec in the comments). Unknown fields are skipped, missing ones default.

use serde::Deserialize;

use crate::report::json::null_as_empty;

#[derive(Deserialize)]
pub(super) struct Log {
    pub version: Option<String>,
    /// `null` is legal (§3.13.4: the tool failed to start) and reads as no runs.
    #[serde(default, deserialize_with = "runs_or_null")]
    pub runs: Option<Vec<Run>>,
}

fn runs_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<Run>>, D::Error> {
    Ok(Some(
        Option::<Vec<Run>>::deserialize(d)?.unwrap_or_default(),
    ))
}

/// §3.14.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct Run {
    pub tool: ToolObject,
    /// §3.14.5: the run was compared with a baseline run (results carry `baselineState`).
    pub baseline_guid: Option<String>,
    #[serde(deserialize_with = "null_as_empty")]
    pub results: Vec<SarifResult>,
    #[serde(deserialize_with = "null_as_empty")]
    pub artifacts: Vec<Artifact>,
}

/// §3.18.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ToolObject {
    pub driver: Component,
    #[serde(deserialize_with = "null_as_empty")]
    pub extensions: Vec<Component>,
}

/// toolComponent, §3.19.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct Component {
    pub name: Option<String>,
    pub version: Option<String>,
    pub semantic_version: Option<String>,
    #[serde(deserialize_with = "null_as_empty")]
    pub rules: Vec<Rule>,
}

/// reportingDescriptor, §3.49.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct Rule {
    pub id: Option<String>,
    pub short_description: Message,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

/// reportingConfiguration, §3.50.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Configuration {
    pub level: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RuleProperties {
    /// GitHub code scanning's convention: a CVSS-like score, as a string or a number.
    #[serde(rename = "security-severity")]
    pub security_severity: Option<serde_json::Value>,
}

/// §3.27.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct SarifResult {
    pub rule_id: Option<String>,
    /// §3.27.6: `-1` (the default) means "not given"; hence signed.
    pub rule_index: Option<i64>,
    pub rule: RuleReference,
    /// §3.27.24: `new`, `unchanged`, `updated` or `absent`.
    pub baseline_state: Option<String>,
    pub kind: Option<String>,
    pub level: Option<String>,
    pub message: Message,
    #[serde(deserialize_with = "null_as_empty")]
    pub locations: Vec<Location>,
    #[serde(deserialize_with = "null_as_empty")]
    pub suppressions: Vec<Suppression>,
}

/// reportingDescriptorReference, §3.52.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct RuleReference {
    pub id: Option<String>,
    /// §3.52.5: `-1` means "not given".
    pub index: Option<i64>,
    pub tool_component: ComponentReference,
}

/// toolComponentReference, §3.54.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ComponentReference {
    /// §3.54.4: `-1` means "not given".
    pub index: Option<i64>,
}

/// §3.11.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Message {
    pub text: Option<String>,
    pub markdown: Option<String>,
}

/// §3.28.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct Location {
    pub physical_location: PhysicalLocation,
}

/// §3.29.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

/// §3.4.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ArtifactLocation {
    pub uri: Option<String>,
    /// §3.4.5: `-1` means "not given".
    pub index: Option<i64>,
}

/// §3.30.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct Region {
    pub start_line: Option<u32>,
}

/// §3.24.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Artifact {
    pub location: ArtifactLocation,
}

/// §3.35.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Suppression {
    pub status: Option<String>,
}
