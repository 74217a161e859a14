//! Builds the web app (`../web`) with Vite into `OUT_DIR` and generates the table of
//! its files for `include_bytes!`.
//!
//! Kept in its own small crate so that a change under `web/` rebuilds this crate and
//! relinks the server, never recompiles the backend.
//!
//! - `TRELLIS_SKIP_WEB_BUILD=1`, or no `npm` on the `PATH`, or no `web/package.json`:
//!   nothing is built and the table is empty (the server then answers a "web app not
//!   built" page). A plain `cargo build` thus works on a machine without Node.js.
//! - `TRELLIS_WEB_DIST=<dir>`: embed an already built folder instead of building.
//! - Otherwise `npm ci` (when `node_modules` is missing or older than the lock file) and
//!   `vite build --outDir $OUT_DIR/web-dist`; a failing build fails the cargo build.
//!
//! Cargo reruns this script only when a file under the inputs below changes, so an
//! unchanged `web/` costs nothing.

use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

const INPUTS: &[&str] = &[
    "src",
    "public",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
    "tsconfig.app.json",
    "tsconfig.node.json",
];

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let web = manifest.join("../web");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    println!("cargo:rerun-if-env-changed=TRELLIS_SKIP_WEB_BUILD");
    println!("cargo:rerun-if-env-changed=TRELLIS_WEB_DIST");
    for input in INPUTS {
        println!("cargo:rerun-if-changed={}", web.join(input).display());
    }

    let dist = if let Some(dir) = env::var_os("TRELLIS_WEB_DIST") {
        let dir = PathBuf::from(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        Some(dir)
    } else if env::var_os("TRELLIS_SKIP_WEB_BUILD").is_some_and(|v| v != "0") {
        None
    } else if !web.join("package.json").exists() || !has_npm() {
        println!(
            "cargo:warning=web app not built (no npm on PATH or no web/package.json): \
             the server will answer a placeholder page"
        );
        None
    } else {
        Some(build(&web, &out.join("web-dist")))
    };

    let mut files = Vec::new();
    if let Some(dist) = &dist {
        collect(dist, dist, &mut files);
    }
    files.sort();
    let mut table = String::from("&[\n");
    for rel in &files {
        if rel.ends_with(".gz") || rel.ends_with(".br") {
            continue;
        }
        let path = dist.as_ref().expect("files come from dist").join(rel);
        let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut hasher);
        let sibling = |ext: &str| {
            let p = PathBuf::from(format!("{}.{ext}", path.display()));
            if p.exists() {
                format!("Some(include_bytes!({:?}))", p.display().to_string())
            } else {
                "None".to_owned()
            }
        };
        writeln!(
            table,
            "    Asset {{ path: {:?}, body: include_bytes!({:?}), gzip: {}, brotli: {}, etag: \"\\\"{:016x}\\\"\" }},",
            format!("/{rel}"),
            path.display().to_string(),
            sibling("gz"),
            sibling("br"),
            hasher.finish(),
        )
        .expect("write to String");
    }
    table.push(']');
    fs::write(out.join("assets.rs"), table).expect("write assets.rs");
}

fn has_npm() -> bool {
    Command::new("npm")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(cmd: &mut Command) {
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("could not run {cmd:?}: {e}"));
    assert!(status.success(), "{cmd:?} failed with {status}");
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn build(web: &Path, dist: &Path) -> PathBuf {
    let lock = web.join("package-lock.json");
    let stamp = web.join("node_modules/.package-lock.json");
    if modified(&stamp).is_none() || modified(&stamp) < modified(&lock) {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(web));
    }
    if dist.exists() {
        fs::remove_dir_all(dist).expect("clear the previous build");
    }
    run(Command::new("npm")
        .args([
            "exec",
            "--no",
            "--",
            "vite",
            "build",
            "--logLevel",
            "warn",
            "--outDir",
        ])
        .arg(dist)
        .arg("--emptyOutDir")
        .current_dir(web));
    dist.to_owned()
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(rel) = path.strip_prefix(root) {
            files.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}
