//! Static checks of the deployment files: `docker-compose.yml`, `Dockerfile`,
//! `.dockerignore`, `.env.example` and `k8s/`.
//!
//! Nothing here needs Docker, a cluster or the network. The manifests are first
//! validated against JSON schemas vendored under `tests/schemas/` (see the README
//! there for where each one comes from): the strict Kubernetes v1.30 schemas and
//! the Compose Specification. Then their values are checked against the contract
//! of `nzc migrate upgrade head`, and against each other (the same user, database,
//! UID, image and command everywhere), since that is where such files drift.
//!
//! Each schema check has a negative control (a deliberately broken copy of the
//! same file must be rejected), so a validator that silently accepts everything,
//! e.g. because a `$ref` did not resolve, fails the suite.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use url::Url;

// ---------------------------------------------------------------------------
// File access
// ---------------------------------------------------------------------------

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    let path = root().join(rel);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn read_json(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"))
}

/// One YAML document, as JSON (what the schemas describe).
fn read_yaml(rel: &str) -> Value {
    serde_norway::from_str(&read(rel))
        .unwrap_or_else(|e| panic!("{rel} is not a YAML document: {e}"))
}

fn compose() -> Value {
    read_yaml("docker-compose.yml")
}

const CONFIGMAP: &str = "k8s/pdf-converter-db-configmap.yml";
const SECRET_EXAMPLE: &str = "k8s/pdf-converter-db-secret.example.yml";
const JOB: &str = "k8s/pdf-converter-migrate.yml";
const KUSTOMIZATION: &str = "k8s/kustomization.yaml";

/// The command every deployment runs (the image's ENTRYPOINT is `nzc`).
const MIGRATE_ARGS: [&str; 5] = ["migrate", "upgrade", "head", "--wait", "60"];

/// `value` at a JSON pointer, or a panic naming what is missing.
fn at<'a>(value: &'a Value, pointer: &str, what: &str) -> &'a Value {
    value
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{what}: `{pointer}` is missing"))
}

fn str_at<'a>(value: &'a Value, pointer: &str, what: &str) -> &'a str {
    at(value, pointer, what)
        .as_str()
        .unwrap_or_else(|| panic!("{what}: `{pointer}` is not a string"))
}

fn strings(value: &Value, what: &str) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{what} is not a list: {value}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("{what} has a non-string item: {v}"))
                .to_owned()
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------

const K8S_SCHEMA_DIR: &str = "tests/schemas/kubernetes-v1.30.0-local-strict";
/// The `$id` of `_definitions.json`; each kind's schema refers to it as
/// `/api/_definitions.json#/$defs/…` relative to its own `https://kubernetes.io/api/…` id.
const K8S_DEFINITIONS_URI: &str = "https://kubernetes.io/api/_definitions.json";
const COMPOSE_SCHEMA: &str = "tests/schemas/compose-spec/compose-spec.json";

/// The vendored schema for a manifest's `apiVersion` and `kind`.
fn k8s_schema_file(manifest: &Value, what: &str) -> String {
    let api_version = str_at(manifest, "/apiVersion", what);
    let kind = str_at(manifest, "/kind", what);
    let file = match (api_version, kind) {
        ("v1", "ConfigMap") => "configmap-v1.json",
        ("v1", "Secret") => "secret-v1.json",
        ("batch/v1", "Job") => "job-batch-v1.json",
        ("apps/v1", "Deployment") => "deployment-apps-v1.json",
        _ => panic!(
            "{what}: no schema vendored for {api_version} {kind}; add it to {K8S_SCHEMA_DIR} \
             (see tests/schemas/README.md)"
        ),
    };
    format!("{K8S_SCHEMA_DIR}/{file}")
}

fn k8s_validator(schema_file: &str) -> jsonschema::Validator {
    let registry = jsonschema::Registry::new()
        .add(
            K8S_DEFINITIONS_URI,
            read_json(&format!("{K8S_SCHEMA_DIR}/_definitions.json")),
        )
        .expect("register _definitions.json")
        .prepare()
        .expect("prepare the schema registry");
    jsonschema::options()
        .with_registry(&registry)
        .build(&read_json(schema_file))
        .unwrap_or_else(|e| panic!("{schema_file} does not compile: {e}"))
}

fn compose_validator() -> jsonschema::Validator {
    jsonschema::options()
        .build(&read_json(COMPOSE_SCHEMA))
        .unwrap_or_else(|e| panic!("{COMPOSE_SCHEMA} does not compile: {e}"))
}

fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors = schema_errors(validator, instance);
    assert!(
        errors.is_empty(),
        "{what} does not match its schema:\n  {}",
        errors.join("\n  ")
    );
}

fn assert_rejected(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    assert!(
        !schema_errors(validator, instance).is_empty(),
        "the schema accepted {what}: the validator is not checking what it should"
    );
}

/// Every manifest in k8s/ (the kustomization aside), as (path, document).
fn k8s_manifests() -> Vec<(String, Value)> {
    let dir = root().join("k8s");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")))
        .filter(|p| p.file_name().and_then(|n| n.to_str()) != Some("kustomization.yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let doc = read_yaml(&rel);
            (rel, doc)
        })
        .collect()
}

#[test]
fn every_k8s_manifest_matches_the_strict_kubernetes_schema() {
    let manifests = k8s_manifests();
    let names: BTreeSet<&str> = manifests.iter().map(|(p, _)| p.as_str()).collect();
    for expected in [CONFIGMAP, SECRET_EXAMPLE, JOB] {
        assert!(names.contains(expected), "{expected} is missing from k8s/");
    }
    for (path, manifest) in &manifests {
        let validator = k8s_validator(&k8s_schema_file(manifest, path));
        assert_valid(&validator, manifest, path);
    }
}

