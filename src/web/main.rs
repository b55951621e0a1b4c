//! rtmpscope-web: the browser app. The page (this binary, a Yew app) hands capture files to
//! rtmpscope-worker, which runs the analysis in a Web Worker; nothing leaves the browser.
//! Build both with `trunk build` (index.html and Trunk.toml at the repository root).

// The page and the worker each use their half of the shared protocol.
#[cfg(target_arch = "wasm32")]
#[allow(dead_code)]
mod shared;
#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
fn main() {
    ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "rtmpscope-web runs in the browser: build it with `trunk build` or run scripts/run.sh"
    );
    std::process::exit(2);
}
