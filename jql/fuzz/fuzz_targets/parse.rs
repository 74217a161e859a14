//! `cargo +nightly fuzz run parse` (from `jql/`): the parser must never panic, and any
//! query it accepts must print as canonical JQL that parses back to the same text.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(query) = jql::parse(input) else {
        return;
    };
    let printed = query.to_string();
    // Canonical text can be longer than the input (quotes, `IS EMPTY` for `= NULL`).
    if printed.chars().count() > jql::MAX_QUERY_CHARS {
        return;
    }
    match jql::parse(&printed) {
        Ok(again) => assert_eq!(again.to_string(), printed, "input: {input:?}"),
        Err(error) => panic!("canonical {printed:?} of {input:?} does not parse: {error}"),
    }
});
