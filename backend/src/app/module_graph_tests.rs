//! The module graph of `backend/src`, checked on every test run (issue 19, item 6): no
//! import circle between two or more top-level modules, the leaves import no feature,
//! and nothing imports the roots.
//!
//! It reads every `.rs` file under `src/`, drops comments, string and character
//! literals and test-only code (`#[cfg(test)]` items and the files of `#[cfg(test)]
//! mod x;`: tests may reach across features to set up data), and takes each
//! `crate::x` path (in `use` lines and in code, `crate::{x, y}` included) as an edge
//! from the file's top-level module to `x`. `super::` and `self::` stay inside a
//! module and do not count; neither does a module naming itself.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The application and the command line assemble everything (the test harness too):
/// they may import any module, and no module may import them.
const ROOTS: [&str; 3] = ["app", "cli", "test_support"];

/// Plumbing every feature builds on; each may import only other leaves.
const LEAVES: [&str; 6] = ["http", "ids", "refs", "schema", "config", "db"];

/// Circles allowed for now: the modules of one circle (a strongly connected set, as the
/// test reports it), and why it is allowed. A circle that grows, shrinks or disappears
/// fails the test, so this list cannot go stale.
const ALLOWED_CYCLES: &[(&[&str], &str)] = &[
    // None today. Add one only with the redesign it waits for, e.g.
    // (&["a", "b"], "a's X needs b's Y until Y moves to a lower module (issue N)"),
];

/// One reference from a module to another: where it is written.
#[derive(Debug, Clone)]
struct Site {
    file: String,
    line: usize,
}

