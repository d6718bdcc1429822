use super::*;

fn op<'a>(doc: &'a ApiDoc, method: &str, path: &str) -> &'a Operation {
    doc.operations
        .iter()
        .find(|o| o.method == method && o.path == path)
        .unwrap_or_else(|| panic!("no operation {method} {path}"))
}

fn child<'a>(node: &'a SchemaNode, name: &str) -> &'a SchemaNode {
    node.children.iter().find(|c| c.name.as_deref() == Some(name)).unwrap_or_else(|| panic!("no child {name}"))
}

fn names(node: &SchemaNode) -> Vec<&str> {
    node.children.iter().map(|c| c.name.as_deref().unwrap_or("?")).collect()
}

fn line(indent: u16, kind: LineKind, text: &str) -> DocLine {
    DocLine { indent, kind, text: text.to_string() }
}

// ---------------------------------------------------------------- moto-style sparse

const MOTO_SPARSE: &str = r#"{"swagger":"2.0","info":{"title":"x","version":"2024-01-01T00:00:00Z"},
  "paths":{"/pets":{"get":{"responses":{"200":{"description":"200 response"}}}}}}"#;

#[test]
fn moto_sparse_document() {
    let doc = parse(MOTO_SPARSE).unwrap();
    assert_eq!(doc.title, "x");
    assert_eq!(doc.version, "2024-01-01T00:00:00Z");
    assert_eq!(doc.spec, SpecVersion::Swagger2);
    assert_eq!(doc.description, None);
    assert!(doc.servers.is_empty());
    assert!(doc.security_schemes.is_empty());
    assert_eq!(doc.operations.len(), 1);
    let get = &doc.operations[0];
    assert_eq!((get.method.as_str(), get.path.as_str()), ("GET", "/pets"));
    assert_eq!(get.operation_id, None);
    assert!(get.parameters.is_empty());
    assert_eq!(get.request_body, None);
    assert_eq!(get.integration, None);
    assert!(!get.deprecated);
    assert_eq!(
        get.responses,
        vec![Response {
            status: "200".into(),
            description: Some("200 response".into()),
            content_type: None,
            schema: None,
        }]
    );
}

#[test]
fn nearly_empty_operations_and_missing_info() {
    let json = r#"{"swagger":"2.0","paths":{
        "/b":{"post":{},"get":{},"parameters":[],"x-other":{}},
        "/a":{"delete":{},"options":{},"put":{},"x-amazon-apigateway-any-method":{},"head":{},"patch":{},"get":null},
        "/c":null}}"#;
    let doc = parse(json).unwrap();
    assert_eq!(doc.title, "Untitled API");
    assert_eq!(doc.version, "");
    let order: Vec<String> = doc.operations.iter().map(|o| format!("{} {}", o.method, o.path)).collect();
    assert_eq!(order, ["PUT /a", "PATCH /a", "DELETE /a", "HEAD /a", "OPTIONS /a", "ANY /a", "GET /b", "POST /b"]);
    let post = op(&doc, "POST", "/b");
    assert!(post.responses.is_empty() && post.parameters.is_empty() && post.security.is_empty());
    assert_eq!(post.summary, None);
}

