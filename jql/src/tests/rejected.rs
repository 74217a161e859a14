//! Invalid queries: the error kind, the column, and the sentence the user sees.

use crate::{ErrorKind, MAX_DEPTH, MAX_LIST_VALUES, MAX_QUERY_CHARS, parse};

use ErrorKind::*;

/// Input -> kind, column, and the full `Display` text.
const REJECTED: &[(&str, ErrorKind, usize, &str)] = &[
    // Strings and escapes.
    (
        r#"summary ~ "unterminated"#,
        Syntax,
        11,
        r#"unterminated string at column 11 (add the closing ")"#,
    ),
    (
        "' OR 1=1 --",
        Syntax,
        1,
        "unterminated string at column 1 (add the closing ')",
    ),
    (
        r#"summary ~ "ends with \"#,
        Syntax,
        11,
        r#"unterminated string at column 11 (add the closing ")"#,
    ),
    (
        r#"summary ~ "a\qb""#,
        Syntax,
        13,
        r#"unknown escape '\q' at column 13 (valid escapes are \" \' \\ \n \t \r and \uXXXX)"#,
    ),
    (
        r#"summary ~ "\u12""#,
        Syntax,
        12,
        r#"'\u' must be followed by 4 hex digits at column 12 (valid escapes are \" \' \\ \n \t \r and \uXXXX)"#,
    ),
    (
        r#"summary ~ "\uD800""#,
        Syntax,
        12,
        r#"'\uD800' is not a character (a lone surrogate) at column 12 (valid escapes are \" \' \\ \n \t \r and \uXXXX)"#,
    ),
    (
        r#"summary ~ "a\u0000""#,
        Syntax,
        13,
        "the NUL character is not allowed at column 13",
    ),
    (
        "summary ~ a\0",
        Syntax,
        12,
        "the NUL character is not allowed at column 12",
    ),
    // Missing or misplaced values.
    (
        "status =",
        Syntax,
        9,
        "expected a value after '=' at column 9",
    ),
    (
        "status = AND priority = High",
        Syntax,
        10,
        "expected a value after '=' but found keyword 'AND' at column 10 \
         (put values with spaces or reserved words in quotes, e.g. \"In Progress\")",
    ),
    (
        "status = In Progress",
        Syntax,
        10,
        "expected a value after '=' but found keyword 'In' at column 10 \
         (put values with spaces or reserved words in quotes, e.g. \"In Progress\")",
    ),
    (
        "status = To Do",
        Syntax,
        13,
        "unexpected 'Do' at column 13 (expected AND, OR, ORDER BY or the end of the query; \
         put values with spaces or reserved words in quotes, e.g. \"In Progress\")",
    ),
    (
        "status = )",
        Syntax,
        10,
        "expected a value after '=' but found ')' at column 10",
    ),
    (
        "status in ()",
        Syntax,
        12,
        "expected a value after '(' but found ')' at column 12",
    ),
    (
        "status in (a,)",
        Syntax,
        14,
        "expected a value after ',' but found ')' at column 14",
    ),
    (
        "status in (a b)",
        Syntax,
        14,
        "expected ',' or ')' in the list but found 'b' at column 14 \
         (put values with spaces or reserved words in quotes, e.g. \"In Progress\")",
    ),
    (
        "status in (a, (b))",
        Syntax,
        15,
        "lists cannot be nested at column 15",
    ),
    (
        "status in (a, b",
        Syntax,
        11,
        "unclosed '(' at column 11 (add ')' to close the list)",
    ),
    (
        "assignee IS Done",
        Syntax,
        13,
        "expected EMPTY or NULL after 'IS' but found 'Done' at column 13",
    ),
    (
        "assignee IS NOT",
        Syntax,
        16,
        "expected EMPTY or NULL after 'IS NOT' but found the end of the query at column 16",
    ),
    // Fields.
    (
        "stauts = Done",
        UnknownField,
        1,
        "unknown field 'stauts' at column 1 (did you mean 'status'?)",
    ),
    (
        "status = Done AND asignee = bob",
        UnknownField,
        19,
        "unknown field 'asignee' at column 19 (did you mean 'assignee'?)",
    ),
    (
        "fixVersion = 1.0",
        UnknownField,
        1,
        "unknown field 'fixVersion' at column 1 (expected one of: project, key, summary, \
         description, comment, text, status, statusCategory, type, priority, assignee, reporter, \
         labels, component, parent, created, updated, resolved, due, watcher, sprint, rank, \
         storyPoints, originalEstimate, startDate, timeSpent, remainingEstimate, worklogAuthor, \
         worklogDate)",
    ),
    (
        "AND status = Done",
        Syntax,
        1,
        "expected a field name but found keyword 'AND' at column 1",
    ),
    (
        "status = Done AND",
        Syntax,
        18,
        "expected a field name but found the end of the query at column 18",
    ),
    (
        "!status = Done",
        Syntax,
        1,
        "expected a field name but found '!' at column 1 (use NOT to negate a condition)",
    ),
    // Operators.
    (
        "status == Done",
        UnknownOperator,
        8,
        "unknown operator '==' at column 8 (did you mean '='?)",
    ),
    (
        "status <> Done",
        UnknownOperator,
        8,
        "unknown operator '<>' at column 8 (did you mean '!='?)",
    ),
    (
        "status =! Done",
        UnknownOperator,
        8,
        "unknown operator '=!' at column 8 (did you mean '!='?)",
    ),
    (
        "summary WAS Done",
        InvalidOperator,
        9,
        "'summary' keeps no history, so WAS cannot be used with it at column 9 \
         (WAS works with: status, priority, assignee)",
    ),
    (
        "status WAS Done FROM Open",
        Syntax,
        17,
        "FROM goes with CHANGED, not WAS at column 17 (e.g. status CHANGED FROM a TO b)",
    ),
    (
        "status CHANGED BY bob BY alice",
        Syntax,
        23,
        "BY appears twice at column 23",
    ),
    (
        "status CHANGED DURING (2026-11-01)",
        InvalidValue,
        23,
        "DURING takes two dates, not 1 at column 23 (e.g. DURING (\"2026-11-01\", \"2026-11-30\"))",
    ),
    (
        "status CHANGED AFTER bob",
        InvalidValue,
        22,
        "expected a date for 'AFTER' but found 'bob' at column 22 (use \"yyyy-MM-dd\" or \"yyyy/MM/dd\", optionally with \"HH:mm\", a relative date like -7d (units y, M, w, d, h, m), or a function like startOfDay())",
    ),
    (
        "status WAS EMPTY",
        InvalidOperator,
        8,
        "'status' is never empty, so it cannot be compared with EMPTY at column 8 \
         (EMPTY works with: description, assignee, labels, component, parent, resolved, due, \
         sprint, storyPoints, originalEstimate, startDate, remainingEstimate)",
    ),
    (
        "status Done",
        Syntax,
        8,
        "expected an operator after 'status' but found 'Done' at column 8 \
         (expected one of: =, !=, IN, NOT IN)",
    ),
    (
        "status",
        Syntax,
        7,
        "expected an operator after 'status' at column 7 (expected one of: =, !=, IN, NOT IN)",
    ),
    (
        "status NOT = Done",
        Syntax,
        12,
        "expected IN after NOT but found '=' at column 12",
    ),
    // Operators that the field does not support.
    (
        "status ~ Done",
        InvalidOperator,
        8,
        "operator '~' cannot be used with field 'status' at column 8 \
         ('~' searches the text fields: summary, description, comment, text)",
    ),
    (
        "summary = crash",
        InvalidOperator,
        9,
        "operator '=' cannot be used with field 'summary' at column 9 \
         (use '~' to search text, e.g. summary ~ \"login\")",
    ),
    (
        "status > Done",
        InvalidOperator,
        8,
        "operator '>' cannot be used with field 'status' at column 8 \
         (expected one of: =, !=, IN, NOT IN)",
    ),
    (
        "status IS EMPTY",
        InvalidOperator,
        8,
        "'status' is never empty, so it cannot be compared with EMPTY at column 8 \
         (EMPTY works with: description, assignee, labels, component, parent, resolved, due, \
         sprint, storyPoints, originalEstimate, startDate, remainingEstimate)",
    ),
    (
        "reporter = EMPTY",
        InvalidOperator,
        10,
        "'reporter' is never empty, so it cannot be compared with EMPTY at column 10 \
         (EMPTY works with: description, assignee, labels, component, parent, resolved, due, \
         sprint, storyPoints, originalEstimate, startDate, remainingEstimate)",
    ),
    // Values that the field or operator does not accept.
    (
        "timeSpent > 2x",
        InvalidValue,
        13,
        "expected a duration for 'timeSpent' but found '2x' at column 13 (minutes (90) or \
         Jira's form, e.g. \"2h 30m\", 1d (8h) or 1w (5d))",
    ),
    (
        "created > Done",
        InvalidValue,
        11,
        "expected a date for 'created' but found 'Done' at column 11 (use \"yyyy-MM-dd\" or \
         \"yyyy/MM/dd\", optionally with \"HH:mm\", a relative date like -7d (units y, M, w, d, \
         h, m), or a function like startOfDay())",
    ),
    (
        "created = \"2026-02-30\"",
        InvalidValue,
        11,
        "'2026-02-30' is not a valid date at column 11",
    ),
    (
        "created = \"2026-11-25 24:00\"",
        InvalidValue,
        11,
        "'2026-11-25 24:00' is not a valid date at column 11",
    ),
    (
        "created > -99999999999999999999d",
        InvalidValue,
        11,
        "the relative date '-99999999999999999999d' is out of range at column 11",
    ),
    (
        "created > EMPTY",
        InvalidValue,
        11,
        "EMPTY cannot be used with '>' at column 11 (use created IS EMPTY or created IS NOT EMPTY)",
    ),
    (
        "status in Done",
        InvalidValue,
        11,
        "IN needs a list of values in parentheses at column 11 (e.g. status IN (a, b, \"c d\"))",
    ),
    (
        "status = (a, b)",
        InvalidValue,
        10,
        "'=' takes a single value, not a list at column 10 (use IN for a list)",
    ),
    (
        "status in (EMPTY)",
        InvalidValue,
        12,
        "'status' is never empty, so EMPTY cannot be in its list at column 12",
    ),
    (
        "summary ~ \"*** 😀\"",
        InvalidValue,
        11,
        "the search text has no words to search for at column 11",
    ),
    (
        "summary ~ EMPTY",
        InvalidValue,
        11,
        "'~' needs the text to search for at column 11 (e.g. summary ~ \"login error\")",
    ),
    // Functions.
    (
        "status = currentUser()",
        InvalidValue,
        10,
        "currentUser() cannot be used with 'status' at column 10 \
         (it works with the user fields: assignee, reporter, watcher, \
         worklogAuthor)",
    ),
    (
        "labels = now()",
        InvalidValue,
        10,
        "now() cannot be used with 'labels' at column 10 \
         (it works with the date fields: created, updated, resolved, due, startDate, \
         worklogDate)",
    ),
    (
        "assignee = membersOf(devs)",
        InvalidValue,
        12,
        "membersOf() returns a list, so it needs IN or NOT IN at column 12 \
         (e.g. assignee IN membersOf(\"developers\"))",
    ),
    (
        "assignee in membersOf()",
        InvalidValue,
        13,
        "membersOf() needs one group or role name at column 13 (e.g. membersOf(\"developers\"))",
    ),
    (
        "issue = watchedIssues()",
        InvalidValue,
        9,
        "watchedIssues() returns a list, so it needs IN or NOT IN at column 9 \
         (e.g. issue IN watchedIssues())",
    ),
    (
        "assignee in linkedIssues(WEB-1)",
        InvalidValue,
        13,
        "linkedIssues() cannot be used with 'assignee' at column 13 \
         (it works with the issue field: issue IN linkedIssues())",
    ),
    (
        "issue in linkedIssues()",
        InvalidValue,
        10,
        "linkedIssues() needs an issue key and, optionally, a link type at column 10 \
         (e.g. linkedIssues(WEB-1) or linkedIssues(WEB-1, \"is blocked by\"))",
    ),
    (
        "issue in watchedIssues(bob)",
        InvalidValue,
        24,
        "watchedIssues() takes no arguments at column 24",
    ),
    (
        "assignee in (membersOf(devs))",
        InvalidValue,
        14,
        "membersOf() returns a list, so it needs IN or NOT IN at column 14 \
         (e.g. assignee IN membersOf(\"developers\"))",
    ),
    (
        "created > currentUsr()",
        UnknownFunction,
        11,
        "unknown function 'currentUsr' at column 11 (did you mean 'currentUser'?)",
    ),
    (
        "created > startOfDay(foo)",
        InvalidValue,
        22,
        "expected an offset for startOfDay() but found 'foo' at column 22 (e.g. -1, +2 or \"-1d\")",
    ),
    (
        "created > now(1)",
        InvalidValue,
        15,
        "now() takes no arguments at column 15",
    ),
    (
        "created > startOfDay(1, 2)",
        InvalidValue,
        25,
        "startOfDay() takes at most one argument at column 25",
    ),
    (
        "created > startOfDay(1",
        Syntax,
        21,
        "unclosed '(' at column 21 (add ')' to close the call of 'startOfDay')",
    ),
    // Parentheses and trailing text.
    (
        "(status = Done",
        Syntax,
        1,
        "unclosed '(' at column 1 (add ')' to close it)",
    ),
    (
        "status = Done AND (priority = High",
        Syntax,
        19,
        "unclosed '(' at column 19 (add ')' to close it)",
    ),
    (
        "status = Done)",
        Syntax,
        14,
        "unexpected ')' at column 14 (there is no '(' to close)",
    ),
    (
        "(status = Done))",
        Syntax,
        16,
        "unexpected ')' at column 16 (there is no '(' to close)",
    ),
    (
        "(status = Done foo)",
        Syntax,
        16,
        "unexpected 'foo' at column 16 (expected AND, OR or ')'; \
         put values with spaces or reserved words in quotes, e.g. \"In Progress\")",
    ),
    (
        "()",
        Syntax,
        2,
        "unexpected ')' at column 2 (expected a field name)",
    ),
    (
        "status = Done ; DROP TABLE tickets",
        Syntax,
        15,
        "unexpected ';' at column 15 (expected AND, OR, ORDER BY or the end of the query)",
    ),
    (
        "status = Done && priority = High",
        Syntax,
        15,
        "unexpected '&&' at column 15 (use AND to require both conditions)",
    ),
    (
        "status = Done || priority = High",
        Syntax,
        15,
        "unexpected '||' at column 15 (use OR to accept either condition)",
    ),
    (
        "labels = a, b",
        Syntax,
        11,
        "unexpected ',' at column 11 (expected AND, OR, ORDER BY or the end of the query; \
         for several values use IN, e.g. status IN (a, b))",
    ),
    // ORDER BY.
    (
        "ORDER BY text",
        InvalidOrder,
        10,
        "cannot order by 'text' at column 10 (expected one of: project, key, summary, status, \
         statusCategory, type, priority, assignee, reporter, component, parent, created, \
         updated, resolved, due, rank, storyPoints, originalEstimate, startDate, timeSpent, \
         remainingEstimate)",
    ),
    (
        "ORDER BY created, CREATED desc",
        InvalidOrder,
        19,
        "'created' appears twice in ORDER BY at column 19",
    ),
    (
        "ORDER created",
        Syntax,
        7,
        "expected BY after ORDER but found 'created' at column 7",
    ),
    (
        "status = Done ORDER BY",
        Syntax,
        23,
        "expected a field after ORDER BY but found the end of the query at column 23",
    ),
    (
        "ORDER BY created DESC status",
        Syntax,
        23,
        "unexpected 'status' at column 23 (expected ',' or the end of the query; \
         put values with spaces or reserved words in quotes, e.g. \"In Progress\")",
    ),
    (
        "ORDER BY created DESC AND status = Done",
        Syntax,
        23,
        "unexpected 'AND' at column 23 (expected ',' or the end of the query)",
    ),
    // Unicode: columns count characters, not bytes (the emoji is 4 bytes).
    (
        "summary ~ \"😀 x\" AND stauts = 1",
        UnknownField,
        21,
        "unknown field 'stauts' at column 21 (did you mean 'status'?)",
    ),
    (
        "labels = größe ß",
        Syntax,
        16,
        "unexpected 'ß' at column 16 (expected AND, OR, ORDER BY or the end of the query; put values with spaces or reserved words in quotes, e.g. \"In Progress\")",
    ),
];

