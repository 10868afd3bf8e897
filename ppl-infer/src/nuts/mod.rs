//! (nuts: not yet written.)