#[test]
fn document_without_paths_has_no_operations() {
    let doc = parse(r#"{"swagger":"2.0","info":{"title":"  Empty  ","version":3}}"#).unwrap();
    assert_eq!(doc.title, "Empty");
    assert_eq!(doc.version, "3");
    assert!(doc.operations.is_empty());
    let lines = render_lines(&doc);
    assert_eq!(lines.last().unwrap(), &line(0, LineKind::Muted, "No operations defined."));
}

#[test]
fn duplicate_keys_keep_the_last_value() {
    let doc = parse(r#"{"swagger":"2.0","info":{"title":"first","version":"1","title":"second"}}"#).unwrap();
    assert_eq!(doc.title, "second");
    assert_eq!(doc.version, "1");
}

// ---------------------------------------------------------------- Swagger 2.0 petstore

const PETSTORE: &str = r##"{
  "swagger": "2.0",
  "info": {"title": "Petstore", "version": "1.0.0", "description": "A pet store.\nWith pets."},
  "host": "api.example.com",
  "basePath": "/v1",
  "schemes": ["https", "http"],
  "consumes": ["application/json"],
  "produces": ["application/json"],
  "securityDefinitions": {
    "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
    "petstore_auth": {"type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a", "scopes": {}},
    "basic": {"type": "basic"}
  },
  "security": [{"petstore_auth": ["read:pets"]}],
  "parameters": {
    "PetId": {"name": "petId", "in": "path", "type": "string", "format": "uuid", "description": "The pet id"}
  },
  "paths": {
    "/pets/{petId}": {
      "parameters": [{"$ref": "#/parameters/PetId"}],
      "delete": {"operationId": "deletePet", "security": [], "deprecated": true,
                 "responses": {"204": {"description": "Deleted"}}},
      "get": {
        "operationId": "getPet",
        "summary": "Info for a pet",
        "produces": ["application/xml", "application/json"],
        "security": [{"api_key": []}, {"api_key": [], "petstore_auth": ["read:pets", "write:pets"]}],
        "responses": {
          "default": {"description": "Error", "schema": {"$ref": "#/definitions/Error"}},
          "404": {"$ref": "#/responses/NotFound"},
          "200": {"description": "The pet", "schema": {"$ref": "#/definitions/Pet"}}
        },
        "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": "arn:..."}
      }
    },
    "/pets": {
      "post": {
        "operationId": "createPet",
        "tags": ["pets"],
        "parameters": [
          {"name": "body", "in": "body", "required": true, "description": "ignored",
           "schema": {"$ref": "#/definitions/Pet"}},
          {"name": "X-Trace", "in": "header", "type": "string"}
        ],
        "responses": {"201": {"description": "Created"}}
      },
      "get": {
        "operationId": "listPets",
        "summary": "List all pets",
        "description": "Returns pets.",
        "tags": ["pets", "read"],
        "parameters": [
          {"name": "limit", "in": "query", "type": "integer", "format": "int32", "description": "How many"},
          {"name": "tags", "in": "query", "required": true, "type": "array", "items": {"type": "string"}},
          {"name": "file", "in": "formData", "type": "file"}
        ],
        "responses": {"200": {"description": "A list", "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}}}
      }
    }
  },
  "responses": {"NotFound": {"description": "No such pet", "schema": {"$ref": "#/definitions/Error"}}},
  "definitions": {
    "Pet": {
      "type": "object",
      "description": "A pet",
      "required": ["name", "id"],
      "properties": {
        "name": {"type": "string", "description": "Pet name"},
        "id": {"type": "integer", "format": "int64"},
        "status": {"type": "string", "enum": ["available", "pending", "sold"]},
        "category": {"$ref": "#/definitions/Category"},
        "parent": {"$ref": "#/definitions/Pet"},
        "children": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
        "attributes": {"type": "object", "additionalProperties": {"type": "string"}}
      }
    },
    "Category": {
      "type": "object",
      "properties": {"label": {"type": "string"}, "id": {"type": "integer"}}
    },
    "Error": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}
  }
}"##;

#[test]
fn petstore_document_level_fields() {
    let doc = parse(PETSTORE).unwrap();
    assert_eq!(doc.title, "Petstore");
    assert_eq!(doc.version, "1.0.0");
    assert_eq!(doc.description.as_deref(), Some("A pet store.\nWith pets."));
    assert_eq!(doc.servers, ["https://api.example.com/v1", "http://api.example.com/v1"]);
    assert_eq!(
        doc.security_schemes,
        vec![
            ("api_key".to_string(), "apiKey in header x-api-key".to_string()),
            ("petstore_auth".to_string(), "oauth2 (implicit)".to_string()),
            ("basic".to_string(), "basic".to_string()),
        ]
    );
    let order: Vec<String> = doc.operations.iter().map(|o| format!("{} {}", o.method, o.path)).collect();
    assert_eq!(order, ["GET /pets", "POST /pets", "GET /pets/{petId}", "DELETE /pets/{petId}"]);
}

#[test]
fn petstore_parameters() {
    let doc = parse(PETSTORE).unwrap();
    let list = op(&doc, "GET", "/pets");
    assert_eq!(
        list.parameters,
        vec![
            Parameter {
                name: "limit".into(),
                location: "query".into(),
                required: false,
                type_summary: "integer (int32)".into(),
                description: Some("How many".into()),
            },
            Parameter {
                name: "tags".into(),
                location: "query".into(),
                required: true,
                type_summary: "array<string>".into(),
                description: None,
            },
            Parameter {
                name: "file".into(),
                location: "formData".into(),
                required: false,
                type_summary: "file".into(),
                description: None,
            },
        ]
    );
    // The path-level $ref parameter is merged in; path parameters are always required.
    let get = op(&doc, "GET", "/pets/{petId}");
    assert_eq!(get.parameters.len(), 1);
    assert_eq!(get.parameters[0].name, "petId");
    assert_eq!(get.parameters[0].location, "path");
    assert!(get.parameters[0].required);
    assert_eq!(get.parameters[0].type_summary, "string (uuid)");
    assert_eq!(get.parameters[0].description.as_deref(), Some("The pet id"));
    assert_eq!(op(&doc, "DELETE", "/pets/{petId}").parameters[0].name, "petId");
}

#[test]
fn petstore_body_parameter_becomes_request_body() {
    let doc = parse(PETSTORE).unwrap();
    let create = op(&doc, "POST", "/pets");
    // The body parameter is not listed with the other parameters.
    let params: Vec<&str> = create.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, ["X-Trace"]);
    let body = create.request_body.as_ref().unwrap();
    assert_eq!(body.content_type.as_deref(), Some("application/json"));
    assert!(body.required);
    let schema = body.schema.as_ref().unwrap();
    assert_eq!(schema.name.as_deref(), Some("Pet"));
    assert_eq!(schema.type_summary, "Pet");
    assert_eq!(schema.description.as_deref(), Some("A pet"));
    assert!(!schema.cycle);
    // Document order, not alphabetical.
    assert_eq!(names(schema), ["name", "id", "status", "category", "parent", "children", "attributes"]);
    assert!(child(schema, "name").required && child(schema, "id").required);
    assert!(!child(schema, "status").required);
    assert_eq!(child(schema, "name").description.as_deref(), Some("Pet name"));
    assert_eq!(child(schema, "id").type_summary, "integer (int64)");
    assert_eq!(child(schema, "status").type_summary, "string (enum: available | pending | sold)");
    assert_eq!(child(schema, "attributes").type_summary, "map<string, string>");
}

