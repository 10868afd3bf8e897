//! (output: not yet written.)