type Graph = BTreeMap<String, BTreeMap<String, Vec<Site>>>;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The text with comments blanked and the insides of string and character literals
/// removed; newlines are kept, so offsets still give line numbers.
fn strip(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if c[i] == 'r'
            && matches!(next, Some('"' | '#'))
            && (i == 0 || !(c[i - 1].is_alphanumeric() || c[i - 1] == '_'))
        {
            // A raw string r"..", r#".."#: ends at the quote followed by as many hashes.
            let mut j = i + 1;
            let mut hashes = 0;
            while c.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if c.get(j) != Some(&'"') {
                out.push(c[i]);
                i += 1;
                continue;
            }
            j += 1;
            while j < c.len() {
                if c[j] == '"' && (1..=hashes).all(|k| c.get(j + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                blank(&mut out, c[j]);
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                if let Some(&ch) = c.get(i) {
                    blank(&mut out, ch);
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c[i] == '\'' {
            // A character literal ('x', '\n', '\''), or else a lifetime ('a).
            if next == Some('\\') {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c[i]);
                i += 1;
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// The stripped text without its `#[cfg(test)]` items, and the names of the
/// `#[cfg(test)] mod name;` files it declares.
fn without_test_code(text: &str) -> (String, Vec<String>) {
    const MARK: &str = "#[cfg(test)]";
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut test_mods = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find(MARK) {
        let start = rest + found;
        out.push_str(&text[rest..start]);
        let mut i = start + MARK.len();
        // Skip further attributes, then the item: up to a `;` outside brackets, or to
        // the `}` closing its first top-level `{`.
        let mut depth = 0usize;
        let item_start = i;
        while i < b.len() {
            match b[i] {
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth = depth.saturating_sub(1),
                b'{' => depth += 1,
                b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        i += 1;
                        break;
                    }
                }
                b';' if depth == 0 => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let item = &text[item_start..i.min(b.len())];
        let words: Vec<&str> = item
            .split(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == ';'))
            .filter(|w| !w.is_empty())
            .collect();
        if let Some(pos) = words.iter().position(|w| *w == "mod")
            && let Some(name) = words.get(pos + 1)
            && let Some(name) = name.strip_suffix(';')
        {
            test_mods.push(name.to_owned());
        }
        // Keep the line count.
        out.extend(item.chars().chain(MARK.chars()).filter(|ch| *ch == '\n'));
        rest = i.min(b.len());
    }
    out.push_str(&text[rest..]);
    (out, test_mods)
}

fn ident_at(text: &str, at: usize) -> &str {
    let end = text[at..]
        .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
        .map_or(text.len(), |n| at + n);
    &text[at..end]
}

/// The top-level modules a stripped text names through `crate::`, with the byte
/// offset of each mention.
fn crate_refs(text: &str) -> Vec<(String, usize)> {
    let mut refs = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("crate::") {
        let at = from + found;
        from = at + "crate::".len();
        let before = text[..at].chars().next_back();
        if before.is_some_and(|ch| ch.is_alphanumeric() || ch == '_' || ch == ':') {
            continue; // `mycrate::`, `::crate::` are not this crate's paths
        }
        let after = &text[from..];
        if let Some(group) = after.strip_prefix('{') {
            // `crate::{a, b::{c, d}, e}`: the first name of each item at depth 1.
            let mut depth = 1;
            let mut expect_name = true;
            let base = from + 1;
            let mut k = 0;
            let g = group.as_bytes();
            while k < g.len() && depth > 0 {
                match g[k] {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    b',' if depth == 1 => expect_name = true,
                    ch if expect_name && depth == 1 && (ch.is_ascii_alphabetic() || ch == b'_') => {
                        let name = ident_at(group, k);
                        refs.push((name.to_owned(), base + k));
                        k += name.len();
                        expect_name = false;
                        continue;
                    }
                    _ => {}
                }
                k += 1;
            }
        } else {
            let name = ident_at(text, from);
            if !name.is_empty() {
                refs.push((name.to_owned(), at));
            }
        }
    }
    refs
}

/// The top-level modules `lib.rs` declares.
fn top_level_modules(lib: &str) -> BTreeSet<String> {
    let text = strip(lib);
    let mut mods = BTreeSet::new();
    for part in text.split(';') {
        let words: Vec<&str> = part.split_whitespace().collect();
        if let [.., "mod", name] = words.as_slice() {
            mods.insert((*name).to_owned());
        }
    }
    mods
}

/// Reads the source tree into the graph of top-level modules.
fn read_graph() -> (BTreeSet<String>, Graph) {
    let src = src_dir();
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("read src/lib.rs");
    let modules = top_level_modules(&lib);
    assert!(
        modules.len() > 10 && modules.contains("tickets") && modules.contains("http"),
        "lib.rs's modules were not found: {modules:?}"
    );
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // Read every file first, so `#[cfg(test)] mod x;` can rule out x's file.
    let mut texts: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut test_only: BTreeSet<PathBuf> = BTreeSet::new();
    for path in &files {
        let raw = std::fs::read_to_string(path).expect("read a source file");
        let (text, test_mods) = without_test_code(&strip(&raw));
        let dir = match path.file_name().and_then(|n| n.to_str()) {
            Some("mod.rs" | "lib.rs" | "main.rs") => path.parent().map(Path::to_path_buf),
            _ => Some(path.with_extension("")),
        };
        for name in test_mods {
            if let Some(dir) = &dir {
                test_only.insert(dir.join(format!("{name}.rs")));
                test_only.insert(dir.join(&name).join("mod.rs"));
                test_only.insert(dir.join(&name));
            }
        }
        texts.insert(path.clone(), text);
    }
    let mut graph = Graph::new();
    for (path, text) in &texts {
        let rel = path.strip_prefix(&src).expect("under src");
        if test_only.iter().any(|t| path.starts_with(t)) {
            continue;
        }
        let first = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default();
        let from = first.strip_suffix(".rs").unwrap_or(first).to_owned();
        if !modules.contains(&from) {
            continue; // lib.rs, main.rs
        }
        let node = graph.entry(from.clone()).or_default();
        for (to, offset) in crate_refs(text) {
            if to != from && modules.contains(&to) {
                node.entry(to).or_default().push(Site {
                    file: rel.display().to_string(),
                    line: text[..offset].matches('\n').count() + 1,
                });
            }
        }
    }
    (modules, graph)
}

fn sites(graph: &Graph, from: &str, to: &str) -> String {
    let mut files: Vec<String> = graph[from][to]
        .iter()
        .map(|s| format!("{}:{}", s.file, s.line))
        .collect();
    files.dedup_by(|a, b| a.split(':').next() == b.split(':').next());
    files.join(", ")
}

/// The strongly connected sets of two or more modules (Tarjan), roots left out.
fn circles(modules: &BTreeSet<String>, graph: &Graph) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flat_map(|e| e.keys()) {
            let w = w.as_str();
            if ROOTS.contains(&w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut set = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                set.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if set.len() > 1 {
                set.sort();
                s.found.push(set);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for m in modules {
        if !ROOTS.contains(&m.as_str()) && !s.index.contains_key(m.as_str()) {
            visit(&mut s, m);
        }
    }
    s.found.sort();
    s.found
}

/// One concrete circle through `set`'s first module, each step with where it is written.
fn describe(graph: &Graph, set: &[String]) -> String {
    let start = &set[0];
    let inside: BTreeSet<&String> = set.iter().collect();
    // Breadth-first from `start` back to it, within the set.
    let mut came_from: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut back = None;
    while let Some(v) = queue.pop_front() {
        for w in graph.get(v).into_iter().flat_map(|e| e.keys()) {
            if w == start {
                back = Some(v);
                queue.clear();
                break;
            }
            if inside.contains(w) && !came_from.contains_key(w) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    let mut path = vec![start];
    let mut v = back.expect("a strongly connected set has a circle");
    while v != start {
        path.push(v);
        v = came_from[v];
    }
    path[1..].reverse();
    path.push(start);
    let mut text = format!("circle {{{}}}: {start}", set.join(", "));
    for step in path.windows(2) {
        let _ = write!(text, " -> {} ({})", step[1], sites(graph, step[0], step[1]));
    }
    text
}

#[test]
fn top_level_modules_form_no_import_circle() {
    let (modules, graph) = read_graph();
    let mut problems = Vec::new();

    for (from, edges) in &graph {
        for to in edges.keys() {
            if ROOTS.contains(&to.as_str()) && !ROOTS.contains(&from.as_str()) {
                problems.push(format!(
                    "{from} imports the root `{to}` ({}): nothing but the roots may",
                    sites(&graph, from, to)
                ));
            }
            if LEAVES.contains(&from.as_str()) && !LEAVES.contains(&to.as_str()) {
                problems.push(format!(
                    "the leaf `{from}` imports `{to}` ({}): leaves import only other leaves",
                    sites(&graph, from, to)
                ));
            }
        }
    }

    let found = circles(&modules, &graph);
    for set in &found {
        let allowed = ALLOWED_CYCLES.iter().any(|(mods, _)| {
            let mut mods: Vec<String> = mods.iter().map(|m| (*m).to_owned()).collect();
            mods.sort();
            mods == *set
        });
        if !allowed {
            problems.push(describe(&graph, set));
        }
    }
    for (mods, why) in ALLOWED_CYCLES {
        let mut mods: Vec<String> = mods.iter().map(|m| (*m).to_owned()).collect();
        mods.sort();
        if !found.contains(&mods) {
            problems.push(format!(
                "the allowed circle {mods:?} ({why}) is not in the graph any more: \
                 remove it from ALLOWED_CYCLES"
            ));
        }
    }

    assert!(
        problems.is_empty(),
        "the module graph of backend/src:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_reader_finds_crate_paths_and_ignores_comments_strings_and_tests() {
    let text = strip(
        r##"use crate::{audit::{self, Entity}, http::ApiError};
use super::queries; // crate::commented
let s = "crate::in_a_string"; let c = '"'; let r = r#"crate::raw"#;
fn f<'a>(x: &'a str) { crate::tickets::find(x); }
/* crate::block */
#[cfg(test)]
mod tests { use crate::test_support::TestApp; }
#[cfg(test)]
mod more_tests;
"##,
    );
    let (text, test_mods) = without_test_code(&text);
    let names: Vec<String> = crate_refs(&text).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["audit", "http", "tickets"]);
    assert_eq!(test_mods, ["more_tests"]);
    assert_eq!(text.matches('\n').count(), 9, "line numbers are kept");
}

#[test]
fn circles_are_found_and_shown_with_their_files() {
    let mut graph = Graph::new();
    for (from, to, file) in [
        ("auth", "billing", "auth/mod.rs"),
        ("billing", "auth", "billing/routes.rs"),
        ("tickets", "auth", "tickets/routes.rs"),
        ("app", "tickets", "app/mod.rs"),
    ] {
        let site = Site {
            file: file.to_owned(),
            line: 1,
        };
        graph
            .entry(from.into())
            .or_default()
            .insert(to.into(), vec![site]);
    }
    let modules = ["app", "auth", "billing", "tickets"]
        .map(String::from)
        .into();
    let found = circles(&modules, &graph);
    assert_eq!(found, [vec!["auth".to_owned(), "billing".to_owned()]]);
    assert_eq!(
        describe(&graph, &found[0]),
        "circle {auth, billing}: auth -> billing (auth/mod.rs:1) -> auth (billing/routes.rs:1)"
    );
}
