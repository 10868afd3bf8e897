//! Compile-error tests of `model!`: one case per message, each pointing at the offending token (trybuild; `TRYBUILD=overwrite cargo test --test ui` regenerates the `.stderr` files).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
