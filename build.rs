//! Generates the translation module from `locales/<lang>/<namespace>.json`
//! (leptos_i18n). One namespace per feature folder plus `common` for the shell
//! and shared components; a key is written `t!(i18n, <namespace>.<key>)`.
//! `scripts/check_locales.mjs` (run by the test command) fails when a key is
//! missing in either language.
use std::error::Error;
use std::path::PathBuf;

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

/// The catalogue's namespaces: `common` and one per feature folder of `src/pages/`.
const NAMESPACES: [&str; 14] = [
    "common",
    "workspace",
    "register",
    "household",
    "needs",
    "pb",
    "allocation",
    "participation",
    "requests",
    "dashboard",
    "workshop",
    "settings",
    "plans",
    "lock",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR")?).join("i18n");
    let cfg = Config::new("zh")?
        .add_locale("en")?
        .add_namespaces(NAMESPACES)?
        .parse_options(ParseOptions::default().interpolate_display(true));
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out)?;
    Ok(())
}
