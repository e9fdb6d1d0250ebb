//! The Python peers' interpreter: the test venv `end2end/python/.venv`
//! (made by scripts/test from end2end/python/requirements.txt), or
//! COGNATE_E2E_PYTHON.

use std::path::PathBuf;

fn venv_python() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("COGNATE_E2E_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end/python/.venv/bin/python");
    p.exists().then_some(p)
}

/// A script of end2end/python.
pub fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../end2end/python")
        .join(name)
}

/// The venv's interpreter; None (the test says SKIPPED) when there is no
/// venv, except where it is required (COGNATE_REQUIRE_POSTGRES=1 or CI).
pub fn python_or_skip() -> Option<PathBuf> {
    let python = venv_python();
    if python.is_none() {
        let required = std::env::var("COGNATE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
            || std::env::var("CI").is_ok();
        assert!(
            !required,
            "the test venv end2end/python/.venv is missing (scripts/test makes it)"
        );
        eprintln!(
            "SKIPPED: no test venv (python3 -m venv end2end/python/.venv && end2end/python/.venv/bin/pip install -r end2end/python/requirements.txt)"
        );
    }
    python
}
