//! (uncertainty: not yet written.)
