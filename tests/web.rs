//! Browser tests of the shell: routing and rendering (headless Chromium).
#![cfg(target_arch = "wasm32")]

use linli::state::Route;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn parses_hashes() {
    assert_eq!(Route::parse(""), Route::Dashboard);
    assert_eq!(Route::parse("#/"), Route::Dashboard);
    assert_eq!(Route::parse("#/workspace"), Route::Workspace);
    assert_eq!(Route::parse("#workspace/"), Route::Workspace);
    assert_eq!(Route::parse("#/workshop?x=1"), Route::Workshop);
    assert_eq!(Route::parse("#/settings"), Route::Settings);
    assert_eq!(Route::parse("#/nope"), Route::NotFound);
    assert_eq!(Route::parse("#/register"), Route::Register);
    assert_eq!(Route::parse("#/register/new"), Route::HouseholdNew);
    assert_eq!(Route::parse("#/register/42"), Route::Household(42));
    assert_eq!(Route::parse("#/register/4x"), Route::NotFound);
    assert_eq!(Route::parse("#/needs"), Route::Needs);
    assert_eq!(Route::Needs.href(), "#/needs");
    assert_eq!(Route::parse(&Route::Household(7).href()), Route::Household(7));
    for r in Route::ALL {
        assert_eq!(Route::parse(&r.href()), r);
    }
}
