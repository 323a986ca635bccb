//! Saving: the plan's layout, the session (needs tally and ballots) and the plan
//! image, each in one transaction through `crate::db::workshop`; "saved" is said
//! only after it completed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::workshop::saved::{upsert, SavedSession};
use linli_domain::workshop::{MAX_PLAN_IMAGE_BYTES, PLAN_IMAGE_TYPES};
use wasm_bindgen::{JsCast, JsValue};

use super::state::{Msg, Ws};
use crate::browser::now_millis;
use crate::db::DbError;
use crate::i18n::*;

/// A browser error in words: its text, `Name: message`, or the exception's name.
pub(super) fn js_error_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| format!("{}: {}", e.name(), e.message()))
        })
        .or_else(|| e.dyn_ref::<web_sys::DomException>().map(|e| e.name()))
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Reads a file as a `data:` URL.
async fn read_data_url(file: web_sys::File) -> Result<String, JsValue> {
    let reader = web_sys::FileReader::new()?;
    let r2 = reader.clone();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let r3 = r2.clone();
        let ok = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &r3.result().unwrap_or(JsValue::NULL));
        });
        let r4 = r2.clone();
        let bad = wasm_bindgen::closure::Closure::once_into_js(move || {
            let name = r4.error().map_or_else(|| "Error".to_owned(), |e| e.name());
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&name));
        });
        r2.set_onload(Some(ok.unchecked_ref()));
        r2.set_onerror(Some(bad.unchecked_ref()));
    });
    reader.read_as_data_url(&file)?;
    let v = wasm_bindgen_futures::JsFuture::from(promise).await?;
    v.as_string().ok_or_else(|| JsValue::from_str("not text"))
}

impl Ws {
    /// Saves the moved buildings (nothing when the layout did not change).
    pub fn save_layout(self) {
        if self.refuse_read_only() {
            return;
        }
        let (i18n, storage) = (self.i18n, self.storage);
        let changed = self
            .plan
            .with_value(|p| self.stored_buildings.with_value(|b| p.changed(b)));
        if changed.is_empty() {
            return self.say(Msg::Info(t_string!(i18n, workshop.layout_unchanged).to_string()));
        }
        let actor = self.guide.actor();
        spawn_local(async move {
            let r = match storage.db() {
                Some(db) => db.save_workshop_layout(&changed, actor, now_millis()).await,
                None => Err(DbError::Unavailable),
            };
            match r {
                Ok(()) => {
                    self.stored_buildings.update_value(|v| {
                        for b in v.iter_mut() {
                            if let Some(c) = changed.iter().find(|c| c.id == b.id) {
                                *b = c.clone();
                            }
                        }
                    });
                    storage.changed();
                    self.say(Msg::Info(
                        t_string!(i18n, workshop.layout_saved, n = changed.len()).to_string(),
                    ));
                }
                Err(e) => self.say(Msg::Error(
                    t_string!(i18n, workshop.layout_failed, error = e).to_string(),
                )),
            }
        });
    }

    /// Saves the session: the whole session (listed, can be reopened), its needs
    /// tally and its ballots (replacing an earlier save of the same session), by
    /// the acting guide; "saved" only after the transaction completed.
    pub fn save(self) {
        if self.refuse_read_only() {
            return;
        }
        let (i18n, storage) = (self.i18n, self.storage);
        if self.saving.get_untracked() {
            return;
        }
        let period = self.data.with_value(|d| d.period.clone());
        let (n_dots, has_votes) = self
            .session
            .with_value(|s| (s.dots().len(), !s.votes().is_empty()));
        if n_dots == 0 && !has_votes {
            return self.say(Msg::Error(t_string!(i18n, workshop.nothing_to_save).to_string()));
        }
        let period = period.unwrap_or_default();
        let snapshot = self.session.get_value();
        let rev = self.rev.get_untracked();
        let actor = self.guide.actor();
        let at = now_millis();
        self.saving.set(true);
        spawn_local(async move {
            let r = match storage.db() {
                Some(db) => {
                    db.save_workshop_session(&snapshot, &period, actor.clone(), at)
                        .await
                }
                None => Err(DbError::Unavailable),
            };
            self.saving.set(false);
            match r {
                Ok(saved) => {
                    self.draft_saved(rev);
                    self.saved_rev.set_value(Some(rev));
                    let whole = SavedSession::new(&snapshot, Some(period), actor, at);
                    self.saved.update(|v| *v = upsert(std::mem::take(v), whole));
                    storage.changed();
                    self.say(Msg::Info(
                        t_string!(i18n, workshop.saved, dots = n_dots, ballots = saved.ballots).to_string(),
                    ));
                }
                Err(e) => self.say(Msg::Error(
                    t_string!(i18n, workshop.save_failed, error = e).to_string(),
                )),
            }
        });
    }

    /// Checks and stores an uploaded plan image (PNG, JPEG or SVG, shown as an
    /// image only, at most [`MAX_PLAN_IMAGE_BYTES`]).
    pub fn upload_image(self, ev: leptos::ev::Event) {
        if self.refuse_read_only() {
            return;
        }
        let (i18n, storage) = (self.i18n, self.storage);
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let kind = file.type_();
        if !PLAN_IMAGE_TYPES.contains(&kind.as_str()) {
            return self.say(Msg::Error(t_string!(i18n, workshop.image_types).to_string()));
        }
        if file.size() > MAX_PLAN_IMAGE_BYTES as f64 {
            let size = format!("{:.1}", file.size() / 1_048_576.0);
            let max = MAX_PLAN_IMAGE_BYTES / 1_048_576;
            return self.say(Msg::Error(
                t_string!(i18n, workshop.image_too_large, size = size, max = max).to_string(),
            ));
        }
        spawn_local(async move {
            let url = match read_data_url(file).await {
                Ok(u) if u.starts_with(&format!("data:{kind};base64,")) => u,
                Ok(_) => return self.say(Msg::Error(t_string!(i18n, workshop.image_unreadable).to_string())),
                Err(e) => return self.say(Msg::Error(js_error_text(&e))),
            };
            let r = match storage.db() {
                Some(db) => {
                    db.set_workshop_plan_image(&url, self.guide.actor(), now_millis())
                        .await
                }
                None => Err(DbError::Unavailable),
            };
            match r {
                Ok(()) => {
                    self.image.set(Some(url));
                    self.say(Msg::Info(t_string!(i18n, workshop.image_saved).to_string()));
                }
                Err(e) => self.say(Msg::Error(
                    t_string!(i18n, workshop.image_failed, error = e).to_string(),
                )),
            }
        });
    }

    /// Removes the plan image.
    pub fn remove_image(self) {
        if self.refuse_read_only() {
            return;
        }
        let (i18n, storage) = (self.i18n, self.storage);
        spawn_local(async move {
            let r = match storage.db() {
                Some(db) => {
                    db.remove_workshop_plan_image(self.guide.actor(), now_millis())
                        .await
                }
                None => Err(DbError::Unavailable),
            };
            match r {
                Ok(()) => {
                    self.image.set(None);
                    self.say(Msg::Info(t_string!(i18n, workshop.image_removed).to_string()));
                }
                Err(e) => self.say(Msg::Error(crate::components::db_error::plain(i18n, &e))),
            }
        });
    }
}
