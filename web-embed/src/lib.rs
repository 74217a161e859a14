//! The web app's built files, embedded in the binary (see `build.rs`).
//!
//! Each file comes with its precompressed variants when the build wrote them
//! (`name.gz`, `name.br` beside `name`) and a content hash for `ETag`.

/// One built file of the web app.
#[derive(Debug)]
pub struct Asset {
    /// The URL path, starting with `/` (`/index.html`, `/assets/index-3f2a.js`).
    pub path: &'static str,
    pub body: &'static [u8],
    pub gzip: Option<&'static [u8]>,
    pub brotli: Option<&'static [u8]>,
    /// A strong `ETag` (quoted) derived from the content.
    pub etag: &'static str,
}

/// Every embedded file, sorted by path. Empty when the web app was not built.
pub static ASSETS: &[Asset] = include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The embedded file at `path` (`/index.html`), if any.
pub fn get(path: &str) -> Option<&'static Asset> {
    ASSETS
        .binary_search_by(|a| a.path.cmp(path))
        .ok()
        .map(|i| &ASSETS[i])
}

/// Whether the web app was built into this binary.
pub fn built() -> bool {
    get("/index.html").is_some()
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(super::ASSETS.windows(2).all(|w| w[0].path < w[1].path));
    }
}
