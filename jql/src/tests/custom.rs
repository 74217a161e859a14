//! Custom fields: found by `cf[N]` or name through the catalog, typed by their kind.

use super::without_spans;
use crate::{
    Clause, CustomField, CustomFields, CustomKind, Direction, ErrorKind, Field, Operator, Value,
    parse, parse_with,
};

fn catalog() -> CustomFields {
    let field = |number, kind| CustomField { number, kind };
    CustomFields::new([
        ("Customer".to_owned(), field(10001, CustomKind::Select)),
        (
            "Severity score".to_owned(),
            field(10002, CustomKind::Number),
        ),
        ("Go-live".to_owned(), field(10003, CustomKind::Date)),
        ("Notes".to_owned(), field(10004, CustomKind::Text)),
        (
            "Platforms".to_owned(),
            field(10005, CustomKind::MultiSelect),
        ),
        ("Reviewer".to_owned(), field(10006, CustomKind::User)),
    ])
}

fn single(jql: &str) -> crate::Comparison {
    match parse_with(jql, &catalog())
        .unwrap_or_else(|e| panic!("{jql:?} should parse, got: {e}"))
        .clause
    {
        Some(Clause::Compare(cmp)) => cmp,
        other => panic!("{jql:?}: expected one comparison, got {other:?}"),
    }
}

#[test]
fn custom_fields_are_found_by_number_or_name_ignoring_case() {
    for jql in [
        "cf[10001] = Acme",
        "CF[10001] = Acme",
        r#""Customer" = Acme"#,
        "customer = Acme",
    ] {
        let cmp = single(jql);
        assert_eq!(
            cmp.field,
            Field::Custom(CustomField {
                number: 10001,
                kind: CustomKind::Select
            }),
            "{jql}"
        );
        assert_eq!(cmp.value, Value::String("Acme".into()));
    }
    assert_eq!(single(r#""severity score" >= 3"#).value, Value::Number(3));
    assert_eq!(single(r#"Notes ~ "login page""#).op, Operator::Contains);
    assert!(matches!(
        single(r#""Go-live" < -2w"#).value,
        Value::RelativeDate { .. }
    ));
    assert!(matches!(
        single("Reviewer = currentUser()").value,
        Value::Function { .. }
    ));
    assert_eq!(single("Platforms IS EMPTY").op, Operator::Is);
}

#[test]
fn custom_fields_print_by_number_and_reparse_identically() {
    let query = parse_with(
        r#""Customer" IN (Acme, "Globex Corp") AND notes !~ draft ORDER BY "Severity score" DESC"#,
        &catalog(),
    )
    .unwrap();
    let printed = query.to_string();
    assert_eq!(
        printed,
        r#"cf[10001] IN ("Acme", "Globex Corp") AND cf[10004] !~ "draft" ORDER BY cf[10002] DESC"#
    );
    assert_eq!(
        without_spans(parse_with(&printed, &catalog()).unwrap()),
        without_spans(query.clone())
    );
    assert_eq!(query.order_by[0].direction, Direction::Desc);
}

#[test]
fn operators_follow_the_custom_fields_kind() {
    for (jql, kind) in [
        ("cf[10001] ~ acme", ErrorKind::InvalidOperator),
        ("cf[10001] > acme", ErrorKind::InvalidOperator),
        ("cf[10004] = draft", ErrorKind::InvalidOperator),
        ("cf[10005] < a", ErrorKind::InvalidOperator),
        (r#""Go-live" > "not a date""#, ErrorKind::InvalidValue),
        ("cf[10003] = currentUser()", ErrorKind::InvalidValue),
        ("ORDER BY Platforms", ErrorKind::InvalidOrder),
        ("cf[99999] = x", ErrorKind::UnknownField),
        ("cf[] = x", ErrorKind::UnknownField),
        ("cf[1x] = x", ErrorKind::UnknownField),
    ] {
        let error = parse_with(jql, &catalog()).unwrap_err();
        assert_eq!(error.kind, kind, "{jql}: {error}");
    }
    // Without the catalog a custom field is unknown, with a suggestion from it when given.
    assert_eq!(
        parse("cf[10001] = Acme").unwrap_err().kind,
        ErrorKind::UnknownField
    );
    let error = parse_with("custmer = Acme", &catalog()).unwrap_err();
    assert!(
        error.to_string().contains("did you mean 'Customer'"),
        "{error}"
    );
}

#[test]
fn a_system_field_wins_over_a_custom_field_of_the_same_name() {
    let shadow = CustomFields::new([(
        "Status".to_owned(),
        CustomField {
            number: 10009,
            kind: CustomKind::Text,
        },
    )]);
    let Some(Clause::Compare(cmp)) = parse_with("status = Done", &shadow).unwrap().clause else {
        panic!()
    };
    assert_eq!(cmp.field, Field::Status);
    // By number it is still reachable.
    let Some(Clause::Compare(cmp)) = parse_with("cf[10009] ~ x", &shadow).unwrap().clause else {
        panic!()
    };
    assert!(matches!(cmp.field, Field::Custom(_)));
}
