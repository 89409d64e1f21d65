//! Gray's test (placeholder).
