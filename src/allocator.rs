//! The global allocator for the browser build.
//!
//! std's default on `wasm32-unknown-unknown` is dlmalloc: about 7 KB of
//! `.wasm` (3 KB gzip, a fifth of the whole package) tuned for programs that
//! allocate heavily. This crate allocates a few strings and closures per
//! flow. `lol_alloc`'s free-list allocator keeps its list sorted and
//! coalesces neighbours on free, so memory freed by a closed flow is reused
//! by the next one and linear memory does not grow across open/close cycles
//! (the leak tests check this), at a fraction of the size. Measured with
//! `make pkg`: the `.wasm` went from 16,130 to 13,088 bytes gzip -9 when
//! this replaced dlmalloc.

// SAFETY: wasm32-unknown-unknown without the `atomics` target feature has a
// single thread; nothing can call the allocator concurrently.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
