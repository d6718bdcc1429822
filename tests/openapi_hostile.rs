//! Documents built to hurt: an allOf diamond, nesting past any real document, unresolved and
//! external references, cuts, oneOf under a named schema, nested compositions, OpenAPI 3.1.
//! Each renders, bounded, and says what it could not show.

use portcullis::openapi::{DocError, DocLine, parse, render_lines};
use serde_json::{Value, json};

fn text(lines: &[DocLine]) -> String {
    lines.iter().map(|l| format!("{}{}", "  ".repeat(l.indent as usize), l.text)).collect::<Vec<_>>().join("\n")
}

/// An OpenAPI 3.0 document with `POST /x` whose body is `schema`, and these components.
fn doc(version: &str, schema: Value, components: Value) -> String {
    json!({
        "openapi": version,
        "info": {"title": "hostile", "version": "1"},
        "paths": {"/x": {"post": {
            "requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": "ok"}}
        }}},
        "components": {"schemas": components}
    })
    .to_string()
}

/// A = allOf[B, C], B and C both allOf[the level below's two, a property of their own]: each
/// level doubles the paths to the bottom (2^32 at depth 32 without sharing).
fn diamond(depth: usize) -> String {
    let mut schemas = serde_json::Map::new();
    schemas.insert("A0".into(), json!({"type": "object", "properties": {"base": {"type": "string"}}}));
    schemas.insert("B0".into(), json!({"type": "object", "properties": {"base": {"type": "string"}}}));
    for i in 1..=depth {
        for side in ["A", "B"] {
            let own = json!({"properties": {format!("{side}{i}"): {"type": "integer"}}});
            let parts = json!([{"$ref": format!("#/components/schemas/A{}", i - 1)},
                               {"$ref": format!("#/components/schemas/B{}", i - 1)}, own]);
            schemas.insert(format!("{side}{i}"), json!({"allOf": parts}));
        }
    }
    doc("3.0.3", json!({"$ref": format!("#/components/schemas/A{depth}")}), Value::Object(schemas))
}

#[test]
fn an_allof_diamond_32_levels_deep_is_expanded_once_per_part() {
    let lines = render_lines(&parse(&diamond(32)).unwrap());
    let shown = text(&lines);
    // Every level's own property is there once (shared parts merged once, not 2^32 times).
    for i in 1..=31 {
        assert_eq!(shown.matches(&format!("A{i}: integer")).count(), 1, "A{i}: {shown}");
    }
    assert!(lines.len() < 200, "{} lines", lines.len());
}

#[test]
fn nesting_past_any_real_document_says_so_and_is_not_called_invalid() {
    let deep = format!("{}{}", "[".repeat(2_000), "]".repeat(2_000));
    let text = format!(r#"{{"openapi":"3.0.0","info":{{"title":"t"}},"x":{deep}}}"#);
    let err = parse(&text).unwrap_err();
    assert!(matches!(err, DocError::TooDeep(_)), "{err}");
    assert!(err.to_string().contains("nested deeper than 128 levels"), "{err}");
    assert!(!err.to_string().contains("not valid JSON"), "{err}");
    // Real nesting, a few dozen levels, parses.
    let mut nested = json!({"type": "string"});
    for i in 0..40 {
        nested = json!({"type": "object", "properties": {format!("p{i}"): nested}});
    }
    assert!(parse(&doc("3.0.0", nested, json!({}))).is_ok());
}

#[test]
fn unresolved_cut_and_one_of_are_said() {
    let mut deep = json!({"type": "object", "properties": {"leaf": {"type": "string"}}});
    for i in 0..10 {
        deep = json!({"type": "object", "properties": {format!("level{i}"): deep}});
    }
    let components = json!({
        "Cat": {"type": "object", "properties": {"purrs": {"type": "boolean"}}},
        "Dog": {"type": "object", "properties": {"barks": {"type": "boolean"}}},
        "Base": {"type": "object", "properties": {"id": {"type": "string"}}},
        "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]},
        "Deep": deep
    });
    let body = json!({"type": "object", "properties": {
        "missing": {"$ref": "#/components/schemas/Nope"},
        "external": {"$ref": "pet.json"},
        "pet": {"$ref": "#/components/schemas/Pet"},
        "grouped": {"allOf": [{"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]},
                              {"$ref": "#/components/schemas/Base"}]},
        "deep": {"$ref": "#/components/schemas/Deep"}
    }});
    let shown = text(&render_lines(&parse(&doc("3.0.3", body, components)).unwrap()));
    assert!(shown.contains("missing: ⚠ unresolved #/components/schemas/Nope"), "{shown}");
    assert!(shown.contains("external: ⚠ external pet.json (not fetched)"), "{shown}");
    assert!(shown.contains("one of: Cat") && shown.contains("purrs: boolean"), "{shown}");
    assert!(shown.contains("grouped: (Cat | Dog) & Base"), "{shown}");
    assert!(shown.contains("… (deeper than 8 levels: not shown)"), "{shown}");
    insta::assert_snapshot!("hostile_unresolved_cut_one_of", shown);
}

#[test]
fn a_schema_too_large_for_the_budget_is_cut_and_says_how_much() {
    let properties: serde_json::Map<String, Value> =
        (0..3_000).map(|i| (format!("f{i}"), json!({"type": "string"}))).collect();
    let shown = text(&render_lines(
        &parse(&doc("3.0.0", json!({"type": "object", "properties": properties}), json!({}))).unwrap(),
    ));
    let shown_fields = shown.lines().filter(|l| l.trim_start().starts_with('f')).count();
    let said = format!("… (truncated: {} more properties)", 3_000 - shown_fields);
    assert!(shown_fields > 100 && shown.contains(&said), "{said}: {}", &shown[shown.len().saturating_sub(300)..]);
}

#[test]
fn an_openapi_3_1_document_is_labelled_3_1() {
    let body = json!({"type": ["string", "null"], "examples": ["a"]});
    let lines = render_lines(&parse(&doc("3.1.0", body, json!({}))).unwrap());
    let shown = text(&lines);
    assert!(shown.contains("OpenAPI 3.1") && !shown.contains("OpenAPI 3.0"), "{shown}");
    assert!(shown.contains("string | null"), "type arrays with null: {shown}");
}
