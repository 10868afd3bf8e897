//! (advi: not yet written.)
