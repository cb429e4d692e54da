//! What the sandbox derives from a phone number: whether it is E.164, its
//! country (from the calling code, approximately) and its category.

/// Whether `n` is `+` and 2 to 15 digits, the first not 0.
pub fn is_e164(n: &str) -> bool {
    n.strip_prefix('+').is_some_and(|d| {
        (2..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
    })
}

/// Calling codes and their countries; the longest prefix wins.
const CALLING_CODES: &[(&str, &str)] = &[
    ("7", "RU"),
    ("20", "EG"),
    ("27", "ZA"),
    ("30", "GR"),
    ("31", "NL"),
    ("32", "BE"),
    ("33", "FR"),
    ("34", "ES"),
    ("36", "HU"),
    ("39", "IT"),
    ("40", "RO"),
    ("41", "CH"),
    ("43", "AT"),
    ("44", "GB"),
    ("45", "DK"),
    ("46", "SE"),
    ("47", "NO"),
    ("48", "PL"),
    ("49", "DE"),
    ("51", "PE"),
    ("52", "MX"),
    ("54", "AR"),
    ("55", "BR"),
    ("56", "CL"),
    ("57", "CO"),
    ("60", "MY"),
    ("61", "AU"),
    ("62", "ID"),
    ("63", "PH"),
    ("64", "NZ"),
    ("65", "SG"),
    ("66", "TH"),
    ("81", "JP"),
    ("82", "KR"),
    ("84", "VN"),
    ("86", "CN"),
    ("90", "TR"),
    ("91", "IN"),
    ("92", "PK"),
    ("234", "NG"),
    ("254", "KE"),
    ("351", "PT"),
    ("352", "LU"),
    ("353", "IE"),
    ("354", "IS"),
    ("358", "FI"),
    ("420", "CZ"),
    ("421", "SK"),
    ("852", "HK"),
    ("886", "TW"),
    ("966", "SA"),
    ("971", "AE"),
    ("972", "IL"),
];

/// Canadian area codes of the North American plan (the rest is the US, but
/// for Puerto Rico's).
const CANADA: &[&str] = &[
    "204", "226", "236", "249", "250", "263", "289", "306", "343", "354", "365", "367", "368",
    "382", "403", "416", "418", "428", "431", "437", "438", "450", "468", "474", "506", "514",
    "519", "548", "579", "581", "584", "587", "604", "613", "639", "647", "672", "683", "705",
    "709", "742", "753", "778", "780", "782", "807", "819", "825", "867", "873", "879", "902",
    "905",
];

/// The ISO country of a number, approximately; `None` for codes it does
/// not know.
pub fn country(n: &str) -> Option<&'static str> {
    let digits = n.strip_prefix('+')?;
    if let Some(nanp) = digits.strip_prefix('1') {
        let area = nanp.get(..3).unwrap_or("");
        return Some(if CANADA.contains(&area) {
            "CA"
        } else if matches!(area, "787" | "939") {
            "PR"
        } else {
            "US"
        });
    }
    CALLING_CODES
        .iter()
        .filter(|(code, _)| digits.starts_with(code))
        .max_by_key(|(code, _)| code.len())
        .map(|(_, iso)| *iso)
}

/// `TOLL_FREE` for the well-known toll-free ranges, else `LOCAL`.
pub fn category(n: &str) -> &'static str {
    const TOLL_FREE: &[&str] = &[
        "+1800", "+1833", "+1844", "+1855", "+1866", "+1877", "+1888", "+44800", "+44808", "+3380",
        "+49800", "+61180",
    ];
    if TOLL_FREE.iter().any(|p| n.starts_with(p)) {
        "TOLL_FREE"
    } else {
        "LOCAL"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_country_and_category() {
        assert!(is_e164("+14155550100"));
        assert!(!is_e164("14155550100"));
        assert!(!is_e164("+0123"));
        assert!(!is_e164("+1 415"));
        assert_eq!(country("+14155550100"), Some("US"));
        assert_eq!(country("+15145550100"), Some("CA"));
        assert_eq!(country("+33142000000"), Some("FR"));
        assert_eq!(country("+353123456"), Some("IE"));
        assert_eq!(category("+18005550100"), "TOLL_FREE");
        assert_eq!(category("+33142000000"), "LOCAL");
    }
}