#[test]
fn the_kubernetes_schema_rejects_broken_manifests() {
    let job = read_yaml(JOB);
    let validator = k8s_validator(&k8s_schema_file(&job, JOB));
    assert_valid(&validator, &job, JOB);

    // A misspelt field deep in the pod template: only caught when the $refs into
    // _definitions.json resolve and the schema is the strict one.
    let mut typo = job.clone();
    typo["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsNonroot"] =
        json!(true);
    assert_rejected(&validator, &typo, "a misspelt securityContext field");

    let mut wrong_type = job.clone();
    wrong_type["spec"]["backoffLimit"] = json!("3");
    assert_rejected(&validator, &wrong_type, "a string backoffLimit");

    let mut no_image = job;
    no_image["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["nmae"] =
        json!("x");
    assert_rejected(&validator, &no_image, "a misspelt configMapRef field");

    let configmap = read_yaml(CONFIGMAP);
    let validator = k8s_validator(&k8s_schema_file(&configmap, CONFIGMAP));
    let mut not_string = configmap;
    not_string["data"]["DB_PORT"] = json!(5432);
    assert_rejected(
        &validator,
        &not_string,
        "a ConfigMap value that is a number",
    );
}

#[test]
fn docker_compose_matches_the_compose_specification() {
    let validator = compose_validator();
    let compose = compose();
    assert_valid(&validator, &compose, "docker-compose.yml");

    let mut typo = compose.clone();
    typo["services"]["db"]["healthcheck"]["start_periods"] = json!("10s");
    assert_rejected(&validator, &typo, "a misspelt healthcheck field");

    let mut bad_condition = compose;
    bad_condition["services"]["migrate"]["depends_on"]["db"]["condition"] = json!("healthy");
    assert_rejected(
        &validator,
        &bad_condition,
        "an unknown depends_on condition",
    );
}

// ---------------------------------------------------------------------------
// docker-compose.yml
// ---------------------------------------------------------------------------

/// A service's `environment`, which must be written as a map.
fn compose_env<'a>(compose: &'a Value, service: &str) -> &'a serde_json::Map<String, Value> {
    at(
        compose,
        &format!("/services/{service}/environment"),
        "docker-compose.yml",
    )
    .as_object()
    .unwrap_or_else(|| panic!("services.{service}.environment should be a map"))
}

fn env_str<'a>(env: &'a serde_json::Map<String, Value>, key: &str, what: &str) -> &'a str {
    env.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{what}: {key} is missing or not a string"))
}

#[test]
fn compose_has_no_obsolete_version_key() {
    let compose = compose();
    assert!(
        compose.get("version").is_none(),
        "docker-compose.yml: the top-level `version:` key is obsolete; remove it"
    );
}

#[test]
fn compose_db_is_postgres_15_with_the_expected_database() {
    let compose = compose();
    let what = "docker-compose.yml services.db";

    let image = str_at(&compose, "/services/db/image", what);
    let tag = image
        .strip_prefix("postgres:")
        .unwrap_or_else(|| panic!("{what}: image {image} is not postgres"));
    let version = tag.split('-').next().unwrap();
    let parts: Vec<&str> = version.split('.').collect();
    assert!(
        parts.len() == 2 && parts[0] == "15" && parts[1].parse::<u32>().is_ok(),
        "{what}: image {image} should pin a PostgreSQL 15.x release (postgres:15.N)"
    );

    let env = compose_env(&compose, "db");
    assert_eq!(env_str(env, "POSTGRES_DB", what), "pdf_converter");
    assert_eq!(env_str(env, "POSTGRES_USER", what), "pdf_user");
    assert_eq!(env_str(env, "POSTGRES_PASSWORD", what), "pdf_pass");

    let ports = strings(
        at(&compose, "/services/db/ports", what),
        "services.db.ports",
    );
    assert!(
        ports.iter().any(|p| p == "5432:5432"),
        "{what}: ports {ports:?}"
    );

    let volumes = strings(
        at(&compose, "/services/db/volumes", what),
        "services.db.volumes",
    );
    assert!(
        volumes
            .iter()
            .any(|v| v == "pgdata:/var/lib/postgresql/data"),
        "{what}: volumes {volumes:?} should mount pgdata at /var/lib/postgresql/data"
    );
    assert!(
        compose
            .pointer("/volumes")
            .and_then(Value::as_object)
            .is_some_and(|v| v.contains_key("pgdata")),
        "docker-compose.yml: the named volume pgdata is not declared under top-level volumes"
    );
}

#[test]
fn compose_db_healthcheck_uses_pg_isready_for_that_user_and_database() {
    let compose = compose();
    let what = "docker-compose.yml services.db.healthcheck";
    let env = compose_env(&compose, "db");
    let user = env_str(env, "POSTGRES_USER", what);
    let db = env_str(env, "POSTGRES_DB", what);

    let test = strings(at(&compose, "/services/db/healthcheck/test", what), what);
    assert!(
        matches!(test.first().map(String::as_str), Some("CMD" | "CMD-SHELL")),
        "{what}: test {test:?} should start with CMD or CMD-SHELL"
    );
    let command = test[1..].join(" ");
    assert!(
        command.contains(&format!("pg_isready -U {user} -d {db}")),
        "{what}: `{command}` should run pg_isready -U {user} -d {db}"
    );
    for key in ["interval", "timeout", "start_period"] {
        let value = str_at(&compose, &format!("/services/db/healthcheck/{key}"), what);
        assert!(
            duration_seconds(value).is_some_and(|s| s > 0),
            "{what}: {key} `{value}` is not a positive duration"
        );
    }
    let retries = at(&compose, "/services/db/healthcheck/retries", what).as_u64();
    assert!(
        retries.is_some_and(|r| r >= 1),
        "{what}: retries {retries:?}"
    );
}

