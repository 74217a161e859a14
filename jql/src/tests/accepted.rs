//! Valid queries: what they parse to, and their canonical form.

use chrono::NaiveDate;

use super::{assert_round_trips, parse_ok, shape};
use crate::{
    Clause, DEFAULT_ORDER, Direction, Field, Function, FunctionArg, OrderKey, Query, Value,
};

/// Input -> canonical JQL. Every entry also has to survive a print/parse round trip.
const CANONICAL: &[(&str, &str)] = &[
    // Every operator.
    ("status = Done", r#"status = "Done""#),
    ("status != Done", r#"status != "Done""#),
    ("priority > High", r#"priority > "High""#),
    ("priority >= 2", "priority >= 2"),
    ("priority < 3", "priority < 3"),
    ("priority <= Low", r#"priority <= "Low""#),
    ("summary ~ login", r#"summary ~ "login""#),
    (
        r#"summary !~ "crash report""#,
        r#"summary !~ "crash report""#,
    ),
    (
        r#"status in (Open, "In Progress", Done)"#,
        r#"status IN ("Open", "In Progress", "Done")"#,
    ),
    ("status NOT IN (Done)", r#"status NOT IN ("Done")"#),
    // Links and watchers.
    (
        "issue in linkedIssues(WEB-1)",
        r#"key IN linkedIssues("WEB-1")"#,
    ),
    (
        r#"issue IN linkedIssues(WEB-1, "is blocked by")"#,
        r#"key IN linkedIssues("WEB-1", "is blocked by")"#,
    ),
    ("issue not in watchedIssues()", "key NOT IN watchedIssues()"),
    // History.
    (
        "status was done BY bob after -1d",
        r#"status WAS "done" BY "bob" AFTER -1d"#,
    ),
    (
        "status CHANGED FROM Open TO Done DURING (2026-11-01, \"2026-11-30 12:00\")",
        r#"status CHANGED FROM "Open" TO "Done" DURING ("2026-11-01", "2026-11-30 12:00")"#,
    ),
    ("NOT assignee WAS EMPTY", "NOT assignee WAS EMPTY"),
    ("watcher = currentUser()", "watcher = currentUser()"),
    ("assignee IS EMPTY", "assignee IS EMPTY"),
    ("due IS NOT EMPTY", "due IS NOT EMPTY"),
    // EMPTY and NULL, and `= EMPTY` as Jira reads it.
    ("assignee is null", "assignee IS EMPTY"),
    ("resolved is not NULL", "resolved IS NOT EMPTY"),
    ("assignee = EMPTY", "assignee IS EMPTY"),
    ("labels != null", "labels IS NOT EMPTY"),
    ("component is empty", "component IS EMPTY"),
    ("parent IS EMPTY", "parent IS EMPTY"),
    ("description is empty", "description IS EMPTY"),
    (
        "labels in (EMPTY, backend)",
        r#"labels IN (EMPTY, "backend")"#,
    ),
    // Keywords and fields ignore case; aliases map to one field.
    ("STATUS = Done", r#"status = "Done""#),
    ("Status=Done", r#"status = "Done""#),
    (
        "status NoT iN (Done, Closed)",
        r#"status NOT IN ("Done", "Closed")"#,
    ),
    ("statuscategory = \"To Do\"", r#"statusCategory = "To Do""#),
    ("issuekey = WEB-12", r#"key = "WEB-12""#),
    ("KEY = 12", "key = 12"),
    ("issuetype = Bug", r#"type = "Bug""#),
    ("IssueType in (Bug, Story)", r#"type IN ("Bug", "Story")"#),
    ("duedate < now()", "due < now()"),
    ("\"status\" = Done", r#"status = "Done""#),
    ("parent = WEB-1", r#"parent = "WEB-1""#),
    (
        "parent in (WEB-1, WEB-2)",
        r#"parent IN ("WEB-1", "WEB-2")"#,
    ),
    ("\"Epic Link\" = WEB-1", r#"parent = "WEB-1""#),
    ("\"epic link\" is empty", "parent IS EMPTY"),
    ("\"Story Points\" >= 3", "storyPoints >= 3"),
    ("storypoints = 2.5", r#"storyPoints = "2.5""#),
    ("originalEstimate < 120", "originalEstimate < 120"),
    // Durations: minutes, or Jira's units (1d = 8h, 1w = 5d).
    ("originalEstimate > 2h", "originalEstimate > 120"),
    (r#"timeSpent >= "2h 30m""#, "timeSpent >= 150"),
    ("timespent in (1d, 1w)", "timeSpent IN (480, 2400)"),
    ("remainingEstimate is empty", "remainingEstimate IS EMPTY"),
    ("remainingEstimate <= 0", "remainingEstimate <= 0"),
    (
        "worklogAuthor = currentUser()",
        "worklogAuthor = currentUser()",
    ),
    (
        "worklogAuthor in membersOf(admin)",
        r#"worklogAuthor IN membersOf("admin")"#,
    ),
    ("worklogAuthor != bob", r#"worklogAuthor != "bob""#),
    (
        "worklogDate >= \"2026-12-01\"",
        r#"worklogDate >= "2026-12-01""#,
    ),
    ("worklogDate > -7d", "worklogDate > -7d"),
    (
        "startDate >= \"2026-12-01\"",
        r#"startDate >= "2026-12-01""#,
    ),
    ("startDate is empty", "startDate IS EMPTY"),
    // Values: words, quoted strings, numbers.
    ("project = WEB", r#"project = "WEB""#),
    ("project = 10000", "project = 10000"),
    ("project = \"10000\"", r#"project = "10000""#),
    ("priority = -3", "priority = -3"),
    (
        "key in (WEB-1, 'WEB-2', 3)",
        r#"key IN ("WEB-1", "WEB-2", 3)"#,
    ),
    ("labels = 4h", r#"labels = "4h""#),
    ("parent = WEB-1", r#"parent = "WEB-1""#),
    ("component = api", r#"component = "api""#),
    ("text ~ 2026", r#"text ~ "2026""#),
    (
        "description ~ 'single quoted'",
        r#"description ~ "single quoted""#,
    ),
    (
        r#"comment ~ "\"exact phrase\"""#,
        r#"comment ~ "\"exact phrase\"""#,
    ),
    (r#"assignee = "O'Brien""#, r#"assignee = "O'Brien""#),
    (r"assignee = 'O\'Brien'", r#"assignee = "O'Brien""#),
    // Escapes, backslashes, Unicode.
    (
        r#"summary ~ "tab\there \\ \u00e9 \'q\'""#,
        r#"summary ~ "tab\there \\ é 'q'""#,
    ),
    (
        r#"summary ~ "C:\\path\\file.txt""#,
        r#"summary ~ "C:\\path\\file.txt""#,
    ),
    (r#"labels = "a\nb\rc""#, r#"labels = "a\nb\rc""#),
    (r#"labels = "bell\u0007""#, r#"labels = "bell\u0007""#),
    (r#"summary ~ "Straße 😀""#, r#"summary ~ "Straße 😀""#),
    ("labels = größe", r#"labels = "größe""#),
    (r#"summary ~ "' OR 1=1 --""#, r#"summary ~ "' OR 1=1 --""#),
    // Relative dates, every unit.
    ("created > -7d", "created > -7d"),
    ("created > -2w", "created > -2w"),
    ("updated > 4h", "updated > 4h"),
    ("due < 1M", "due < 1M"),
    ("created > -1y", "created > -1y"),
    ("updated >= -30m", "updated >= -30m"),
    ("created > +3d", "created > 3d"),
    ("created > \"-1d\"", "created > -1d"),
    // Absolute dates and date-times, in each of Jira's formats.
    ("created >= \"2026-11-25\"", r#"created >= "2026-11-25""#),
    ("created >= 2026/11/25", r#"created >= "2026-11-25""#),
    (
        "created < \"2026-11-25 14:30\"",
        r#"created < "2026-11-25 14:30""#,
    ),
    (
        "resolved <= '2026/1/5 9:05'",
        r#"resolved <= "2026-01-05 09:05""#,
    ),
    // Functions.
    ("reporter = currentUser()", "reporter = currentUser()"),
    ("watcher = CURRENTUSER()", "watcher = currentUser()"),
    (
        r#"assignee in (currentUser(), "bob@example.com")"#,
        r#"assignee IN (currentUser(), "bob@example.com")"#,
    ),
    (
        r#"assignee IN membersOf("developers")"#,
        r#"assignee IN membersOf("developers")"#,
    ),
    (
        "watcher not in membersof(qa)",
        r#"watcher NOT IN membersOf("qa")"#,
    ),
    ("created < NOW()", "created < now()"),
    ("created > startOfDay()", "created > startOfDay()"),
    ("created > startOfDay(-1)", "created > startOfDay(-1)"),
    ("created > startOfWeek(+2)", "created > startOfWeek(2)"),
    (
        r#"created > startOfMonth("-1d")"#,
        r#"created > startOfMonth("-1d")"#,
    ),
    ("created > startOfYear(1y)", "created > startOfYear(1)"),
    ("due < endOfDay()", "due < endOfDay()"),
    ("due < endOfWeek(-1w)", "due < endOfWeek(-1)"),
    ("due < endOfMonth()", "due < endOfMonth()"),
    ("due < endofyear(\"+2\")", "due < endOfYear(2)"),
    (
        r#"created in (startOfDay(), "2026-11-25", -1d)"#,
        r#"created IN (startOfDay(), "2026-11-25", -1d)"#,
    ),
    // AND, OR, NOT and parentheses: only needed parentheses are printed.
    (
        "status = A and priority = B or labels = C",
        r#"status = "A" AND priority = "B" OR labels = "C""#,
    ),
    (
        "status = A or priority = B and labels = C",
        r#"status = "A" OR priority = "B" AND labels = "C""#,
    ),
    (
        "(status = A OR status = B) AND priority = C",
        r#"(status = "A" OR status = "B") AND priority = "C""#,
    ),
    ("not status = Done", r#"NOT status = "Done""#),
    (
        "NOT (status = A or status = B)",
        r#"NOT (status = "A" OR status = "B")"#,
    ),
    ("NOT NOT status = A", r#"NOT NOT status = "A""#),
    ("NOT (status = A)", r#"NOT status = "A""#),
    ("((status = A))", r#"status = "A""#),
    (
        "status = A AND (priority = B AND labels = C)",
        r#"status = "A" AND priority = "B" AND labels = "C""#,
    ),
    (
        "(status = A OR status = B) OR (status = C)",
        r#"status = "A" OR status = "B" OR status = "C""#,
    ),
    // ORDER BY.
    ("ORDER BY created", "ORDER BY created ASC"),
    ("order by duedate desc", "ORDER BY due DESC"),
    (
        "status = Done order by priority desc, created asc, key",
        r#"status = "Done" ORDER BY priority DESC, created ASC, key ASC"#,
    ),
    (
        "ORDER BY summary, issuetype DESC",
        "ORDER BY summary ASC, type DESC",
    ),
    // Empty query: matches everything.
    ("", ""),
    ("  \t\n ", ""),
];

#[test]
fn canonical_forms() {
    assert!(CANONICAL.len() >= 60);
    for (input, expected) in CANONICAL {
        let query = parse_ok(input);
        assert_eq!(query.to_string(), *expected, "canonical form of {input:?}");
        assert_round_trips(&query);
    }
}

/// Input -> grouping and value types (see [`shape`]).
const SHAPES: &[(&str, &str)] = &[
    // Precedence: NOT over AND over OR.
    (
        "status = A OR status = B AND priority = C",
        r#"(or {status = "A"} (and {status = "B"} {priority = "C"}))"#,
    ),
    (
        "status = A AND status = B OR priority = C",
        r#"(or (and {status = "A"} {status = "B"}) {priority = "C"})"#,
    ),
    (
        "NOT status = A AND priority = B",
        r#"(and (not {status = "A"}) {priority = "B"})"#,
    ),
    (
        "NOT (status = A AND priority = B)",
        r#"(not (and {status = "A"} {priority = "B"}))"#,
    ),
    (
        "status = A OR NOT priority = B AND labels = C",
        r#"(or {status = "A"} (and (not {priority = "B"}) {labels = "C"}))"#,
    ),
    (
        "(status = A OR status = B) AND priority = C",
        r#"(and (or {status = "A"} {status = "B"}) {priority = "C"})"#,
    ),
    (
        "status = A AND (status = B OR (priority = C AND labels = D))",
        r#"(and {status = "A"} (or {status = "B"} (and {priority = "C"} {labels = "D"})))"#,
    ),
    // Value typing depends on the field and on quoting.
    ("key = 12", "{key = #12}"),
    ("key = \"12\"", r#"{key = "12"}"#),
    ("priority in (1, High)", r#"{priority IN [#1, "High"]}"#),
    ("summary ~ 12", r#"{summary ~ "12"}"#),
    ("assignee = 12", r#"{assignee = "12"}"#),
    (
        "key = 99999999999999999999",
        r#"{key = "99999999999999999999"}"#,
    ),
    ("created > -7d", "{created > rel(-7d)}"),
    ("created > -2w", "{created > rel(-2w)}"),
    ("created > 4h", "{created > rel(4h)}"),
    ("created > 1M", "{created > rel(1M)}"),
    ("created > -1y", "{created > rel(-1y)}"),
    ("created > 30m", "{created > rel(30m)}"),
    ("created > '-1d'", "{created > rel(-1d)}"),
    ("labels = -7d", r#"{labels = "-7d"}"#),
    ("created = \"2026-11-25\"", "{created = date(2026-11-25)}"),
    ("due = 2026-11-25", "{due = date(2026-11-25)}"),
    ("labels = \"2026-11-25\"", r#"{labels = "2026-11-25"}"#),
    (
        "created = \"2026-11-25 14:30\"",
        "{created = datetime(2026-11-25 14:30)}",
    ),
    (
        "updated = \"2026/11/25 07:05\"",
        "{updated = datetime(2026-11-25 07:05)}",
    ),
    ("created > startOfDay(-1)", "{created > fn startOfDay(-1d)}"),
    ("created > startOfWeek()", "{created > fn startOfWeek()}"),
    (
        "created > startOfMonth(\"+14d\")",
        "{created > fn startOfMonth(14d)}",
    ),
    ("created > endOfYear(-2)", "{created > fn endOfYear(-2y)}"),
    ("created > endOfMonth(1)", "{created > fn endOfMonth(1M)}"),
    ("created > now()", "{created > fn now()}"),
    ("assignee = currentUser()", "{assignee = fn currentUser()}"),
    (
        "issue in linkedIssues(WEB-1, blocks)",
        r#"{key IN fn linkedIssues("WEB-1", "blocks")}"#,
    ),
    ("issue in watchedIssues()", "{key IN fn watchedIssues()}"),
    // History: WAS and CHANGED with their predicates, typed for what they bound.
    ("status was Done", r#"{status WAS "Done"}"#),
    (
        r#"status WAS NOT IN (Done, "In Progress")"#,
        r#"{status WAS NOT IN ["Done", "In Progress"]}"#,
    ),
    ("assignee was empty", "{assignee WAS EMPTY}"),
    (
        "assignee was not currentUser() before -7d",
        "{assignee WAS NOT fn currentUser() BEFORE rel(-7d)}",
    ),
    (
        "priority WAS in (1, High)",
        r#"{priority WAS IN [#1, "High"]}"#,
    ),
    (
        r#"status was "In Progress" by bob during ("2026-11-01", startOfWeek(-1))"#,
        r#"{status WAS "In Progress" BY "bob" DURING [date(2026-11-01), fn startOfWeek(-1w)]}"#,
    ),
    ("status changed", "{status CHANGED}"),
    (
        "status changed from Open to Done by (bob, currentUser()) after -2w on 2026-11-25",
        r#"{status CHANGED FROM "Open" TO "Done" BY ["bob", fn currentUser()] AFTER rel(-2w) ON date(2026-11-25)}"#,
    ),
    (
        "assignee changed to empty by membersOf(devs)",
        r#"{assignee CHANGED TO EMPTY BY fn membersOf("devs")}"#,
    ),
    (
        "NOT status changed AND labels = after",
        r#"(and (not {status CHANGED}) {labels = "after"})"#,
    ),
    (
        r#"assignee in membersOf("devs")"#,
        r#"{assignee IN fn membersOf("devs")}"#,
    ),
    ("assignee is null", "{assignee IS EMPTY}"),
    ("due != empty", "{due IS NOT EMPTY}"),
    (
        r#"summary ~ "\"exact phrase\"""#,
        r#"{summary ~ "\"exact phrase\""}"#,
    ),
];

#[test]
fn grouping_and_value_types() {
    for (input, expected) in SHAPES {
        let query = parse_ok(input);
        let clause = query.clause.as_ref().expect("a clause");
        assert_eq!(shape(clause), *expected, "shape of {input:?}");
        assert_round_trips(&query);
    }
}

#[test]
fn empty_query_matches_everything_in_default_order() {
    let query = parse_ok("");
    assert_eq!(query, Query::default());
    assert_eq!(
        query.order_or_default(),
        [OrderKey {
            field: Field::Created,
            direction: Direction::Desc
        }]
    );
}

#[test]
fn order_by_without_direction_is_ascending_and_replaces_the_default() {
    let query = parse_ok("ORDER BY priority, created DESC");
    assert_eq!(query.clause, None);
    assert_eq!(
        query.order_or_default(),
        [
            OrderKey {
                field: Field::Priority,
                direction: Direction::Asc
            },
            OrderKey {
                field: Field::Created,
                direction: Direction::Desc
            }
        ]
    );
    assert_ne!(query.order_or_default(), DEFAULT_ORDER);
}

#[test]
fn spans_count_characters_not_bytes() {
    let query = parse_ok(r#"summary ~ "😀 x" AND labels = größe"#);
    let Some(Clause::And(clauses)) = &query.clause else {
        panic!("expected AND");
    };
    let Some(Clause::Compare(second)) = clauses.get(1) else {
        panic!("expected a comparison");
    };
    assert_eq!((second.span.start, second.span.end), (21, 35));
    assert_eq!((second.value_span.start, second.value_span.end), (30, 35));
}

#[test]
fn a_list_value_spans_its_parentheses() {
    let query = parse_ok("status in (a, b)");
    let Some(Clause::Compare(cmp)) = &query.clause else {
        panic!("expected a comparison");
    };
    assert_eq!((cmp.value_span.start, cmp.value_span.end), (11, 17));
    assert_eq!((cmp.span.start, cmp.span.end), (1, 17));
}

#[test]
fn date_values_are_chrono_dates() {
    let query = parse_ok("due = 2026/02/28");
    let Some(Clause::Compare(cmp)) = &query.clause else {
        panic!("expected a comparison");
    };
    assert_eq!(
        cmp.value,
        Value::Date(NaiveDate::from_ymd_opt(2026, 2, 28).expect("date"))
    );
}

#[test]
fn membersof_keeps_its_group_name() {
    let query = parse_ok("reporter in membersOf('Site Admins')");
    let Some(Clause::Compare(cmp)) = &query.clause else {
        panic!("expected a comparison");
    };
    assert_eq!(
        cmp.value,
        Value::Function {
            name: Function::MembersOf,
            arg: Some(FunctionArg::Name("Site Admins".into()))
        }
    );
}

#[test]
fn text_query_is_available_on_text_comparisons_only() {
    let query = parse_ok(r#"summary ~ "Login* \"null pointer\"" AND status = Done"#);
    let Some(Clause::And(clauses)) = &query.clause else {
        panic!("expected AND");
    };
    let terms: Vec<_> = clauses
        .iter()
        .map(|clause| match clause {
            Clause::Compare(cmp) => cmp.text_query().map(|text| text.terms),
            _ => None,
        })
        .collect();
    assert_eq!(
        terms,
        [
            Some(vec![
                crate::Term::Prefix("login".into()),
                crate::Term::Phrase(vec!["null".into(), "pointer".into()])
            ]),
            None
        ]
    );
}

#[test]
fn a_query_at_the_length_limit_is_accepted() {
    let padding = "a".repeat(crate::MAX_QUERY_CHARS - "summary ~ \"\"".len());
    let input = format!("summary ~ \"{padding}\"");
    assert_eq!(input.chars().count(), crate::MAX_QUERY_CHARS);
    parse_ok(&input);
}

#[test]
fn nesting_at_the_depth_limit_is_accepted() {
    let depth = crate::MAX_DEPTH;
    let input = format!("{}status = Done{}", "(".repeat(depth), ")".repeat(depth));
    parse_ok(&input);
    let input = format!("{}status = Done", "NOT ".repeat(depth));
    assert_round_trips(&parse_ok(&input));
}

#[test]
fn a_list_at_the_length_limit_is_accepted() {
    let values = vec!["x"; crate::MAX_LIST_VALUES].join(",");
    let query = parse_ok(&format!("labels in ({values})"));
    let Some(Clause::Compare(cmp)) = &query.clause else {
        panic!("expected a comparison");
    };
    assert!(matches!(&cmp.value, Value::List(values) if values.len() == crate::MAX_LIST_VALUES));
}

#[test]
fn every_field_and_function_has_a_name_that_parses_back() {
    for field in Field::ALL {
        assert_eq!(Field::from_name(field.name()), Some(*field));
        assert_eq!(Field::from_name(&field.name().to_uppercase()), Some(*field));
    }
    for function in Function::ALL {
        assert_eq!(Function::from_name(function.name()), Some(*function));
    }
}
