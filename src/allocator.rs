//! The global allocator for the browser build, and a count of live
//! allocations that the leak tests read.
//!
//! std's default on `wasm32-unknown-unknown` is dlmalloc: about 7 KB of
//! `.wasm` (3 KB gzip, a fifth of the whole package) tuned for programs that
//! allocate heavily. This crate allocates a few strings and closures per
//! flow. `lol_alloc`'s free-list allocator keeps its list sorted and
//! coalesces neighbours on free, so memory freed by a closed flow is reused
//! by the next one and linear memory does not grow across open/close cycles,
//! at a fraction of the size. Measured with `make pkg`: the `.wasm` went
//! from 16,130 to 13,088 bytes gzip -9 when this replaced dlmalloc.
//!
//! Every Rust closure handed to the browser is a boxed allocation, so
//! "the number of live allocations is back where it started" is the
//! strongest check we have that no closure, listener state or string
//! outlived its flow. With the `leak-count` feature (on in the crate's own
//! tests, off in the package) the allocator counts them.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Allocations made and not yet freed, across the whole module.
#[cfg(feature = "leak-count")]
pub fn live_allocations() -> usize {
    LIVE.load(Relaxed)
}

/// Wraps an allocator to count live allocations.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Counting<A>(A);

// SAFETY: forwards every call unchanged to a sound allocator.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = self.0.alloc(layout);
        if cfg!(feature = "leak-count") && !ptr.is_null() {
            LIVE.fetch_add(1, Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if cfg!(feature = "leak-count") {
            LIVE.fetch_sub(1, Relaxed);
        }
        self.0.dealloc(ptr, layout)
    }
}

// SAFETY: wasm32-unknown-unknown without the `atomics` target feature has a
// single thread; nothing can call the allocator concurrently.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: Counting<lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator>> =
    Counting(unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) });