#[test]
fn petstore_refs_and_cycles() {
    let doc = parse(PETSTORE).unwrap();
    let body = op(&doc, "POST", "/pets").request_body.clone().unwrap();
    let pet = body.schema.unwrap();
    let category = child(&pet, "category");
    assert_eq!(category.type_summary, "Category");
    assert!(!category.cycle);
    assert_eq!(names(category), ["label", "id"]);
    let parent = child(&pet, "parent");
    assert_eq!(parent.type_summary, "Pet");
    assert!(parent.cycle);
    assert!(parent.children.is_empty());
    let children = child(&pet, "children");
    assert_eq!(children.type_summary, "array<Pet>");
    assert!(children.cycle);
    assert!(children.children.is_empty());
}

#[test]
fn petstore_responses() {
    let doc = parse(PETSTORE).unwrap();
    let get = op(&doc, "GET", "/pets/{petId}");
    let statuses: Vec<&str> = get.responses.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(statuses, ["200", "404", "default"]);
    let ok = &get.responses[0];
    // JSON is preferred among the operation's `produces`.
    assert_eq!(ok.content_type.as_deref(), Some("application/json"));
    assert_eq!(ok.schema.as_ref().unwrap().name.as_deref(), Some("Pet"));
    let not_found = &get.responses[1];
    assert_eq!(not_found.description.as_deref(), Some("No such pet"));
    let error = not_found.schema.as_ref().unwrap();
    assert_eq!(error.type_summary, "Error");
    assert_eq!(names(error), ["message"]);
    assert!(error.children[0].required);

    let list = op(&doc, "GET", "/pets");
    let items = list.responses[0].schema.as_ref().unwrap();
    assert_eq!(items.name, None);
    assert_eq!(items.type_summary, "array<Pet>");
    assert_eq!(items.description.as_deref(), Some("A pet"));
    assert_eq!(items.children.len(), 7);
    assert!(child(items, "parent").cycle);
}

