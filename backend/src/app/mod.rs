//! The application assembled from the features: routes, middleware, the server and
//! the web app's files.

pub mod web;

#[cfg(test)]
mod tests;
