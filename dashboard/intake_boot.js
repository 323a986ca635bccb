// Resident intake (issue #18): the page (dashboard/src/lazy.rs) loads this right after
// intake_form.js, whose no-modules glue declares `wasm_bindgen` with `let`: a global
// binding every classic script sees, but not a property of `window`, which is all the
// page's Rust can reach. This hands it over.
self.linliIntakeForm = wasm_bindgen;