#[test]
fn petstore_security_integration_and_flags() {
    let doc = parse(PETSTORE).unwrap();
    let get = op(&doc, "GET", "/pets/{petId}");
    assert_eq!(get.security, ["api_key", "api_key + petstore_auth [read:pets, write:pets]"]);
    assert_eq!(get.integration.as_deref(), Some("aws_proxy"));
    assert_eq!(get.summary.as_deref(), Some("Info for a pet"));
    // Inherits the document-level requirement.
    assert_eq!(op(&doc, "GET", "/pets").security, ["petstore_auth [read:pets]"]);
    // `security: []` disables authentication.
    let delete = op(&doc, "DELETE", "/pets/{petId}");
    assert!(delete.security.is_empty());
    assert!(delete.deprecated);
    assert_eq!(op(&doc, "GET", "/pets").tags, ["pets", "read"]);
}

// ---------------------------------------------------------------- OpenAPI 3.0

const OPENAPI: &str = r##"{
  "openapi": "3.0.1",
  "info": {"title": "Shop", "version": "2"},
  "servers": [
    {"url": "https://{api}.execute-api.eu-west-1.amazonaws.com/{stage}",
     "variables": {"api": {"default": "abc123"}, "stage": {"default": "prod"}}},
    {"url": "http://localhost:4566"}
  ],
  "security": [{"bearer": []}],
  "paths": {
    "/pets/{petId}": {
      "parameters": [
        {"$ref": "#/components/parameters/PetId"},
        {"name": "verbose", "in": "query", "schema": {"type": "boolean"}}
      ],
      "put": {
        "operationId": "updatePet",
        "parameters": [
          {"name": "verbose", "in": "query", "required": true, "description": "More output", "schema": {"type": "boolean"}},
          {"name": "fields", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
          {"name": "session", "in": "cookie", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}}}
        ],
        "requestBody": {"$ref": "#/components/requestBodies/PetBody"},
        "responses": {
          "404": {"$ref": "#/components/responses/NotFound"},
          "200": {"description": "Updated",
                  "content": {"application/xml": {"schema": {"type": "string"}},
                              "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}
        }
      },
      "get": {"responses": {"200": {"description": "OK", "content": {"text/plain": {}}}}}
    }
  },
  "components": {
    "parameters": {
      "PetId": {"name": "petId", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}
    },
    "requestBodies": {
      "PetBody": {"required": true, "description": "The pet",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}
    },
    "responses": {
      "NotFound": {"description": "Not found", "content": {"application/problem+json": {"schema": {"type": "object", "properties": {"title": {"type": "string"}}}}}}
    },
    "schemas": {
      "NewPet": {"type": "object", "required": ["name"],
                 "properties": {"name": {"type": "string"}, "tag": {"type": "string", "nullable": true}}},
      "Pet": {"description": "A stored pet",
              "allOf": [{"$ref": "#/components/schemas/NewPet"},
                        {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer", "format": "int64"}}}]},
      "Shape": {"oneOf": [{"$ref": "#/components/schemas/NewPet"}, {"type": "string"}]}
    },
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
      "key": {"type": "apiKey", "in": "query", "name": "key"},
      "oauth": {"type": "oauth2", "flows": {"authorizationCode": {}, "clientCredentials": {}}},
      "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://id.example/.well-known"}
    }
  }
}"##;

#[test]
fn openapi_document_level_fields() {
    let doc = parse(OPENAPI).unwrap();
    assert_eq!(doc.spec, SpecVersion::OpenApi3);
    assert_eq!(doc.spec.label(), "OpenAPI 3.0");
    assert_eq!(SpecVersion::Swagger2.label(), "Swagger 2.0");
    assert_eq!((doc.title.as_str(), doc.version.as_str()), ("Shop", "2"));
    assert_eq!(doc.servers, ["https://abc123.execute-api.eu-west-1.amazonaws.com/prod", "http://localhost:4566"]);
    let schemes: Vec<(&str, &str)> = doc.security_schemes.iter().map(|(n, d)| (n.as_str(), d.as_str())).collect();
    assert_eq!(
        schemes,
        [
            ("bearer", "http bearer (JWT)"),
            ("key", "apiKey in query key"),
            ("oauth", "oauth2 (authorizationCode, clientCredentials)"),
            ("oidc", "openIdConnect https://id.example/.well-known"),
        ]
    );
    let order: Vec<&str> = doc.operations.iter().map(|o| o.method.as_str()).collect();
    assert_eq!(order, ["GET", "PUT"]);
    assert_eq!(op(&doc, "GET", "/pets/{petId}").security, ["bearer"]);
}

#[test]
fn openapi_path_level_parameters_are_merged() {
    let doc = parse(OPENAPI).unwrap();
    let put = op(&doc, "PUT", "/pets/{petId}");
    let summary: Vec<(&str, &str, bool, &str)> = put
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.location.as_str(), p.required, p.type_summary.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("petId", "path", true, "string (uuid)"),
            ("verbose", "query", true, "boolean"),
            ("fields", "query", false, "array<string>"),
            ("session", "cookie", false, "NewPet"),
        ]
    );
    assert_eq!(put.parameters[1].description.as_deref(), Some("More output"));
    // The GET only has the path-level ones.
    let get = op(&doc, "GET", "/pets/{petId}");
    let names: Vec<&str> = get.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["petId", "verbose"]);
    assert!(!get.parameters[1].required);
}

