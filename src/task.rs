//! Running `connect()`'s async code and awaiting JS Promises in it.
//!
//! `wasm-bindgen-futures` does this for any number of tasks, threads and
//! the JS Promise Integration proposal; it cost this crate about 1.5 KB
//! gzip, and pulled `core::fmt` back in through its `RefCell`s. The crate
//! runs one kind of future, one at a time, woken only from Promise
//! callbacks, so a task here is one `Rc` whose waker polls it again.

use alloc::boxed::Box;
use alloc::rc::Rc;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

type Work = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;
/// `then`'s fulfilled and rejected callbacks.
type Callbacks = [Closure<dyn FnMut(JsValue)>; 2];

/// Runs `future` to completion and settles the returned Promise with it.
///
/// ```no_run
/// # use kombo_connect_wasm::task::{spawn, Await};
/// # fn demo(response: js_sys::Promise) -> js_sys::Promise {
/// spawn(async move { Await::from(response).await })
/// # }
/// ```
pub fn spawn(future: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let mut work: Option<Work> = Some(Box::pin(future));
    Promise::new(&mut |resolve, reject| {
        let task = Rc::new(Task {
            work: RefCell::new(work.take()),
            woken: Cell::new(false),
            resolve,
            reject,
        });
        task.run();
    })
}

struct Task {
    /// `None` once settled, which also drops the wakers the future holds
    /// (and so the `Rc` cycle through them).
    work: RefCell<Option<Work>>,
    /// Set by a wake that arrives while the task is being polled.
    woken: Cell<bool>,
    resolve: Function,
    reject: Function,
}

impl Task {
    fn run(self: &Rc<Self>) {
        let Ok(mut slot) = self.work.try_borrow_mut() else {
            self.woken.set(true);
            return;
        };
        // SAFETY: the vtable's functions treat the pointer as an
        // `Rc<Task>` and keep its strong count balanced.
        let waker = unsafe { Waker::from_raw(raw(Rc::into_raw(self.clone()))) };
        let mut cx = Context::from_waker(&waker);
        loop {
            self.woken.set(false);
            let Some(work) = slot.as_mut() else { return };
            if let Poll::Ready(outcome) = work.as_mut().poll(&mut cx) {
                *slot = None;
                drop(slot);
                let _ = match outcome {
                    Ok(value) => self.resolve.call1(&JsValue::UNDEFINED, &value),
                    Err(error) => self.reject.call1(&JsValue::UNDEFINED, &error),
                };
                return;
            }
            if !self.woken.get() {
                return;
            }
        }
    }
}

const VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, release);

fn raw(task: *const Task) -> RawWaker {
    RawWaker::new(task.cast(), &VTABLE)
}

unsafe fn clone(task: *const ()) -> RawWaker {
    Rc::increment_strong_count(task.cast::<Task>());
    raw(task.cast())
}

unsafe fn wake(task: *const ()) {
    Rc::from_raw(task.cast::<Task>()).run();
}

unsafe fn wake_by_ref(task: *const ()) {
    ManuallyDrop::new(Rc::from_raw(task.cast::<Task>())).run();
}

unsafe fn release(task: *const ()) {
    drop(Rc::from_raw(task.cast::<Task>()));
}

/// A JS Promise as a future: `Ok` with its value or `Err` with its reason.
pub struct Await {
    promise: Promise,
    state: Rc<Settled>,
    /// The two callbacks given to `then`; freed with this future, which is
    /// only dropped once the Promise has settled.
    callbacks: Option<Callbacks>,
}

#[derive(Default)]
struct Settled {
    outcome: Cell<Option<Result<JsValue, JsValue>>>,
    waker: Cell<Option<Waker>>,
}

impl From<Promise> for Await {
    fn from(promise: Promise) -> Await {
        Await {
            promise,
            state: Rc::default(),
            callbacks: None,
        }
    }
}

impl Future for Await {
    type Output = Result<JsValue, JsValue>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(outcome) = this.state.outcome.take() {
            return Poll::Ready(outcome);
        }
        this.state.waker.set(Some(cx.waker().clone()));
        if this.callbacks.is_none() {
            let callback = |ok: bool| {
                let state = this.state.clone();
                Closure::new(move |value| {
                    state
                        .outcome
                        .set(Some(if ok { Ok(value) } else { Err(value) }));
                    if let Some(waker) = state.waker.take() {
                        waker.wake();
                    }
                })
            };
            let callbacks = [callback(true), callback(false)];
            let _ = this.promise.then2(&callbacks[0], &callbacks[1]);
            this.callbacks = Some(callbacks);
        }
        Poll::Pending
    }
}