#[test]
fn rejected_queries_report_kind_column_and_message() {
    for (input, kind, column, message) in REJECTED {
        let error = parse(input).expect_err(input);
        assert_eq!(
            (error.kind, error.column, error.to_string().as_str()),
            (*kind, *column, *message),
            "error for {input:?}"
        );
    }
}

#[test]
fn nesting_past_the_limit_is_an_error_not_a_stack_overflow() {
    let depth = MAX_DEPTH + 1;
    let input = format!("{}status = Done{}", "(".repeat(depth), ")".repeat(depth));
    let error = parse(&input).expect_err("too deep");
    assert_eq!((error.kind, error.column), (Limit, depth));
    assert_eq!(
        error.to_string(),
        "the query is nested more than 32 levels deep at column 33 \
         (parentheses and NOT each add a level)"
    );
}

#[test]
fn not_counts_towards_the_nesting_limit() {
    let input = format!("{}status = Done", "NOT ".repeat(MAX_DEPTH + 1));
    let error = parse(&input).expect_err("too deep");
    assert_eq!((error.kind, error.column), (Limit, MAX_DEPTH * 4 + 1));
}

#[test]
fn very_deep_nesting_fails_fast() {
    let input = "(".repeat(MAX_QUERY_CHARS);
    let error = parse(&input).expect_err("too deep");
    assert_eq!((error.kind, error.column), (Limit, MAX_DEPTH + 1));
}