#[test]
fn openapi_request_body_with_all_of() {
    let doc = parse(OPENAPI).unwrap();
    let body = op(&doc, "PUT", "/pets/{petId}").request_body.clone().unwrap();
    assert_eq!(body.content_type.as_deref(), Some("application/json"));
    assert!(body.required);
    let pet = body.schema.unwrap();
    assert_eq!(pet.name.as_deref(), Some("Pet"));
    assert_eq!(pet.type_summary, "Pet");
    assert_eq!(pet.description.as_deref(), Some("A stored pet"));
    assert_eq!(names(&pet), ["name", "tag", "id"]);
    let required: Vec<bool> = pet.children.iter().map(|c| c.required).collect();
    assert_eq!(required, [true, false, true]);
    assert_eq!(child(&pet, "id").type_summary, "integer (int64)");
}

#[test]
fn openapi_responses_prefer_json() {
    let doc = parse(OPENAPI).unwrap();
    let put = op(&doc, "PUT", "/pets/{petId}");
    let ok = &put.responses[0];
    assert_eq!(ok.status, "200");
    assert_eq!(ok.content_type.as_deref(), Some("application/json"));
    let pet = ok.schema.as_ref().unwrap();
    assert_eq!(names(pet), ["name", "tag", "id"]);
    let not_found = &put.responses[1];
    assert_eq!(not_found.status, "404");
    assert_eq!(not_found.description.as_deref(), Some("Not found"));
    assert_eq!(not_found.content_type.as_deref(), Some("application/problem+json"));
    let problem = not_found.schema.as_ref().unwrap();
    assert_eq!((problem.name.as_deref(), problem.type_summary.as_str()), (None, "object"));
    assert_eq!(names(problem), ["title"]);
    // Media type without a schema.
    let get_ok = &op(&doc, "GET", "/pets/{petId}").responses[0];
    assert_eq!(get_ok.content_type.as_deref(), Some("text/plain"));
    assert_eq!(get_ok.schema, None);
}