/// `5s`, `1m30s`, `2m`, `1h` as seconds (Compose and Go durations, whole seconds).
fn duration_seconds(text: &str) -> Option<u64> {
    let mut total = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
        } else {
            let n: u64 = number.parse().ok()?;
            number.clear();
            total += n * match c {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                _ => return None,
            };
        }
    }
    number.is_empty().then_some(total)
}

#[test]
fn duration_parser_accepts_and_rejects() {
    assert_eq!(duration_seconds("5s"), Some(5));
    assert_eq!(duration_seconds("1m30s"), Some(90));
    assert_eq!(duration_seconds("5"), None);
    assert_eq!(duration_seconds("5x"), None);
}

#[test]
fn compose_migrate_runs_nzc_after_a_healthy_db() {
    let compose = compose();
    let what = "docker-compose.yml services.migrate";

    let build = at(&compose, "/services/migrate/build", what);
    let (context, dockerfile) = match build {
        Value::String(context) => (context.as_str(), "Dockerfile"),
        _ => (
            str_at(build, "/context", what),
            build
                .get("dockerfile")
                .and_then(Value::as_str)
                .unwrap_or("Dockerfile"),
        ),
    };
    assert_eq!(context, ".", "{what}: build context");
    assert!(
        root().join(context).join(dockerfile).is_file(),
        "{what}: {dockerfile} not found in the build context"
    );

    let command = strings(at(&compose, "/services/migrate/command", what), what);
    assert_eq!(command, MIGRATE_ARGS, "{what}: command");

    assert_eq!(
        str_at(&compose, "/services/migrate/depends_on/db/condition", what),
        "service_healthy"
    );
    // "no" is quoted in the file: YAML 1.1 readers take a bare `no` for false.
    assert_eq!(str_at(&compose, "/services/migrate/restart", what), "no");
    assert!(
        compose.pointer("/services/db/healthcheck").is_some(),
        "service_healthy needs a healthcheck on db"
    );
}

#[test]
fn compose_migrate_database_url_points_at_the_db_service() {
    let compose = compose();
    let what = "docker-compose.yml services.migrate.environment.DATABASE_URL";
    let db_env = compose_env(&compose, "db");
    let url = database_url(env_str(
        compose_env(&compose, "migrate"),
        "DATABASE_URL",
        what,
    ));

    assert_eq!(url.scheme(), "postgresql", "{what}");
    assert_eq!(
        url.host_str(),
        Some("db"),
        "{what}: host must be the db service"
    );
    assert!(
        compose.pointer("/services/db").is_some(),
        "{what}: no db service"
    );
    assert_eq!(url.port(), Some(5432), "{what}: port");
    assert_eq!(
        url.username(),
        env_str(db_env, "POSTGRES_USER", what),
        "{what}: user"
    );
    assert_eq!(
        url.password(),
        Some(env_str(db_env, "POSTGRES_PASSWORD", what)),
        "{what}"
    );
    assert_eq!(
        database_name(&url),
        env_str(db_env, "POSTGRES_DB", what),
        "{what}: database"
    );
}

// ---------------------------------------------------------------------------
// DATABASE_URL
// ---------------------------------------------------------------------------

/// The schemes `nzc` accepts: libpq's and SQLAlchemy's psycopg (v3) dialect.
const URL_SCHEMES: [&str; 3] = ["postgresql", "postgres", "postgresql+psycopg"];

fn database_url(text: &str) -> Url {
    let url = Url::parse(text).unwrap_or_else(|e| panic!("`{text}` is not a URL: {e}"));
    assert!(
        URL_SCHEMES.contains(&url.scheme()),
        "`{text}`: scheme {} is not one nzc accepts ({URL_SCHEMES:?})",
        url.scheme()
    );
    assert!(
        url.host_str().is_some_and(|h| !h.is_empty()),
        "`{text}`: no host"
    );
    assert!(!url.username().is_empty(), "`{text}`: no user");
    url
}

fn database_name(url: &Url) -> &str {
    url.path().trim_start_matches('/')
}

fn query_param(url: &Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

#[test]
fn database_url_checks_can_fail() {
    for bad in ["mysql://u:p@h/d", "postgresql+psycopg://@h/d", "not a url"] {
        let result = std::panic::catch_unwind(|| database_url(bad));
        assert!(result.is_err(), "`{bad}` was accepted");
    }
}

#[test]
fn env_example_matches_the_compose_database() {
    let text = read(".env.example");
    let vars: Vec<(&str, &str)> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split_once('=')
                .unwrap_or_else(|| panic!(".env.example: `{l}` is not KEY=VALUE"))
        })
        .collect();
    let raw = vars
        .iter()
        .find(|(k, _)| *k == "DATABASE_URL")
        .map(|(_, v)| *v)
        .expect(".env.example has no DATABASE_URL");
    let url = database_url(raw);
    assert_eq!(
        url.scheme(),
        "postgresql+psycopg",
        ".env.example: SQLAlchemy-style URL"
    );
    assert_eq!(url.host_str(), Some("localhost"), ".env.example: host");

    let compose = compose();
    let db_env = compose_env(&compose, "db");
    let what = ".env.example DATABASE_URL vs docker-compose.yml";
    assert_eq!(
        url.username(),
        env_str(db_env, "POSTGRES_USER", what),
        "{what}"
    );
    assert_eq!(
        url.password(),
        Some(env_str(db_env, "POSTGRES_PASSWORD", what)),
        "{what}"
    );
    assert_eq!(
        database_name(&url),
        env_str(db_env, "POSTGRES_DB", what),
        "{what}"
    );
    let published = strings(at(&compose, "/services/db/ports", what), what);
    let port = url.port().expect(".env.example: DATABASE_URL has no port");
    assert!(
        published
            .iter()
            .any(|p| p.split(':').next() == Some(&port.to_string())),
        "{what}: port {port} is not published by db ({published:?})"
    );
}

