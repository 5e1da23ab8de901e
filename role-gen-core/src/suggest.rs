//! Did-you-mean: the closest known name to a misspelt one.

/// The candidate closest to `name`, if one is close enough to be what was meant.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|&(distance, c)| {
            distance <= limit || (c.contains(name) && name.len() >= 3) || (name.contains(c) && c.len() >= 3)
        })
        .min_by_key(|&(distance, c)| (distance, c))
        .map(|(_, c)| c)
}

/// "did you mean `x`?", when a candidate is close.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_but_not_strangers() {
        let known = ["archive_channel", "rename_channel", "assign_roles"];
        assert_eq!(closest("archiv_channel", known), Some("archive_channel"));
        assert_eq!(closest("renmae_channel", known), Some("rename_channel"));
        assert_eq!(closest("zzz", known), None);
    }
}