#[test]
fn composite_type_summaries() {
    let json = r##"{"openapi":"3.0.0","paths":{"/s":{"post":{"requestBody":{"content":{"application/json":{"schema":
        {"type":"object","properties":{
          "shape":{"$ref":"#/components/schemas/Shape"},
          "both":{"allOf":[{"$ref":"#/components/schemas/A"},{"$ref":"#/components/schemas/B"}]},
          "either":{"anyOf":[{"type":"string"},{"type":"integer"}]},
          "nullable":{"type":["string","null"]},
          "anything":{},
          "grid":{"type":"array","items":{"type":"array","items":{"type":"number","format":"double"}}}
        }}}}}}}},
      "components":{"schemas":{
        "Shape":{"oneOf":[{"$ref":"#/components/schemas/A"},{"type":"string"}]},
        "A":{"properties":{"a":{"type":"string"}}},
        "B":{"properties":{"b":{"type":"string"}}}}}}"##;
    let doc = parse(json).unwrap();
    let schema = doc.operations[0].request_body.clone().unwrap().schema.unwrap();
    let types: Vec<(&str, &str)> =
        schema.children.iter().map(|c| (c.name.as_deref().unwrap(), c.type_summary.as_str())).collect();
    assert_eq!(
        types,
        [
            ("shape", "Shape"),
            ("both", "A & B"),
            ("either", "string | integer"),
            ("nullable", "string | null"),
            ("anything", "any"),
            ("grid", "array<array<number (double)>>"),
        ]
    );
    assert_eq!(names(child(&schema, "both")), ["a", "b"]);
}

#[test]
fn mutual_references_terminate() {
    let json = r##"{"swagger":"2.0","paths":{"/x":{"get":{
        "parameters":[{"$ref":"#/parameters/P1"}],
        "responses":{"200":{"description":"ok","schema":{"$ref":"#/definitions/A"}}}}}},
      "parameters":{"P1":{"$ref":"#/parameters/P2"},"P2":{"$ref":"#/parameters/P1"}},
      "definitions":{"A":{"$ref":"#/definitions/B"},"B":{"$ref":"#/definitions/A"}}}"##;
    let doc = parse(json).unwrap();
    let get = &doc.operations[0];
    let schema = get.responses[0].schema.as_ref().unwrap();
    assert_eq!(schema.name.as_deref(), Some("A"));
    assert!(schema.cycle);
    assert!(schema.children.is_empty());
    assert_eq!(get.parameters.len(), 1);
}

#[test]
fn an_unresolved_reference_is_said_with_the_reference_not_shown_as_a_type() {
    let json = r##"{"swagger":"2.0","paths":{"/x":{"get":{"responses":{"200":{"description":"ok",
        "schema":{"$ref":"#/definitions/Missing"}},"201":{"schema":{"$ref":"other.json#/Thing"}}}}}}}"##;
    let doc = parse(json).unwrap();
    let responses = &doc.operations[0].responses;
    let missing = responses[0].schema.as_ref().unwrap();
    assert_eq!(missing.name, None, "not a type named Missing");
    assert_eq!(missing.type_summary, "⚠ unresolved #/definitions/Missing");
    assert_eq!(missing.unresolved.as_deref(), Some("#/definitions/Missing"));
    assert!(missing.children.is_empty() && !missing.cycle);
    let external = responses[1].schema.as_ref().unwrap();
    assert_eq!(external.type_summary, "⚠ external other.json#/Thing (not fetched)");
    assert_eq!(responses[1].description, None);
}

