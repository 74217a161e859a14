//! Field checks shared by request types: lengths are counted in characters, and text
//! is trimmed before it is measured and stored.

use serde::{Deserialize, Deserializer};

use super::ApiError;

/// For `#[serde(default, deserialize_with = "crate::http::validate::present")]` on an
/// `Option<Option<T>>`: tells "field absent" (outer `None`, via `default`) from "field
/// is null" (`Some(None)`), as PATCH bodies need.
pub fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A required single-line text field of `1..=max` characters after trimming.
pub fn required_text(field: &'static str, value: &str, max: usize) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::validation(field, "must not be empty"));
    }
    if trimmed.contains(['\n', '\r', '\0']) {
        return Err(ApiError::validation(field, "must be a single line"));
    }
    bounded(field, trimmed, max)
}

/// A multi-line text field of at most `max` characters (may be empty).
pub fn long_text(field: &'static str, value: &str, max: usize) -> Result<String, ApiError> {
    if value.contains('\0') {
        return Err(ApiError::validation(
            field,
            "must not contain NUL characters",
        ));
    }
    bounded(field, value.trim_end(), max)
}

fn bounded(field: &'static str, value: &str, max: usize) -> Result<String, ApiError> {
    let chars = value.chars().count();
    if chars > max {
        return Err(ApiError::validation(
            field,
            format!("must be at most {max} characters (got {chars})"),
        )
        .with_extension("max_length", max.into()));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded_in_characters() {
        assert_eq!(
            required_text("title", "  hi ", 5).ok().as_deref(),
            Some("hi")
        );
        assert!(required_text("title", "   ", 5).is_err());
        assert!(required_text("title", "a\nb", 5).is_err());
        assert!(required_text("title", "ééééé", 5).is_ok());
        assert!(required_text("title", "éééééé", 5).is_err());
        assert!(long_text("description", "a\nb", 5).is_ok());
        assert!(long_text("description", "a\0", 5).is_err());
    }
}
