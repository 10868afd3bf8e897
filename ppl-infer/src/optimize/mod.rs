//! (optimize: not yet written.)