#[test]
fn dot_env_is_ignored_by_git_and_docker() {
    for file in [".gitignore", ".dockerignore"] {
        let patterns = ignore_patterns(&read(file));
        assert!(
            patterns.iter().any(|p| p == ".env"),
            "{file} should exclude .env (local secrets)"
        );
    }
}

// ---------------------------------------------------------------------------
// Dockerfile and .dockerignore
// ---------------------------------------------------------------------------

/// One Dockerfile instruction: keyword (upper case) and its arguments.
#[derive(Debug)]
struct Instruction {
    keyword: String,
    args: String,
}

/// Instructions with continuation lines joined; comments and blank lines dropped.
fn dockerfile_instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if trimmed.starts_with('#') {
            continue; // a comment inside a continued instruction
        }
        match trimmed.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head.trim_end());
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                let (keyword, args) = current
                    .split_once(char::is_whitespace)
                    .unwrap_or((&current, ""));
                out.push(Instruction {
                    keyword: keyword.to_ascii_uppercase(),
                    args: args.trim().to_owned(),
                });
                current.clear();
            }
        }
    }
    assert!(
        current.is_empty(),
        "Dockerfile ends inside a continued line"
    );
    out
}

/// Build stages: each a FROM and the instructions up to the next FROM.
fn dockerfile_stages(text: &str) -> Vec<Vec<Instruction>> {
    let mut stages: Vec<Vec<Instruction>> = Vec::new();
    for ins in dockerfile_instructions(text) {
        if ins.keyword == "FROM" {
            stages.push(Vec::new());
        }
        stages
            .last_mut()
            .unwrap_or_else(|| panic!("Dockerfile: {} before the first FROM", ins.keyword))
            .push(ins);
    }
    stages
}

/// `FROM image [AS name]` → (image, name).
fn from_parts(from: &Instruction) -> (String, Option<String>) {
    let words: Vec<&str> = from
        .args
        .split_whitespace()
        .filter(|w| !w.starts_with("--"))
        .collect();
    let name = match words.as_slice() {
        [_, kw, name] if kw.eq_ignore_ascii_case("as") => Some((*name).to_owned()),
        [_] => None,
        _ => panic!("Dockerfile: cannot read `FROM {}`", from.args),
    };
    (words[0].to_owned(), name)
}

fn exec_form(ins: &Instruction) -> Vec<String> {
    let value: Value = serde_json::from_str(&ins.args).unwrap_or_else(|_| {
        panic!(
            "Dockerfile: {} should use the exec (JSON) form, not `{}`",
            ins.keyword, ins.args
        )
    });
    strings(&value, &format!("Dockerfile {}", ins.keyword))
}

fn last<'a>(stage: &'a [Instruction], keyword: &str) -> Option<&'a Instruction> {
    stage.iter().rev().find(|i| i.keyword == keyword)
}

/// The UID of the final stage's USER (`10001` or `10001:10001`), which must be numeric.
fn dockerfile_uid(text: &str) -> u32 {
    let stages = dockerfile_stages(text);
    let runtime = stages.last().expect("Dockerfile has no FROM");
    let user = last(runtime, "USER").expect("Dockerfile: the final stage has no USER");
    let uid = user.args.split(':').next().unwrap();
    uid.parse().unwrap_or_else(|_| {
        panic!(
            "Dockerfile: USER {} should be numeric (runAsNonRoot)",
            user.args
        )
    })
}

#[test]
fn dockerfile_is_multi_stage_with_a_bookworm_rust_builder() {
    let text = read("Dockerfile");
    let stages = dockerfile_stages(&text);
    assert!(
        stages.len() >= 2,
        "Dockerfile should have a build and a runtime stage"
    );

    let (builder_image, builder_name) = from_parts(&stages[0][0]);
    let rust_tag = builder_image
        .strip_prefix("rust:")
        .unwrap_or_else(|| panic!("Dockerfile: builder image {builder_image} is not rust"));
    let builder_name = builder_name.expect("Dockerfile: the build stage has no `AS` name");

    // The pinned toolchain must not be older than the workspace's rust-version.
    let msrv = workspace_rust_version();
    let version = rust_tag.split('-').next().unwrap();
    let minor = match version.split('.').collect::<Vec<_>>().as_slice() {
        ["1"] => None, // rolling latest 1.x
        ["1", minor, ..] => Some(minor.parse::<u32>().expect("rust tag minor")),
        _ => panic!("Dockerfile: cannot read the rust tag {rust_tag}"),
    };
    if let Some(minor) = minor {
        assert!(
            minor >= msrv,
            "Dockerfile: rust {version} is older than rust-version 1.{msrv}"
        );
    }

    // Build and run on the same Debian release, or glibc may not match.
    let (runtime_image, _) = from_parts(&stages.last().unwrap()[0]);
    assert!(
        rust_tag.ends_with("-bookworm") || rust_tag.ends_with("-slim-bookworm"),
        "Dockerfile: builder {builder_image} should be a bookworm image"
    );
    assert!(
        runtime_image.starts_with("debian:bookworm")
            || runtime_image.starts_with("gcr.io/distroless/cc-debian12"),
        "Dockerfile: runtime {runtime_image} should be Debian 12 (bookworm), like the builder"
    );

    let build = stages[0]
        .iter()
        .filter(|i| i.keyword == "RUN")
        .find(|i| i.args.contains("cargo build"))
        .expect("Dockerfile: the build stage runs no `cargo build`");
    for flag in ["--release", "--locked", "--bin nzc"] {
        assert!(
            build.args.contains(flag),
            "Dockerfile: `cargo build` lacks {flag}"
        );
    }

    let runtime = stages.last().unwrap();
    assert!(
        runtime.iter().any(|i| i.keyword == "COPY"
            && i.args.starts_with(&format!("--from={builder_name} "))
            && i.args.ends_with(" /usr/local/bin/nzc")),
        "Dockerfile: the runtime stage should copy nzc from {builder_name} to /usr/local/bin/nzc"
    );
}

