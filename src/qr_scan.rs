//! Reading a resident's QR code from a photo or screenshot (issue #18): the browser
//! decodes the PNG or JPEG (`createImageBitmap`, a canvas), `rqrr` finds and reads the
//! code in its grey levels in the QR worker (`src/bin/qr_worker.rs`, loaded only when a
//! picture is uploaded: rqrr added 77 KiB brotli to the first load when it ran on the
//! page). No image crate: the browser's own decoders do that part. The text read goes
//! through the same `intake::open` as pasted text.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Largest picture side read, in pixels: a bigger photo is scaled down first (a QR code
/// of a payload needs far less, and the grey image stays small).
const MAX_SIDE: f64 = 1_600.0;

/// Why no text was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanError {
    /// The browser could not decode the file as a picture.
    NotAnImage,
    /// A picture, but no readable QR code in it.
    NoCode,
}

fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(target, &JsValue::from_str(name))?.dyn_into()?;
    f.apply(target, &args.iter().collect::<js_sys::Array>())
}

fn num(target: &JsValue, name: &str) -> f64 {
    js_sys::Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

/// The picture's pixels as grey levels (width, height, one byte per pixel).
async fn grey(file: &web_sys::File) -> Result<(usize, usize, Vec<u8>), JsValue> {
    let window: JsValue = web_sys::window().ok_or(JsValue::NULL)?.into();
    let bitmap = JsFuture::from(js_sys::Promise::from(call(
        &window,
        "createImageBitmap",
        &[file.into()],
    )?))
    .await?;
    let (w0, h0) = (num(&bitmap, "width"), num(&bitmap, "height"));
    let scale = (MAX_SIDE / w0.max(h0)).min(1.0);
    let (w, h) = ((w0 * scale).round().max(1.0), (h0 * scale).round().max(1.0));
    let canvas: web_sys::HtmlCanvasElement = leptos::prelude::document()
        .create_element("canvas")?
        .unchecked_into();
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    let ctx = canvas.get_context("2d")?.ok_or(JsValue::NULL)?;
    // White under a transparent picture (a screenshot of an SVG).
    js_sys::Reflect::set(&ctx, &JsValue::from_str("fillStyle"), &JsValue::from_str("#fff"))?;
    call(&ctx, "fillRect", &[0.into(), 0.into(), w.into(), h.into()])?;
    call(
        &ctx,
        "drawImage",
        &[bitmap.clone(), 0.into(), 0.into(), w.into(), h.into()],
    )?;
    let _ = call(&bitmap, "close", &[]);
    let data = call(&ctx, "getImageData", &[0.into(), 0.into(), w.into(), h.into()])?;
    let rgba =
        js_sys::Uint8ClampedArray::from(js_sys::Reflect::get(&data, &JsValue::from_str("data"))?).to_vec();
    let grey = rgba
        .chunks_exact(4)
        .map(|p| ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8)
        .collect();
    Ok((w as usize, h as usize, grey))
}

/// The text of the first readable QR code in `grey` (`w` × `h` grey levels).
pub fn read_grey(w: usize, h: usize, grey: &[u8]) -> Result<String, ScanError> {
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| grey[y * w + x]);
    img.detect_grids()
        .into_iter()
        .find_map(|g| g.decode().ok().map(|(_, text)| text))
        .ok_or(ScanError::NoCode)
}

/// The worker's loader script, written by Trunk next to `index.html`.
pub const LOADER: &str = "./qr_worker_loader.js";

type Settle = Rc<RefCell<Option<(js_sys::Function, js_sys::Function)>>>;

/// [`read_grey`] in a new QR worker: the text, or `None`.
async fn in_worker(w: usize, h: usize, grey: &[u8]) -> Result<Option<String>, JsValue> {
    let worker = web_sys::Worker::new(LOADER)?;
    let msg = js_sys::Array::of3(
        &(w as f64).into(),
        &(h as f64).into(),
        &js_sys::Uint8Array::from(grey),
    );
    let settle: Settle = Rc::default();
    let s = settle.clone();
    let done = js_sys::Promise::new(&mut |resolve, reject| *s.borrow_mut() = Some((resolve, reject)));
    let (s, w2) = (settle.clone(), worker.clone());
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        let d = e.data();
        if d.as_string().as_deref() == Some("ready") {
            let _ = w2.post_message(&msg);
        } else if let Some((resolve, _)) = s.borrow_mut().take() {
            let _ = resolve.call1(&JsValue::NULL, &d);
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let s = settle;
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        if let Some((_, reject)) = s.borrow_mut().take() {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&e.message()));
        }
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let r = JsFuture::from(done).await;
    worker.terminate();
    // The worker is gone: its handlers may go too.
    drop((on_message, on_error));
    Ok(r?.as_string())
}

/// Reads the QR code of a PNG or JPEG file.
///
/// # Errors
///
/// [`ScanError::NotAnImage`] when the browser cannot decode it, [`ScanError::NoCode`]
/// when no code could be read (or the worker could not start).
pub async fn read_file(file: &web_sys::File) -> Result<String, ScanError> {
    let (w, h, g) = grey(file).await.map_err(|_| ScanError::NotAnImage)?;
    in_worker(w, h, &g).await.ok().flatten().ok_or(ScanError::NoCode)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as a QR code, 3 px a module with a 4-module margin, in grey levels.
    fn drawn(text: &str) -> (usize, Vec<u8>) {
        let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::L).unwrap();
        let n = code.width();
        let colors = code.to_colors();
        let side = (n + 8) * 3;
        let mut g = vec![255u8; side * side];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / 3).wrapping_sub(4), (y / 3).wrapping_sub(4));
                if mx < n && my < n && colors[my * n + mx] == qrcode::Color::Dark {
                    g[y * side + x] = 0;
                }
            }
        }
        (side, g)
    }

    #[test]
    fn a_drawn_payload_reads_back() {
        let text = format!(
            "-----BEGIN AGE ENCRYPTED FILE-----\n{}\n-----END AGE ENCRYPTED FILE-----\n",
            "YWdl".repeat(150)
        );
        let (side, g) = drawn(&text);
        assert_eq!(read_grey(side, side, &g), Ok(text));
        // No code in a blank picture.
        assert_eq!(
            read_grey(side, side, &vec![255; side * side]),
            Err(ScanError::NoCode)
        );
    }
}
