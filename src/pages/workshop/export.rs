//! The session for the minutes: a CSV table and a PNG of the plan with the counts.

use std::collections::HashMap;

use leptos::prelude::*;
use linli_domain::workshop::{session_csv, CsvNames, Spot};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::save::js_error_text;
use super::state::{ctx_of, Msg, Ws};
use crate::browser::{download, local_minute, now_millis};
use crate::charts::workshop_plan as draw;
use crate::components::labels::is_zh;
use crate::i18n::*;

/// Offers a `data:` URL as a download.
fn download_url(url: &str, filename: &str) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(url);
    a.set_download(filename);
    a.click();
    Ok(())
}

fn file_stamp() -> String {
    local_minute(now_millis()).replace([' ', ':'], "-")
}

/// Height of a line of the PNG's counts (px).
const LINE: f64 = 40.0;

impl Ws {
    /// Downloads the session as CSV (`linli_domain::workshop::session_csv`).
    pub fn export_csv(self) {
        let i18n = self.i18n;
        let zh = is_zh(i18n);
        let names: Vec<String> = (0..self.data.with_value(|d| d.categories.len()))
            .map(|i| self.cat_name(i))
            .collect();
        let buildings: HashMap<u32, String> = self
            .plan
            .with_value(|p| p.buildings().iter().map(|b| (b.id, b.name.clone())).collect());
        let proposals: HashMap<u32, String> = self
            .data
            .with_value(|d| d.proposals.iter().map(|p| (p.id, p.title.clone())).collect());
        let csv = self.session.with_value(|s| {
            session_csv(
                s,
                &CsvNames {
                    zh,
                    categories: &names,
                    buildings: &buildings,
                    proposals: &proposals,
                },
            )
        });
        match download(
            &csv,
            &format!("workshop-{}.csv", file_stamp()),
            "text/csv;charset=utf-8",
        ) {
            Ok(()) => self.say(Msg::Info(t_string!(i18n, workshop.csv_exported).to_string())),
            Err(e) => self.say(Msg::Error(js_error_text(&e))),
        }
    }

    /// Downloads the plan (image, heat, dots, buildings) with the counts beside it
    /// as a PNG.
    pub fn export_png(self) {
        let i18n = self.i18n;
        match self.draw_png() {
            Ok(()) => self.say(Msg::Info(t_string!(i18n, workshop.png_exported).to_string())),
            Err(e) => self.say(Msg::Error(
                t_string!(i18n, workshop.png_failed, error = js_error_text(&e)).to_string(),
            )),
        }
    }

    fn draw_png(self) -> Result<(), JsValue> {
        let i18n = self.i18n;
        let doc = web_sys::window()
            .and_then(|w| w.document())
            .ok_or("no document")?;
        let canvas: HtmlCanvasElement = doc.create_element("canvas")?.unchecked_into();
        let px = self.cell_px.get_untracked();
        let px = draw::CellSize {
            w: px.w.max(80.0),
            h: px.h.max(80.0),
        };
        let (cols, rows) = self.extent.get_untracked();
        let (pw, ph) = (f64::from(cols) * px.w, f64::from(rows) * px.h);
        let ncat = self.data.with_value(|d| d.categories.len());
        let nprop = self.data.with_value(|d| d.proposals.len());
        let side = 760.0;
        let w = pw + side + 60.0;
        let h = ph.max(LINE * (ncat + nprop + 6) as f64) + 120.0;
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
        let ctx = ctx_of(&canvas).ok_or("no 2d context")?;
        ctx.set_fill_style_str("#111111");
        ctx.fill_rect(0.0, 0.0, w, h);
        ctx.set_fill_style_str("#ffffff");
        ctx.set_font("bold 36px sans-serif");
        ctx.set_text_baseline("top");
        let title = format!(
            "{} · {}",
            t_string!(i18n, workshop.title),
            local_minute(now_millis())
        );
        ctx.fill_text(&title, 20.0, 20.0)?;
        ctx.translate(20.0, 90.0)?;
        if let Some(img) = self.image_ref.get_untracked() {
            if self.image.get_untracked().is_some() && img.complete() && img.natural_width() > 0 {
                ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, pw, ph)?;
            }
        }
        ctx.set_stroke_style_str("#555555");
        ctx.set_line_width(1.0);
        ctx.stroke_rect(0.0, 0.0, pw, ph);
        self.plan.with_value(|p| {
            self.session.with_value(|s| {
                draw::draw_heat(&ctx, p, s, px, 0.0, 0.0);
                draw::dot_pen(&ctx);
                let mut k: HashMap<Spot, u32> = HashMap::new();
                for d in s.dots() {
                    let n = k.entry(d.spot).or_insert(0);
                    draw::draw_dot(&ctx, p, d, *n, px);
                    *n += 1;
                }
                draw::draw_buildings(&ctx, p, s, px, 28.0);
            })
        });
        ctx.translate(pw + 40.0, 0.0)?;
        self.draw_png_counts(&ctx)?;
        let url = canvas.to_data_url_with_type("image/png")?;
        download_url(&url, &format!("workshop-{}.png", file_stamp()))
    }

    /// The counts beside the plan: needs dots by category, then the voting bars.
    fn draw_png_counts(self, ctx: &CanvasRenderingContext2d) -> Result<(), JsValue> {
        let i18n = self.i18n;
        ctx.set_font("bold 30px sans-serif");
        ctx.set_text_baseline("middle");
        let mut y = LINE / 2.0;
        ctx.set_fill_style_str("#ffffff");
        ctx.fill_text(t_string!(i18n, workshop.png_needs_by_category), 0.0, y)?;
        y += LINE;
        let counts = self.session.with_value(|s| s.by_category().to_vec());
        ctx.set_font("28px sans-serif");
        for (i, n) in counts.iter().enumerate() {
            ctx.set_fill_style_str(draw::colour(i));
            ctx.set_stroke_style_str("#000000");
            let pts = draw::marker_points(i, 14.0, y, 12.0);
            ctx.begin_path();
            if pts.is_empty() {
                ctx.arc(14.0, y, 11.0, 0.0, std::f64::consts::TAU)?;
            } else {
                ctx.move_to(pts[0].0, pts[0].1);
                for p in &pts[1..] {
                    ctx.line_to(p.0, p.1);
                }
                ctx.close_path();
            }
            ctx.fill();
            ctx.stroke();
            ctx.set_fill_style_str("#ffffff");
            ctx.fill_text(&format!("{} {}  {n}", i + 1, self.cat_name(i)), 40.0, y)?;
            y += LINE;
        }
        y += LINE / 2.0;
        ctx.set_font("bold 30px sans-serif");
        ctx.fill_text(t_string!(i18n, workshop.dot_voting), 0.0, y)?;
        y += LINE;
        ctx.set_font("28px sans-serif");
        let votes = self.session.with_value(|s| s.by_proposal().to_vec());
        let top = votes.iter().copied().max().unwrap_or(0).max(1);
        let titles = self
            .data
            .with_value(|d| d.proposals.iter().map(|p| p.title.clone()).collect::<Vec<_>>());
        for (p, n) in titles.iter().zip(&votes) {
            ctx.set_fill_style_str("#56B4E9");
            ctx.fill_rect(0.0, y - 14.0, 200.0 * f64::from(*n) / f64::from(top), 28.0);
            ctx.set_fill_style_str("#ffffff");
            ctx.fill_text(&format!("{n}  {p}"), 210.0, y)?;
            y += LINE;
        }
        Ok(())
    }
}