fn workspace_rust_version() -> u32 {
    let manifest = read("Cargo.toml");
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("rust-version") && l.contains('"'))
        .expect("Cargo.toml has no rust-version");
    let version = line.split('"').nth(1).unwrap();
    version.split('.').nth(1).unwrap().parse().unwrap()
}

#[test]
fn dockerfile_runtime_runs_nzc_as_a_non_root_user_with_the_migrations() {
    let text = read("Dockerfile");
    let stages = dockerfile_stages(&text);
    let runtime = stages.last().unwrap();

    let uid = dockerfile_uid(&text);
    assert_ne!(uid, 0, "Dockerfile: USER must not be root");
    let user_at = runtime.iter().rposition(|i| i.keyword == "USER").unwrap();
    assert!(
        !runtime[user_at..].iter().any(|i| i.keyword == "RUN"),
        "Dockerfile: nothing should run after USER in the final stage"
    );

    let entrypoint = last(runtime, "ENTRYPOINT").expect("Dockerfile: no ENTRYPOINT");
    assert_eq!(
        exec_form(entrypoint),
        ["/usr/local/bin/nzc"],
        "Dockerfile ENTRYPOINT"
    );
    let cmd = last(runtime, "CMD").expect("Dockerfile: no CMD");
    assert_eq!(
        exec_form(cmd),
        ["migrate", "upgrade", "head"],
        "Dockerfile CMD"
    );

    // nzc reads ./migrations: the image must have them under its WORKDIR.
    let workdir = last(runtime, "WORKDIR").expect("Dockerfile: no WORKDIR");
    assert!(
        runtime.iter().any(|i| i.keyword == "COPY"
            && !i.args.starts_with("--from")
            && i.args.split_whitespace().collect::<Vec<_>>()
                == ["migrations", &format!("{}/migrations", workdir.args)]),
        "Dockerfile: the runtime stage should COPY migrations {}/migrations",
        workdir.args
    );
    assert!(
        runtime
            .iter()
            .any(|i| i.keyword == "RUN" && i.args.contains("ca-certificates")),
        "Dockerfile: the runtime needs ca-certificates for sslmode=require/verify-full"
    );
}

#[test]
fn dockerfile_parser_reads_stages_and_continuations() {
    let text = "# c\nFROM a AS b\nRUN x \\\n  # inner\n  y\nFROM c\nUSER 0\n";
    let stages = dockerfile_stages(text);
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0][1].args, "x y");
    assert_eq!(
        from_parts(&stages[0][0]),
        ("a".to_owned(), Some("b".to_owned()))
    );
    assert_eq!(dockerfile_uid(text), 0);
    let panics = std::panic::catch_unwind(|| dockerfile_uid("FROM a\nUSER nzc\n"));
    assert!(panics.is_err(), "a named USER was taken for a numeric one");
}

/// Non-negated, non-comment patterns of an ignore file, trailing `/` removed.
fn ignore_patterns(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .map(|l| l.trim_start_matches('/').trim_end_matches('/').to_owned())
        .collect()
}

/// Whether a .dockerignore pattern excludes `path` (a context-relative path),
/// for the literal and `**/name` patterns used here (`*` is not expanded).
fn excludes(pattern: &str, path: &str) -> bool {
    let components: Vec<&str> = path.split('/').collect();
    (1..=components.len()).any(|n| {
        let prefix = components[..n].join("/");
        pattern == prefix
            || pattern
                .strip_prefix("**/")
                .is_some_and(|name| name == components[n - 1])
    })
}

#[test]
fn dockerignore_excludes_build_outputs_but_not_the_sources() {
    let patterns = ignore_patterns(&read(".dockerignore"));
    let excluded = |path: &str| patterns.iter().any(|p| excludes(p, path));

    for path in ["target", ".git", "tools/dbml-check/node_modules", ".env"] {
        assert!(excluded(path), ".dockerignore should exclude {path}");
    }
    let mut needed = vec![
        "Cargo.toml".to_owned(),
        "Cargo.lock".to_owned(),
        "src/main.rs".to_owned(),
        "migrations".to_owned(),
        "Dockerfile".to_owned(),
    ];
    needed.extend(
        workspace_members()
            .into_iter()
            .map(|m| format!("{m}/Cargo.toml")),
    );
    for path in &needed {
        assert!(
            !excluded(path),
            ".dockerignore excludes {path}, which the build needs"
        );
    }
}

#[test]
fn dockerignore_matcher_matches() {
    assert!(excludes("target", "target/release/nzc"));
    assert!(excludes("**/node_modules", "tools/x/node_modules/y"));
    assert!(!excludes("target", "src/target.rs"));
    assert!(!excludes(".env", ".env.example"));
}

