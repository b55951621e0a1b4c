//! rtmpscope-worker: the Web Worker that analyses captures for the web app (see src/web/main.rs).

// The page and the worker each use their half of the shared protocol.
#[cfg(target_arch = "wasm32")]
#[allow(dead_code)]
mod shared;
#[cfg(target_arch = "wasm32")]
mod worker;

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("rtmpscope-worker runs in the browser: build the web app with `trunk build`");
    std::process::exit(2);
}
