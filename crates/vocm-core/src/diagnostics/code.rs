//! Stable diagnostic codes. A code, once released, keeps its meaning: CI
//! scripts and editor integrations match on them.

macro_rules! codes {
    ($($variant:ident => $code:literal, $summary:literal;)*) => {
        /// Every diagnostic vocm can emit.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = $summary] $variant,)*
        }

        impl Code {
            /// All codes, in declaration order (documentation and the test that
            /// every code has a snapshot iterate over it).
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable `vocm::<area>::<what>` string.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// One line on what the code means.
            #[must_use]
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }
        }
    };
}

codes! {
    InputNotFound => "vocm::input::not-found", "a path given on the command line does not exist";
    InputRead => "vocm::input::read", "a file or directory could not be read";
    InputNoManifests => "vocm::input::no-manifests", "no *.yaml or *.yml file was found";
    InputEncoding => "vocm::input::encoding", "a manifest is not valid UTF-8";
    InputTooLarge => "vocm::input::too-large", "a manifest exceeds the file size limit";
    InputEmpty => "vocm::input::empty", "a manifest file defines nothing (it is empty, or holds only comments)";
    YamlSyntax => "vocm::yaml::syntax", "the YAML cannot be parsed";
    YamlTooDeep => "vocm::yaml::too-deep", "the YAML nests deeper than the limit";
    YamlTooManyNodes => "vocm::yaml::too-many-nodes", "the YAML has more nodes than the limit (aliases count once per use)";
    YamlComplexKey => "vocm::yaml::complex-key", "a mapping key is itself a mapping or sequence";
    YamlMerge => "vocm::yaml::merge", "a merge key (`<<`) is given something other than mappings";
    ManifestBothForms => "vocm::manifest::both-forms", "a field is written in both its one-value and its list form";
    ManifestDuplicateKey => "vocm::manifest::duplicate-key", "a key is defined twice, in one file or across files";
    ManifestVersion => "vocm::manifest::version", "an unsupported manifest format version";
    ManifestNoAccount => "vocm::manifest::no-account", "no file defines the account section";
    SchemaUnknownSection => "vocm::schema::unknown-section", "a top-level section vocm does not know";
    SchemaUnknownField => "vocm::schema::unknown-field", "a field vocm does not know";
    SchemaMissingField => "vocm::schema::missing-field", "a required field is missing";
    SchemaType => "vocm::schema::type", "a value has the wrong type";
    SchemaEnum => "vocm::schema::enum", "a value is not one of the allowed choices";
    SchemaRange => "vocm::schema::range", "a number is outside its allowed range";
    SchemaLength => "vocm::schema::length", "a string or list is too short or too long";
    SchemaFormat => "vocm::schema::format", "a string does not have the expected form";
    SchemaInvalid => "vocm::schema::invalid", "a value breaks another schema rule";
    ReferenceUnknown => "vocm::reference::unknown", "a reference names a resource that is not defined";
    ReferenceSiteRequired => "vocm::reference::site-required", "a resource needs a site because the account has several";
    ExtensionLength => "vocm::extension::length", "an extension does not have the account's number of digits";
    ExtensionDuplicate => "vocm::extension::duplicate", "two resources have the same extension";
    ExtensionNoRange => "vocm::extension::no-range", "an `auto` extension on a site without an `extension_range`";
    ExtensionRangeFull => "vocm::extension::range-full", "no free extension is left in the site's range";
    SiteExtensionRange => "vocm::site::extension-range", "a site's `extension_range` is not a valid range";
    NumberAssignedTwice => "vocm::number::assigned-twice", "a phone number is assigned to more than one resource";
    NumberFaxUsage => "vocm::number::fax-usage", "an internet fax number is not declared with usage: fax";
    NumberFaxAsVoice => "vocm::number::fax-as-voice", "a fax number is used as a voice number";
    DeviceAssignedTwice => "vocm::device::assigned-twice", "a device is assigned to more than one user";
    DeviceDuplicateMac => "vocm::device::duplicate-mac", "two devices have the same MAC address";
    RingGroupDuplicateMember => "vocm::ring-group::duplicate-member", "a ring group lists the same member twice";
    ScheduleDay => "vocm::schedule::day", "a day of a schedule's `open` hours is not `mon`…`sun` or a span like `mon-fri`";
    ScheduleTimeRange => "vocm::schedule::time-range", "opening hours are not `HH:MM-HH:MM`, or do not end after they start";
    ScheduleOverlap => "vocm::schedule::overlap", "opening hours of a day overlap, or two holidays share a day";
    ScheduleDate => "vocm::schedule::date", "a holiday is not a date or a range of dates in order";
    ScheduleTimezone => "vocm::schedule::timezone", "a schedule's time zone is not in the IANA time zone database";
    ScheduleRequired => "vocm::schedule::required", "an auto attendant has a `closed` or `holiday` menu but no `schedule`";
    ScheduleNoEffect => "vocm::schedule::no-effect", "a schedule, or a `holiday` menu, changes nothing an attendant does";
    ForwardingDelay => "vocm::forwarding::delay", "a no-answer delay is outside 10..=60 seconds";
    ForwardingSelf => "vocm::forwarding::self", "a resource forwards calls to itself";
    ForwardingLoop => "vocm::forwarding::loop", "forwarding rules send calls around a cycle";
    EmergencyNoSiteAddress => "vocm::emergency::no-site-address", "`emergency_address: site` on a user without a site address";
    AddressDuplicate => "vocm::address::duplicate", "two addresses have the same fields: the API knows an address by its fields";
    OutboundOverridden => "vocm::outbound::overridden", "a user's outbound calling is replaced by a site or account override";
    AudioMissing => "vocm::audio::missing", "an audio file does not exist";
    AudioFormat => "vocm::audio::format", "an audio file is not WAV or MP3";
    AudioTooLarge => "vocm::audio::too-large", "an audio file is larger than 10 MiB";
    MovedInvalid => "vocm::moved::invalid", "a `moved` entry cannot apply: kinds differ, the old key is still defined, or a key moves twice";
    PlanLicenses => "vocm::plan::licenses", "more users need a license type than the account owns";
    PlanNumberHeld => "vocm::plan::number-held", "a number is assigned to a resource the manifests do not manage";
    PlanDeviceHeld => "vocm::plan::device-held", "a device is assigned to a user the manifests do not manage";
    PlanExtensionHeld => "vocm::plan::extension-held", "an extension is used by a resource the manifests do not manage";
    PlanExtensionRangeFull => "vocm::plan::extension-range-full", "no extension of the site's range is free in the account for an `auto` extension";
    PlanNumberMissing => "vocm::plan::number-missing", "the account lacks a number and the provider cannot claim it";
    PlanStale => "vocm::plan::stale", "a saved plan was made against an account that has changed since";
    PlanForeign => "vocm::plan::foreign", "a saved plan was made for another provider or account";
    PlanUnreadable => "vocm::plan::unreadable", "a saved plan file cannot be read";
    PlanWrite => "vocm::plan::write", "the plan file cannot be written";
    PlanMovedStale => "vocm::plan::moved-stale", "a `moved` entry has nothing to rename: the account has neither key";
    PlanReplaceNotAllowed => "vocm::plan::replace-not-allowed", "a replace the provider makes instead of a rename or an update (a delete and a create), without --allow-replace";
    PlanUnsupportedKind => "vocm::plan::unsupported-kind", "the provider cannot manage a kind of resource the manifests define";
    PlanUnsupportedField => "vocm::plan::unsupported-field", "the provider cannot carry a setting the manifests write";
    ArgsTarget => "vocm::args::target", "a `--target` is not KIND:KEY";
    StateInvalid => "vocm::state::invalid", "the local state file cannot be read";
    StateLocked => "vocm::state::locked", "another apply holds the state's lock";
    StateWrite => "vocm::state::write", "the local state cannot be written";
    ApplyMassDelete => "vocm::apply::mass-delete", "apply refuses a plan that deletes more than 10 % of a kind";
    ApplyNotConfirmed => "vocm::apply::not-confirmed", "apply needs a confirmation it did not get";
    ApplyConflict => "vocm::apply::conflict", "a change no longer fits the account it is applied to";
    ApplyFailed => "vocm::apply::failed", "a change failed; what depends on it was skipped";
    ExportWrite => "vocm::export::write", "export cannot write its output";
    OutputWrite => "vocm::output::write", "a file vocm is asked to write (`schema -o`) cannot be written";
    RouteUnknownEntry => "vocm::route::unknown-entry", "no user, ring group or auto attendant answers a number or extension";
    HttpEndpoint => "vocm::http::endpoint", "the API endpoint is missing, malformed, insecure or carries credentials";
    HttpNoKey => "vocm::http::no-key", "the HTTP provider needs `VOCM_API_KEY`";
    HttpUnauthorized => "vocm::http::unauthorized", "the API refused the key";
    HttpUnreachable => "vocm::http::unreachable", "the API cannot be reached";
    HttpUnavailable => "vocm::http::unavailable", "the API kept failing (5xx, 429, timeouts) after retries";
    HttpRejected => "vocm::http::rejected", "the API refused a request, saying why";
    HttpOperationFailed => "vocm::http::operation-failed", "an asynchronous operation ended FAILED";
    HttpPaging => "vocm::http::paging", "a list did not end: the API repeated a page or kept answering more";
}

impl std::str::FromStr for Code {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or(())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            let parts: Vec<_> = s.split("::").collect();
            assert_eq!(parts.len(), 3, "{s}");
            assert_eq!(parts[0], "vocm");
            assert!(
                parts[1..]
                    .iter()
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '-')),
                "{s}"
            );
        }
    }
}