#[test]
fn input_past_the_length_limit_is_rejected() {
    let input = format!("summary ~ \"{}\"", "a".repeat(MAX_QUERY_CHARS));
    let error = parse(&input).expect_err("too long");
    assert_eq!((error.kind, error.column), (Limit, MAX_QUERY_CHARS + 1));
    assert_eq!(
        error.to_string(),
        "the query is longer than 10000 characters at column 10001"
    );
}

#[test]
fn the_length_limit_counts_characters() {
    // 10,000 four-byte characters are 40,000 bytes but within the limit.
    let input = format!("summary ~ \"{}\"", "😀".repeat(MAX_QUERY_CHARS - 13) + "a");
    assert_eq!(input.chars().count(), MAX_QUERY_CHARS);
    assert!(input.len() > MAX_QUERY_CHARS * 3);
    assert!(parse(&input).is_ok());
}

#[test]
fn a_list_past_the_length_limit_is_rejected() {
    let values = vec!["x"; MAX_LIST_VALUES + 1].join(",");
    let input = format!("labels in ({values})");
    let error = parse(&input).expect_err("too long a list");
    // Each "x," takes two columns after "labels in (" (11 columns).
    assert_eq!(
        (error.kind, error.column),
        (Limit, 12 + 2 * MAX_LIST_VALUES)
    );
    assert!(
        error
            .to_string()
            .starts_with("a list can hold at most 1000 values at column")
    );
}

#[test]
fn unknown_field_errors_list_the_fields_for_autocomplete() {
    let error = parse("stauts = Done").expect_err("unknown field");
    assert_eq!(error.expected.len(), crate::Field::ALL.len());
    assert_eq!((error.column, error.end_column), (1, 7));
}

#[test]
fn error_at_the_end_of_input_points_past_the_last_character() {
    let error = parse("status = ").expect_err("missing value");
    assert_eq!((error.column, error.end_column), (10, 10));
}
