//! The published folder as one ZIP: the residents' bundle (fetched from `site/`, its
//! `index.html` with the first view written in) and the publication's files.

use linli_domain::snapshot::prepare::Publication;
use linli_domain::snapshot::publish::{self, site_files};

use crate::browser::now_millis;
use linli_dashboard::fetch_bytes;

/// Where the residents' bundle is, relative to the workspace.
pub(super) const SITE: &str = "site/";

/// The published folder of `p` as one ZIP.
pub(super) async fn folder_zip(p: &Publication) -> Result<Vec<u8>, String> {
    let html = fetch_bytes(&format!("{SITE}index.html")).await?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut names = site_files(&String::from_utf8_lossy(&html));
    let mut i = 0;
    while i < names.len() {
        let name = names[i].clone();
        i += 1;
        let bytes = if name == "index.html" {
            // With the first view (title, lead, headline figures) written in.
            publish::prerender_index(&String::from_utf8_lossy(&html), &p.content).into_bytes()
        } else {
            fetch_bytes(&format!("{SITE}{name}")).await?
        };
        if name == "sw.js" {
            // The intake worker's files (issue #18), which the page loads later.
            for a in publish::sw_assets(&String::from_utf8_lossy(&bytes)) {
                if !names.contains(&a) {
                    names.push(a);
                }
            }
        }
        files.push((name, bytes));
    }
    for f in &p.files {
        files.push((f.path.clone(), f.bytes.clone()));
    }
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let (t, d) = linli_domain::zipfile::dos_datetime(now_millis());
    linli_domain::zipfile::write(&refs, t, d).map_err(|e| e.to_string())
}