fn workspace_members() -> Vec<String> {
    let manifest = read("Cargo.toml");
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("members"))
        .expect("Cargo.toml has no workspace members");
    let members: Vec<String> = line
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    assert!(!members.is_empty(), "cannot read `{line}`");
    members
}

#[test]
fn dockerfile_copy_sources_exist_in_the_build_context() {
    let text = read("Dockerfile");
    for ins in dockerfile_instructions(&text) {
        if !matches!(ins.keyword.as_str(), "COPY" | "ADD") || ins.args.contains("--from=") {
            continue;
        }
        let words: Vec<&str> = ins
            .args
            .split_whitespace()
            .filter(|w| !w.starts_with("--"))
            .collect();
        for source in &words[..words.len() - 1] {
            assert!(
                root().join(source).exists(),
                "Dockerfile: `{} {}` copies {source}, which is not in the repository \
                 (the image build would fail)",
                ins.keyword,
                ins.args
            );
        }
    }
}

// ---------------------------------------------------------------------------
// k8s/
// ---------------------------------------------------------------------------

#[test]
fn configmap_holds_the_non_secret_database_settings() {
    let cm = read_yaml(CONFIGMAP);
    let what = CONFIGMAP;
    assert_eq!(str_at(&cm, "/kind", what), "ConfigMap");
    assert_eq!(
        str_at(&cm, "/metadata/name", what),
        "pdf-converter-db-config"
    );
    assert_eq!(
        str_at(&cm, "/metadata/labels/app.kubernetes.io~1name", what),
        "pdf-converter"
    );

    let compose = compose();
    let db_env = compose_env(&compose, "db");
    assert!(!str_at(&cm, "/data/DB_HOST", what).is_empty());
    assert_eq!(str_at(&cm, "/data/DB_PORT", what), "5432");
    assert_eq!(
        str_at(&cm, "/data/DB_NAME", what),
        env_str(db_env, "POSTGRES_DB", "docker-compose.yml")
    );
    let connect: u64 = str_at(&cm, "/data/DB_CONNECT_TIMEOUT", what)
        .parse()
        .expect("DB_CONNECT_TIMEOUT should be whole seconds");
    assert!((1..=60).contains(&connect), "DB_CONNECT_TIMEOUT {connect}");
    let lock = str_at(&cm, "/data/NZC_LOCK_TIMEOUT", what);
    assert!(
        duration_seconds(lock).is_some_and(|s| s > 0),
        "NZC_LOCK_TIMEOUT `{lock}` is not a duration"
    );
    let advisory: u64 = str_at(&cm, "/data/NZC_ADVISORY_LOCK_TIMEOUT", what)
        .parse()
        .expect("NZC_ADVISORY_LOCK_TIMEOUT should be whole seconds");
    assert!(advisory > 0);

    for key in cm["data"].as_object().unwrap().keys() {
        let key = key.to_ascii_lowercase();
        assert!(
            !key.contains("password") && !key.contains("url") && !key.contains("secret"),
            "{what}: {key} looks secret; it belongs in the Secret"
        );
    }
}

#[test]
fn secret_example_is_a_placeholder_sqlalchemy_url_for_the_configured_database() {
    let text = read(SECRET_EXAMPLE);
    assert!(
        text.contains("EXAMPLE") && text.contains("never go in git"),
        "{SECRET_EXAMPLE} should say it is an example and that real secrets never go in git"
    );
    let secret = read_yaml(SECRET_EXAMPLE);
    let what = SECRET_EXAMPLE;
    assert_eq!(str_at(&secret, "/kind", what), "Secret");
    assert_eq!(
        str_at(&secret, "/metadata/name", what),
        "pdf-converter-db-secret"
    );
    assert_eq!(str_at(&secret, "/type", what), "Opaque");
    assert!(
        secret.get("data").is_none(),
        "{what}: use stringData; base64 `data` hides what is committed"
    );

    let url = database_url(str_at(&secret, "/stringData/DATABASE_URL", what));
    assert_eq!(
        url.scheme(),
        "postgresql+psycopg",
        "{what}: SQLAlchemy-style scheme"
    );
    assert_eq!(url.username(), "pdf_user");
    assert_eq!(
        url.password(),
        Some("CHANGE_ME"),
        "{what}: the password must be a placeholder"
    );
    assert_eq!(
        query_param(&url, "sslmode").as_deref(),
        Some("require"),
        "{what}: sslmode"
    );

    // The same database as the ConfigMap describes.
    let cm = read_yaml(CONFIGMAP);
    assert_eq!(
        url.host_str(),
        Some(str_at(&cm, "/data/DB_HOST", CONFIGMAP)),
        "{what}: host"
    );
    assert_eq!(
        url.port().map(|p| p.to_string()).as_deref(),
        Some(str_at(&cm, "/data/DB_PORT", CONFIGMAP)),
        "{what}: port"
    );
    assert_eq!(
        database_name(&url),
        str_at(&cm, "/data/DB_NAME", CONFIGMAP),
        "{what}: db"
    );
}

fn job_container(job: &Value) -> &Value {
    let containers = at(job, "/spec/template/spec/containers", JOB)
        .as_array()
        .expect("containers is a list");
    assert_eq!(containers.len(), 1, "{JOB}: one container expected");
    &containers[0]
}

