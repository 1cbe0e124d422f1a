//! A count of live heap allocations, for the leak tests only.
//!
//! Every Rust closure handed to the browser is a boxed allocation, so "the
//! number of live allocations is back where it started" is the strongest
//! check we have that no closure, listener state or string outlived its
//! flow. The `leak-count` feature wraps the allocator that ships to count
//! them; it changes nothing else, so the tests exercise the code that ships.

use std::alloc::{GlobalAlloc, Layout};

use rlsf::SmallGlobalTlsf;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Allocations made and not yet freed, across the whole module.
pub(crate) fn live_allocations() -> usize {
    LIVE.load(Relaxed)
}

struct Counting(SmallGlobalTlsf);

// SAFETY: forwards every call unchanged to a sound allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = self.0.alloc(layout);
        if !ptr.is_null() {
            LIVE.fetch_add(1, Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(1, Relaxed);
        self.0.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.0.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting(SmallGlobalTlsf::new());
