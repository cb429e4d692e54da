//! "Did you mean …?" for misspelt names.

/// The closest candidate to `got`, if one is close enough to be a likely
/// typo (Jaro-Winkler similarity of at least 0.8, or a case-only change).
pub fn did_you_mean<'a>(
    got: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = got.to_ascii_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != got)
        .map(|c| {
            let score = if c.to_ascii_lowercase() == lower {
                1.0
            } else {
                strsim::jaro_winkler(&lower, &c.to_ascii_lowercase())
            };
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["extension", "email", "device", "forwarding"];
        assert_eq!(did_you_mean("extention", fields), Some("extension"));
        assert_eq!(did_you_mean("Email", fields), Some("email"));
        assert_eq!(did_you_mean("colour", fields), None);
    }
}
