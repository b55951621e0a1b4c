//! The page's side of the analysis worker: spawns it, queues requests until its wasm runs, and
//! turns its messages into [`Event`]s. Dropping the bridge terminates the worker, which is also
//! how an analysis is cancelled (the worker reads synchronously and cannot be interrupted).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use crate::shared::protocol::{Event, Request};

/// Where Trunk puts the worker's loader script (see index.html).
pub const WORKER_URL: &str = "./rtmpscope-worker_loader.js";

struct Queue {
    ready: bool,
    waiting: Vec<JsValue>,
}

pub struct Bridge {
    worker: Worker,
    queue: Rc<RefCell<Queue>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Bridge {
    /// Starts the worker at `url`; `on_event` receives everything it says (after `Ready`, which
    /// the bridge handles itself but also passes on).
    pub fn spawn(url: &str, on_event: impl Fn(Event) + 'static) -> Result<Bridge, String> {
        let worker =
            Worker::new(url).map_err(|e| format!("cannot start the analysis worker: {e:?}"))?;
        let queue = Rc::new(RefCell::new(Queue {
            ready: false,
            waiting: Vec::new(),
        }));
        let on_event = Rc::new(on_event);

        let message_queue = queue.clone();
        let message_worker = worker.clone();
        let message_event = on_event.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(event) = Event::from_js(&event.data()) else {
                return;
            };
            if event == Event::Ready {
                let waiting = {
                    let mut queue = message_queue.borrow_mut();
                    queue.ready = true;
                    std::mem::take(&mut queue.waiting)
                };
                for request in waiting {
                    let _ = message_worker.post_message(&request);
                }
            }
            message_event(event);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));

        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            let detail = event.message();
            on_event(Event::Failed {
                message: if detail.is_empty() {
                    "the analysis worker stopped (out of memory?)".to_string()
                } else {
                    format!("the analysis worker stopped: {detail}")
                },
            });
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));

        Ok(Bridge {
            worker,
            queue,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends a request now, or once the worker is ready.
    pub fn send(&self, request: &Request) {
        let value = request.to_js();
        let mut queue = self.queue.borrow_mut();
        if queue.ready {
            drop(queue);
            if let Err(e) = self.worker.post_message(&value) {
                web_sys::console::error_2(&"cannot post to the analysis worker".into(), &e);
            }
        } else {
            queue.waiting.push(value);
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
