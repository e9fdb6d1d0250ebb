//! The server's modules import each other in one direction (issue 13,
//! "no import circles in server/src"): a graph of which file's code names
//! which module — `crate::…`, `super::…`, `self::…` paths and a parent's
//! bare paths to its children — must have no cycle. A parent's `mod`
//! declarations are not uses; test modules are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `api/mod.rs` is `api`, `api/sigv4.rs` is `api::sigv4`, `lib.rs` is the root.
fn module_of(root: &Path, file: &Path) -> (Module, bool) {
    let rel = file.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Module = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let is_dir = matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    );
    if is_dir {
        parts.pop();
    }
    (parts, is_dir)
}

#[derive(Debug, PartialEq)]
enum Tok {
    Ident(String),
    Path,
    Open,
    Close,
    Comma,
    Other,
}

fn tokens(src: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let b: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                i += if b[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push(Tok::Other);
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(b[start..i].iter().collect()));
        } else if c == ':' && b.get(i + 1) == Some(&':') {
            out.push(Tok::Path);
            i += 2;
        } else {
            out.push(match c {
                '{' => Tok::Open,
                '}' => Tok::Close,
                ',' => Tok::Comma,
                _ if c.is_whitespace() => {
                    i += 1;
                    continue;
                }
                _ => Tok::Other,
            });
            i += 1;
        }
    }
    out
}

/// Every path starting at `t[*i]` (an identifier), groups expanded.
fn paths(t: &[Tok], i: &mut usize, prefix: Module, out: &mut Vec<Module>) {
    let mut path = prefix;
    while let Some(Tok::Ident(name)) = t.get(*i) {
        path.push(name.clone());
        *i += 1;
        if t.get(*i) != Some(&Tok::Path) {
            break;
        }
        *i += 1;
        if t.get(*i) == Some(&Tok::Open) {
            *i += 1;
            loop {
                match t.get(*i) {
                    Some(Tok::Ident(_)) => paths(t, i, path.clone(), out),
                    Some(Tok::Comma) => *i += 1,
                    _ => break,
                }
            }
            *i += 1;
            return;
        }
    }
    out.push(path);
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let modules: BTreeMap<Module, (PathBuf, bool)> = files
        .into_iter()
        .map(|f| {
            let (m, is_dir) = module_of(&root, &f);
            (m, (f, is_dir))
        })
        .collect();
    let resolve = |mut p: Module| {
        while !p.is_empty() && !modules.contains_key(&p) {
            p.pop();
        }
        modules.contains_key(&p).then_some(p)
    };
    let mut edges = BTreeMap::new();
    for (m, (file, is_dir)) in &modules {
        let src = std::fs::read_to_string(file).unwrap();
        let src = src.split("#[cfg(test)]\nmod tests").next().unwrap();
        // `self` of a file is its module; `super` is the module above.
        let this = m.clone();
        let parent: Module = m[..m.len().saturating_sub(1)].to_vec();
        let t = tokens(src);
        let mut found = Vec::new();
        let mut i = 0;
        while i < t.len() {
            let start_of_path = i == 0 || t[i - 1] != Tok::Path;
            match &t[i] {
                Tok::Ident(head) if start_of_path && t.get(i + 1) == Some(&Tok::Path) => {
                    let base = match head.as_str() {
                        "crate" => Some(Vec::new()),
                        "super" => Some(parent.clone()),
                        "self" => Some(this.clone()),
                        // A directory module's bare path to a child.
                        child if *is_dir => {
                            let mut c = this.clone();
                            c.push(child.to_owned());
                            modules.contains_key(&c).then(|| this.clone())
                        }
                        _ => None,
                    };
                    match base {
                        Some(base) => {
                            let skip_head = matches!(head.as_str(), "crate" | "super" | "self");
                            if skip_head {
                                i += 2;
                            }
                            paths(&t, &mut i, base, &mut found);
                        }
                        None => i += 1,
                    }
                }
                _ => i += 1,
            }
        }
        let targets: BTreeSet<Module> = found
            .into_iter()
            .filter_map(resolve)
            .filter(|target| target != m)
            .collect();
        edges.insert(m.clone(), targets);
    }
    edges
}

/// A cycle through the graph, if there is one (depth-first search).
fn find_cycle(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    fn visit(
        m: &Module,
        edges: &BTreeMap<Module, BTreeSet<Module>>,
        stack: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
    ) -> Option<Vec<Module>> {
        if let Some(at) = stack.iter().position(|s| s == m) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(m.clone());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        stack.push(m.clone());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(m.clone());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|m| visit(m, edges, &mut Vec::new(), &mut done))
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

#[test]
fn server_modules_import_each_other_in_one_direction() {
    let edges = graph();
    // The graph sees real uses: the hosted pages use the flow module.
    let sign_in: Module = ["ui", "hosted", "sign_in"].map(String::from).to_vec();
    let flow: Module = ["ui", "hosted", "flow"].map(String::from).to_vec();
    assert!(edges[&sign_in].contains(&flow), "{:?}", edges[&sign_in]);
    if let Some(cycle) = find_cycle(&edges) {
        let names: Vec<String> = cycle.iter().map(name).collect();
        panic!("an import circle in server/src: {}", names.join(" → "));
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let m = |s: &str| vec![s.to_owned()];
    let edges = BTreeMap::from([
        (m("state"), BTreeSet::from([m("mail")])),
        (m("mail"), BTreeSet::from([m("sigv4")])),
        (m("sigv4"), BTreeSet::from([m("state")])),
    ]);
    assert_eq!(find_cycle(&edges).map(|c| c.len()), Some(4));
    let mut acyclic = edges.clone();
    acyclic.insert(m("sigv4"), BTreeSet::new());
    assert_eq!(find_cycle(&acyclic), None);
}