#[test]
fn job_runs_the_migration_once_with_bounded_retries() {
    let job = read_yaml(JOB);
    let what = JOB;
    assert_eq!(str_at(&job, "/apiVersion", what), "batch/v1");
    assert_eq!(str_at(&job, "/kind", what), "Job");
    assert_eq!(
        str_at(&job, "/metadata/name", what),
        "pdf-converter-migrate"
    );
    assert_eq!(at(&job, "/spec/backoffLimit", what), &json!(3));
    assert_eq!(
        str_at(&job, "/spec/template/spec/restartPolicy", what),
        "Never"
    );
    let ttl = at(&job, "/spec/ttlSecondsAfterFinished", what).as_u64();
    assert!(
        ttl.is_some_and(|t| t > 0),
        "{what}: ttlSecondsAfterFinished {ttl:?}"
    );

    let container = job_container(&job);
    let args = strings(at(container, "/args", what), "container args");
    assert_eq!(args, MIGRATE_ARGS, "{what}: args");
    assert!(
        container.get("command").is_none(),
        "{what}: keep the image's ENTRYPOINT (nzc); set args only"
    );
    // Same command as docker-compose.yml's migrate service.
    let compose_command = strings(
        at(
            &compose(),
            "/services/migrate/command",
            "docker-compose.yml",
        ),
        "docker-compose.yml command",
    );
    assert_eq!(
        args, compose_command,
        "{what} args vs docker-compose.yml command"
    );

    // The deadline covers every attempt's --wait and advisory-lock wait.
    let deadline = at(&job, "/spec/activeDeadlineSeconds", what)
        .as_u64()
        .expect("activeDeadlineSeconds");
    let wait: u64 = args[args.iter().position(|a| a == "--wait").unwrap() + 1]
        .parse()
        .unwrap();
    let cm = read_yaml(CONFIGMAP);
    let advisory: u64 = str_at(&cm, "/data/NZC_ADVISORY_LOCK_TIMEOUT", CONFIGMAP)
        .parse()
        .unwrap();
    assert!(
        deadline > wait + advisory,
        "{what}: activeDeadlineSeconds {deadline} leaves no time after --wait {wait} \
         and the advisory lock wait {advisory}"
    );
}

#[test]
fn job_takes_database_url_from_the_secret_and_settings_from_the_configmap() {
    let job = read_yaml(JOB);
    let what = JOB;
    let container = job_container(&job);
    let secret = read_yaml(SECRET_EXAMPLE);
    let cm = read_yaml(CONFIGMAP);

    let env = container["env"]
        .as_array()
        .expect("container env is a list");
    let url = env
        .iter()
        .find(|e| e["name"] == "DATABASE_URL")
        .unwrap_or_else(|| panic!("{what}: no DATABASE_URL in env"));
    assert!(
        url.get("value").is_none(),
        "{what}: DATABASE_URL must not be inline"
    );
    let key_ref = at(url, "/valueFrom/secretKeyRef", what);
    assert_eq!(
        key_ref["name"], secret["metadata"]["name"],
        "{what}: Secret name"
    );
    let key = key_ref["key"].as_str().expect("secretKeyRef.key");
    assert!(
        secret["stringData"].get(key).is_some(),
        "{what}: the Secret has no key {key}"
    );

    let env_from = container["envFrom"].as_array().expect("envFrom is a list");
    assert!(
        env_from
            .iter()
            .any(|e| e["configMapRef"]["name"] == cm["metadata"]["name"]),
        "{what}: envFrom should reference the ConfigMap {}",
        cm["metadata"]["name"]
    );
}

/// CPU in millicores (`500m`, `1`, `0.5`).
fn cpu_millis(q: &str) -> u64 {
    match q.strip_suffix('m') {
        Some(m) => m.parse().unwrap_or_else(|_| panic!("cpu `{q}`")),
        None => (q.parse::<f64>().unwrap_or_else(|_| panic!("cpu `{q}`")) * 1000.0) as u64,
    }
}

/// Memory in bytes (`64Mi`, `1Gi`, `128M`, plain bytes).
fn memory_bytes(q: &str) -> u64 {
    let units: [(&str, u64); 6] = [
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
    ];
    for (suffix, factor) in units {
        if let Some(n) = q.strip_suffix(suffix) {
            return n.parse::<u64>().unwrap_or_else(|_| panic!("memory `{q}`")) * factor;
        }
    }
    q.parse().unwrap_or_else(|_| panic!("memory `{q}`"))
}

#[test]
fn quantity_parsers() {
    assert_eq!(cpu_millis("500m"), 500);
    assert_eq!(cpu_millis("1"), 1000);
    assert_eq!(memory_bytes("64Mi"), 64 << 20);
    assert_eq!(memory_bytes("1G"), 1_000_000_000);
}

#[test]
fn job_has_cpu_and_memory_requests_within_limits() {
    let job = read_yaml(JOB);
    let resources = at(job_container(&job), "/resources", JOB);
    for (name, parse) in [
        ("cpu", cpu_millis as fn(&str) -> u64),
        ("memory", memory_bytes),
    ] {
        let request = str_at(resources, &format!("/requests/{name}"), JOB);
        let limit = str_at(resources, &format!("/limits/{name}"), JOB);
        assert!(
            parse(request) > 0 && parse(request) <= parse(limit),
            "{JOB}: {name} request {request} should be positive and within the limit {limit}"
        );
    }
}

