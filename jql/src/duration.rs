//! Durations as Jira writes them: `90` (minutes), `2h 30m`, `1d`, `1w 2d`.

/// Minutes in a day of work, as Jira counts by default: 8 hours.
pub const MINUTES_PER_DAY: i64 = 8 * 60;
/// Minutes in a week of work, as Jira counts by default: 5 days of 8 hours.
pub const MINUTES_PER_WEEK: i64 = 5 * MINUTES_PER_DAY;

/// The minutes `text` stands for: a whole number of minutes (`90`, sign allowed), or
/// parts of a number and a unit separated by spaces, `w` (a working week, 5 days),
/// `d` (a working day, 8 hours), `h` and `m`, in either case. `None` for anything
/// else or a value beyond `i64`.
///
/// ```
/// assert_eq!(jql::duration_minutes("2h 30m"), Some(150));
/// assert_eq!(jql::duration_minutes("1d"), Some(480));
/// assert_eq!(jql::duration_minutes("1w"), Some(2400));
/// assert_eq!(jql::duration_minutes("45"), Some(45));
/// assert_eq!(jql::duration_minutes("2x"), None);
/// ```
pub fn duration_minutes(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    let mut total: i64 = 0;
    let mut parts = 0;
    for part in text.split_whitespace() {
        let unit = part.chars().next_back()?;
        let number = &part[..part.len() - unit.len_utf8()];
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let per = match unit.to_ascii_lowercase() {
            'w' => MINUTES_PER_WEEK,
            'd' => MINUTES_PER_DAY,
            'h' => 60,
            'm' => 1,
            _ => return None,
        };
        let amount: i64 = number.parse().ok()?;
        total = total.checked_add(amount.checked_mul(per)?)?;
        parts += 1;
    }
    (parts > 0).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::duration_minutes;

    #[test]
    fn jira_durations_are_minutes() {
        assert_eq!(duration_minutes("1w 2d 3h 4m"), Some(2400 + 960 + 180 + 4));
        assert_eq!(duration_minutes("2H"), Some(120));
        assert_eq!(duration_minutes("-5"), Some(-5));
        for bad in ["", "h", "2 h", "1.5h", "2y", "-2h", "99999999999999999999w"] {
            assert_eq!(duration_minutes(bad), None, "{bad}");
        }
    }
}
