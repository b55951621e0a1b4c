//! The page's only I/O: fetching the bundled sample from its own origin, and saving exports.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Response, Url};

fn describe(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// Fetches `url` (relative to the page) as a Blob.
pub async fn fetch_blob(url: &str) -> Result<Blob, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(describe)?
        .dyn_into()
        .map_err(describe)?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let blob = JsFuture::from(response.blob().map_err(describe)?)
        .await
        .map_err(describe)?;
    blob.dyn_into().map_err(describe)
}

/// Offers `text` as a download named `file_name`, through a Blob URL (nothing leaves the page).
pub fn download_json(text: &str, file_name: &str) -> Result<(), String> {
    let parts = Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
    download_blob(&blob, file_name)
}

/// Offers `bytes` (an FLV file from the worker) as a download named `file_name`.
pub fn download_bytes(bytes: &Uint8Array, file_name: &str, mime: &str) -> Result<(), String> {
    let parts = Array::of1(bytes);
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        Blob::new_with_buffer_source_sequence_and_options(&parts, &options).map_err(describe)?;
    download_blob(&blob, file_name)
}

fn download_blob(blob: &Blob, file_name: &str) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(blob).map_err(describe)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "cannot create a link".to_string())?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    Url::revoke_object_url(&url).map_err(describe)?;
    Ok(())
}