#[test]
fn depth_is_limited() {
    let mut definitions = Vec::new();
    for i in 0..12 {
        definitions.push(format!(
            r##""L{i}":{{"type":"object","properties":{{"next":{{"$ref":"#/definitions/L{}"}}}}}}"##,
            i + 1
        ));
    }
    definitions.push(r#""L12":{"type":"string"}"#.to_string());
    let json = format!(
        r##"{{"swagger":"2.0","paths":{{"/d":{{"get":{{"responses":{{"200":{{"description":"ok","schema":{{"$ref":"#/definitions/L0"}}}}}}}}}}}},"definitions":{{{}}}}}"##,
        definitions.join(",")
    );
    let doc = parse(&json).unwrap();
    let mut node = doc.operations[0].responses[0].schema.as_ref().unwrap();
    let mut depth = 0;
    while let Some(next) = node.children.first() {
        node = next;
        depth += 1;
    }
    assert_eq!(depth, 8);
    assert_eq!(node.type_summary, "L8");
    assert!(!node.cycle);
}

#[test]
fn long_alias_chains_are_cut() {
    let mut definitions: Vec<String> =
        (0..500).map(|i| format!(r##""A{i}":{{"$ref":"#/definitions/A{}"}}"##, i + 1)).collect();
    definitions.push(r#""A500":{"type":"object","properties":{"x":{"type":"string"}}}"#.to_string());
    let json = format!(
        r##"{{"swagger":"2.0","paths":{{"/a":{{"get":{{"responses":{{"200":{{"schema":{{"$ref":"#/definitions/A0"}}}}}}}}}}}},"definitions":{{{}}}}}"##,
        definitions.join(",")
    );
    let doc = parse(&json).unwrap();
    let schema = doc.operations[0].responses[0].schema.as_ref().unwrap();
    assert_eq!(schema.type_summary, "A0");
    assert!(schema.children.is_empty() && !schema.cycle);
}

// ---------------------------------------------------------------- malformed input

#[test]
fn malformed_input_is_an_error() {
    for text in ["", "not json", "{\"swagger\": \"2.0\"", "{\"swagger\": \"2.0\"} trailing"] {
        match parse(text) {
            Err(DocError::Json(message)) => assert!(!message.is_empty(), "{text}"),
            other => panic!("expected a JSON error for {text:?}, got {other:?}"),
        }
    }
    for text in ["{}", "[1, 2]", "\"swagger\"", "{\"info\": {\"title\": \"x\"}, \"paths\": {}}"] {
        assert!(matches!(parse(text), Err(DocError::UnknownFormat)), "{text}");
    }
    let message = parse("nope").unwrap_err().to_string();
    assert!(message.starts_with("the API definition is not valid JSON: "), "{message}");
    assert_eq!(
        DocError::UnknownFormat.to_string(),
        "not a Swagger 2.0 or OpenAPI 3.x document (no `swagger` or `openapi` field)"
    );
}

#[test]
fn wrongly_typed_fields_are_tolerated() {
    let json = r#"{"swagger":"2.0","info":"nope","host":5,"schemes":"https","securityDefinitions":[],
        "paths":{"/x":{"get":{"parameters":{"a":1},"responses":[],"tags":"t","security":{},
        "summary":["s"],"operationId":7,"deprecated":"yes"},"parameters":[1,"two",null]}}}"#;
    let doc = parse(json).unwrap();
    assert_eq!(doc.title, "Untitled API");
    assert!(doc.servers.is_empty() && doc.security_schemes.is_empty());
    let get = &doc.operations[0];
    assert_eq!(get.operation_id.as_deref(), Some("7"));
    assert_eq!(get.summary, None);
    assert!(get.parameters.is_empty() && get.responses.is_empty() && get.tags.is_empty());
    assert!(!get.deprecated);
}

// ---------------------------------------------------------------- rendering

const MINI: &str = r##"{"swagger":"2.0","info":{"title":"Mini","version":"1","description":"Line one\nLine two"},
  "host":"h.example","basePath":"/dev","consumes":["application/json"],"produces":["application/json"],
  "securityDefinitions":{"key":{"type":"apiKey","in":"header","name":"x-api-key"}},
  "paths":{
    "/items/{id}":{"get":{"operationId":"getItem","summary":"Fetch one","tags":["items"],
      "security":[{"key":[]}],
      "x-amazon-apigateway-integration":{"type":"http_proxy"},
      "parameters":[{"name":"id","in":"path","type":"string","description":"Item id"},
                    {"name":"full","in":"query","type":"boolean"}],
      "responses":{"200":{"description":"OK","schema":{"$ref":"#/definitions/Item"}},"404":{"description":"Missing"}}}},
    "/items":{"post":{"parameters":[{"name":"body","in":"body","required":true,"schema":{"$ref":"#/definitions/Item"}}],
      "responses":{"201":{"description":"Created"}}}}},
  "definitions":{"Item":{"type":"object","required":["id"],"properties":{
    "id":{"type":"string"},
    "size":{"type":"integer","format":"int32","description":"Size\n  in cm"},
    "owner":{"type":"object","properties":{"name":{"type":"string"}}},
    "related":{"type":"array","items":{"$ref":"#/definitions/Item"}}}}}}"##;

#[test]
fn render_lines_for_a_small_document() {
    use LineKind::*;
    let doc = parse(MINI).unwrap();
    let expected = vec![
        line(0, Title, "Mini"),
        line(0, Muted, "version 1 · Swagger 2.0"),
        line(0, Text, "Line one"),
        line(0, Text, "Line two"),
        line(0, Heading, "Servers"),
        line(1, Field, "https://h.example/dev"),
        line(0, Heading, "Security schemes"),
        line(1, Field, "key — apiKey in header x-api-key"),
        line(0, Text, ""),
        line(0, Operation, "POST /items"),
        line(1, Label, "Request body (application/json, required)"),
        line(2, Field, "Item"),
        line(3, Field, "id: string *"),
        line(3, Field, "size: integer (int32) — Size in cm"),
        line(3, Field, "owner: object"),
        line(4, Field, "name: string"),
        line(3, Field, "related: ↻ array<Item>"),
        line(1, Label, "Responses"),
        line(2, Field, "201 — Created"),
        line(0, Text, ""),
        line(0, Operation, "GET /items/{id}  getItem — Fetch one"),
        line(1, Muted, "tags: items · security: key · integration: http_proxy"),
        line(1, Label, "Parameters"),
        line(2, Field, "id (path, required) string — Item id"),
        line(2, Field, "full (query) boolean"),
        line(1, Label, "Responses"),
        line(2, Field, "200 (application/json) — OK"),
        line(3, Field, "Item"),
        line(4, Field, "id: string *"),
        line(4, Field, "size: integer (int32) — Size in cm"),
        line(4, Field, "owner: object"),
        line(5, Field, "name: string"),
        line(4, Field, "related: ↻ array<Item>"),
        line(2, Field, "404 — Missing"),
    ];
    assert_eq!(render_lines(&doc), expected);
}

#[test]
fn render_lines_for_moto_sparse_document() {
    use LineKind::*;
    let doc = parse(MOTO_SPARSE).unwrap();
    assert_eq!(
        render_lines(&doc),
        vec![
            line(0, Title, "x"),
            line(0, Muted, "version 2024-01-01T00:00:00Z · Swagger 2.0"),
            line(0, Text, ""),
            line(0, Operation, "GET /pets"),
            line(1, Label, "Responses"),
            line(2, Field, "200 — 200 response"),
        ]
    );
}

#[test]
fn render_operation_description_and_flags() {
    let doc = parse(PETSTORE).unwrap();
    let lines = render_lines(&doc);
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert!(texts.contains(&"GET /pets  listPets — List all pets"));
    assert!(texts.contains(&"Returns pets."));
    assert!(texts.contains(&"deprecated"));
    assert!(texts.contains(&"parent: ↻ Pet"));
    assert!(texts.contains(&"tags (query, required) array<string>"));
    let empty_version = ApiDoc { version: String::new(), operations: Vec::new(), ..doc };
    assert_eq!(render_lines(&empty_version)[1], line(0, LineKind::Muted, "Swagger 2.0"));
}

#[test]
fn operation_index_lines() {
    let doc = parse(MINI).unwrap();
    assert_eq!(operation_index(&doc), ["POST   /items", "GET    /items/{id}  getItem"]);
    let petstore = parse(PETSTORE).unwrap();
    assert_eq!(
        operation_index(&petstore),
        [
            "GET    /pets  listPets",
            "POST   /pets  createPet",
            "GET    /pets/{petId}  getPet",
            "DELETE /pets/{petId}  deletePet",
        ]
    );
    let sparse = parse(r#"{"swagger":"2.0","paths":{"/a":{"options":{"summary":"Pre\nflight"}}}}"#).unwrap();
    assert_eq!(operation_index(&sparse), ["OPTIONS /a  Pre flight"]);
}

#[test]
fn an_empty_server_variable_default_is_used() {
    // ExportApi for an HTTP API's `$default` stage: the base path variable defaults to "".
    let doc = parse(
        r#"{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {},
            "servers": [{"url": "https://abc.execute-api.us-east-1.amazonaws.com/{basePath}",
                         "variables": {"basePath": {"default": ""}}}]}"#,
    )
    .unwrap();
    assert_eq!(doc.servers, ["https://abc.execute-api.us-east-1.amazonaws.com/"]);
}
