//! `linli`: command-line tools over the domain crate. Work in progress.
fn main() {
    eprintln!("linli: no commands yet");
    std::process::exit(2);
}