#[test]
fn job_runs_locked_down_as_the_image_user() {
    let job = read_yaml(JOB);
    let what = JOB;
    let uid = u64::from(dockerfile_uid(&read("Dockerfile")));
    let pod = at(&job, "/spec/template/spec", what);
    let container = job_container(&job);

    assert_eq!(pod["automountServiceAccountToken"], json!(false), "{what}");
    for (scope, ctx) in [
        ("pod", &pod["securityContext"]),
        ("container", &container["securityContext"]),
    ] {
        assert_eq!(
            ctx["runAsNonRoot"],
            json!(true),
            "{what}: {scope} runAsNonRoot"
        );
        assert_eq!(
            ctx["runAsUser"],
            json!(uid),
            "{what}: {scope} runAsUser should be the Dockerfile's USER {uid}"
        );
        assert_eq!(
            ctx["seccompProfile"]["type"], "RuntimeDefault",
            "{what}: {scope} seccompProfile"
        );
    }
    let ctx = &container["securityContext"];
    assert_eq!(ctx["allowPrivilegeEscalation"], json!(false), "{what}");
    assert_eq!(ctx["readOnlyRootFilesystem"], json!(true), "{what}");
    assert_ne!(ctx["privileged"], json!(true), "{what}");
    assert_eq!(
        ctx["capabilities"]["drop"],
        json!(["ALL"]),
        "{what}: drop ALL"
    );
    assert!(
        ctx["capabilities"].get("add").is_none(),
        "{what}: no capabilities added"
    );
}

#[test]
fn job_image_is_the_migrate_image_of_compose_and_kustomize() {
    let job = read_yaml(JOB);
    let image = str_at(job_container(&job), "/image", JOB);
    assert_eq!(
        image, "pdf-converter-migrate:latest",
        "{JOB}: placeholder image"
    );
    let repository = image.split(':').next().unwrap();

    let compose = compose();
    let compose_image = str_at(&compose, "/services/migrate/image", "docker-compose.yml");
    assert_eq!(
        compose_image.split(':').next(),
        Some(repository),
        "docker-compose.yml builds another image than the Job runs"
    );
    let kustomization = read_yaml(KUSTOMIZATION);
    if let Some(images) = kustomization.get("images").and_then(Value::as_array) {
        for entry in images {
            assert_eq!(
                entry["name"], repository,
                "{KUSTOMIZATION}: images[].name should match the Job's image"
            );
        }
    }
}

#[test]
fn kustomization_applies_the_configmap_and_job_but_never_the_example_secret() {
    let kustomization = read_yaml(KUSTOMIZATION);
    let what = KUSTOMIZATION;
    assert_eq!(str_at(&kustomization, "/kind", what), "Kustomization");
    assert_eq!(
        str_at(&kustomization, "/apiVersion", what),
        "kustomize.config.k8s.io/v1beta1"
    );
    let resources = strings(at(&kustomization, "/resources", what), "resources");
    let listed: BTreeSet<String> = resources.iter().map(|r| format!("k8s/{r}")).collect();
    let expected: BTreeSet<String> = [CONFIGMAP, JOB].iter().map(|s| (*s).to_owned()).collect();
    // Exactly these: in particular never the example Secret.
    assert_eq!(listed, expected, "{what}: resources");
    for path in &listed {
        assert!(root().join(path).is_file(), "{what}: {path} does not exist");
    }
}

const APP_EXAMPLE: &str = "k8s/pdf-converter-app.example.yml";

#[test]
fn app_deployment_waits_for_the_migrations_in_an_init_container() {
    let app = read_yaml(APP_EXAMPLE);
    let what = APP_EXAMPLE;
    let validator = k8s_validator(&k8s_schema_file(&app, what));
    assert_valid(&validator, &app, what);
    assert_eq!(str_at(&app, "/kind", what), "Deployment");
    let init = at(&app, "/spec/template/spec/initContainers", what)
        .as_array()
        .expect("initContainers is a list");
    assert_eq!(init.len(), 1, "{what}: one initContainer");
    let wait = &init[0];
    // The migrate image of the Job, running `nzc migrate wait`.
    let job = read_yaml(JOB);
    assert_eq!(
        str_at(wait, "/image", what),
        str_at(job_container(&job), "/image", JOB),
        "{what}: the initContainer runs the migrate image"
    );
    let args = strings(at(wait, "/args", what), "initContainer args");
    assert_eq!(&args[..2], ["migrate", "wait"], "{what}: args {args:?}");
    let timeout = &args[args
        .iter()
        .position(|a| a == "--timeout")
        .expect("--timeout")
        + 1];
    assert!(
        duration_seconds(timeout).is_some_and(|s| s > 0),
        "{what}: --timeout {timeout}"
    );
    assert!(wait.get("command").is_none(), "{what}: keep the ENTRYPOINT");
    // The same database settings as the Job: the ConfigMap and the Secret's URL.
    for container in [wait, &at(&app, "/spec/template/spec/containers", what)[0]] {
        assert_eq!(
            str_at(container, "/envFrom/0/configMapRef/name", what),
            str_at(job_container(&job), "/envFrom/0/configMapRef/name", JOB)
        );
        assert_eq!(
            str_at(container, "/env/0/valueFrom/secretKeyRef/name", what),
            str_at(&read_yaml(SECRET_EXAMPLE), "/metadata/name", SECRET_EXAMPLE)
        );
        assert_eq!(str_at(container, "/env/0/name", what), "DATABASE_URL");
        assert_eq!(
            at(container, "/securityContext/readOnlyRootFilesystem", what),
            &json!(true)
        );
    }
    // Not applied by `kubectl apply -k`: its application image is a placeholder.
    let k = read_yaml(KUSTOMIZATION);
    let resources = strings(at(&k, "/resources", KUSTOMIZATION), "resources");
    assert!(!resources.iter().any(|r| APP_EXAMPLE.ends_with(r.as_str())));
    // And the wait command exists with those arguments (parsed by the real binary).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nzc"))
        .args(&args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
