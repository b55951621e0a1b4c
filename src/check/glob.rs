//! Shell-style globs for stream and app names: `*` is any run of characters, `?` one character,
//! everything else matches itself (case-sensitive, as RTMP stream names are).

/// Whether `text` matches `pattern`. Linear backtracking over the last `*`, so hostile patterns
/// cost at most `pattern.len() * text.len()` steps.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    // Where the last `*` was, and the text position it currently stands for the end of.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || t.get(ti) == Some(&c) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn literal_star_and_question_mark() {
        assert!(glob_matches("stream", "stream"));
        assert!(!glob_matches("stream", "stream2"));
        assert!(!glob_matches("Stream", "stream"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("*", "anything"));
        assert!(glob_matches("cam*", "cam"));
        assert!(glob_matches("cam*", "camera-1"));
        assert!(glob_matches("*-backup", "main-backup"));
        assert!(!glob_matches("*-backup", "main-backup2"));
        assert!(glob_matches("a*b*c", "aXXbYYbc"));
        assert!(!glob_matches("a*b*c", "aXXbYY"));
        assert!(glob_matches("cam?", "cam1"));
        assert!(!glob_matches("cam?", "cam"));
        assert!(glob_matches("live/*", "live/a?b=c"));
        assert!(glob_matches("stré*", "stréam"));
        assert!(!glob_matches("", "x"));
        assert!(glob_matches("", ""));
    }

    #[test]
    fn many_stars_stay_cheap() {
        let pattern = "*a".repeat(200);
        let text = "a".repeat(199);
        assert!(!glob_matches(&pattern, &text));
        assert!(glob_matches(&pattern, &"a".repeat(200)));
    }
}
