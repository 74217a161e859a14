//! Attachments over real HTTP.
