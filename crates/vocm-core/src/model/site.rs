//! Sites: where users, ring groups and auto attendants belong.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::account::OutboundScope;
use super::extension::ExtensionRange;
use super::phone::PhoneNumber;
use super::template::Template;

/// The form of an IANA time zone name (whether the zone exists is checked
/// against the time zone database where it matters: schedules).
pub const TIMEZONE_PATTERN: &str = r"^(UTC|[A-Z][A-Za-z_]+(/[A-Za-z0-9_+-]+){1,2})$";

/// A site of the PBX.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The site's name as shown in the admin console.
    #[schemars(length(min = 2, max = 128))]
    pub name: String,
    /// The site's address: a key of `addresses`.
    pub address: String,
    /// Language of voice prompts, emails and device displays.
    pub locale: Locale,
    /// IANA time zone, e.g. `Europe/Paris`.
    #[schemars(regex(pattern = TIMEZONE_PATTERN))]
    pub timezone: String,
    /// The range `auto` extensions are generated from, e.g. `1000-1999`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_range: Option<ExtensionRange>,
    /// The site's caller ID number: a number of `phone_numbers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_number: Option<PhoneNumber>,
    /// A site-level outbound calling scope that replaces users' own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_calling: Option<OutboundScope>,
    /// Settings every user of the site gets unless the user or its
    /// template sets them: a template written in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_defaults: Option<Template>,
}

/// Languages the provisioning API supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Locale {
    #[serde(rename = "da-DK")]
    DaDk,
    #[serde(rename = "de-DE")]
    DeDe,
    #[serde(rename = "en-AU")]
    EnAu,
    #[serde(rename = "en-GB")]
    EnGb,
    #[serde(rename = "en-US")]
    EnUs,
    #[serde(rename = "es-ES")]
    EsEs,
    #[serde(rename = "fi-FI")]
    FiFi,
    #[serde(rename = "fr-BE")]
    FrBe,
    #[serde(rename = "fr-CA")]
    FrCa,
    #[serde(rename = "fr-CH")]
    FrCh,
    #[serde(rename = "fr-FR")]
    FrFr,
    #[serde(rename = "it-IT")]
    ItIt,
    #[serde(rename = "ja-JP")]
    JaJp,
    #[serde(rename = "nl-BE")]
    NlBe,
    #[serde(rename = "nl-NL")]
    NlNl,
    #[serde(rename = "no-NO")]
    NoNo,
    #[serde(rename = "pl-PL")]
    PlPl,
    #[serde(rename = "pt-BR")]
    PtBr,
    #[serde(rename = "pt-PT")]
    PtPt,
    #[serde(rename = "sv-SE")]
    SvSe,
    #[serde(rename = "zh-CN")]
    ZhCn,
}
