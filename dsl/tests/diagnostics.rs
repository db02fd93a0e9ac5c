//! Every diagnostic code has a case under tests/diagnostics/ whose rendered
//! output is snapshotted, and whose code must appear in the output.

use std::path::Path;

#[test]
fn each_case_reports_its_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 26, "one case per code");
    for path in cases {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let code = name[..5].to_ascii_uppercase();
        let source = std::fs::read_to_string(&path).unwrap();
        let file = format!("{name}.nzc");
        let diags = nzc_dsl::compile(&source, &file).expect_err(&name);
        let rendered = diags.render();
        assert!(
            rendered.contains(&format!("error[{code}]")),
            "{name} must report {code}:\n{rendered}"
        );
        for d in &diags.list {
            assert!(
                d.span.end <= source.len() && d.span.start <= d.span.end,
                "{name}: span in range"
            );
        }
        insta::assert_snapshot!(name, rendered);
    }
}
