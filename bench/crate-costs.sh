#!/usr/bin/env bash
# What each dependency costs: builds the package as it is, then once per
# swap (a kept crate replaced by the hand-written alternative, or a crate
# we left out put in), in a scratch worktree of HEAD, and prints gzip -9 of
# entry + runtime + .wasm for each. The README's dependency table comes
# from this. About 6 minutes on 2 cores; run `make pkg` once first (it
# makes the MVP build used for the JavaScript build, see below).
#   bench/crate-costs.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="$root/target/crate-costs"
work=$(mktemp -d)
git -C "$root" worktree add -q --detach "$work" HEAD
trap 'git -C "$root" worktree remove --force "$work"' EXIT
ln -s "$root/node_modules" "$work/node_modules"
# scripts/build-pkg.mjs also makes the JavaScript build, from the MVP build
# of the crate: the shipped one serves, since only entry + runtime + .wasm
# are measured (rebuilding the standard library for each swap would take
# most of an hour).
mkdir -p "$work/target"
ln -s "$root/target/wasm-pack-mvp" "$work/target/wasm-pack-mvp"
cd "$work"
# The hand-written RAII listener, timer and executor this crate had before
# it went back to gloo and wasm-bindgen-futures.
before_kept_crates=9ebe496

size() {
  # A swap whose edits no longer match the code would measure the package
  # as shipped under another name.
  if [ "$1" != "as shipped" ] && git diff --quiet -- src Cargo.toml; then
    echo "$1: the swap changed nothing; update it for the current code"; return 0
  fi
  # The Makefile's path remapping, so "as shipped" is the package as shipped.
  if ! { RUSTFLAGS="$(make -s --no-print-directory -C "$root" rustflags)" \
    wasm-pack --log-level error build --release --target web --no-pack \
    --out-dir target/wasm-pack --out-name kombo_connect_wasm && node scripts/build-pkg.mjs; } >build.log 2>&1; then
    echo "$1: build failed"; tail -20 build.log; return 0
  fi
  local w r l
  w=$(gzip -9c pkg/kombo_connect_wasm_bg.wasm | wc -c)
  r=$(gzip -9c pkg/kombo_connect_runtime.js | wc -c)
  l=$(gzip -9c pkg/index.js | wc -c)
  printf '%-44s %6d  (entry %d, runtime %d, .wasm %d)\n' "$1" $((w + r + l)) "$l" "$r" "$w"
}
reset() { git checkout -q -- . && git clean -qfd src && rm -f build.log; }
old() { git show "$before_kept_crates:src/$1" | sed 's/^use alloc::/use std::/; s/^use core::/use std::/' > "src/$1"; }
# Replaces FILE's text from the first START up to (not including) the next
# END with standard input.
splice() {
  python3 -c 'import sys
path, start, end = sys.argv[1:4]
text = open(path).read()
i = text.index(start); j = text.index(end, i)
open(path, "w").write(text[:i] + sys.stdin.read() + text[j:])' "$@"
}
# Adds a dependency line to Cargo.toml.
dep() { sed -i "s/^console_error_panic_hook = \"0.1\"/&\n$1/" Cargo.toml; }

reset; size "as shipped"

reset; sed -i '/^#\[global_allocator\]/,+1d' src/lib.rs; size "allocator: std's dlmalloc instead of rlsf"

reset
sed -i 's/^rlsf = "0.2"/rlsf = "0.2"\ntalc = { version = "4", default-features = false, features = ["lock_api"] }/' Cargo.toml
sed -i 's/^static ALLOCATOR: rlsf::SmallGlobalTlsf = rlsf::SmallGlobalTlsf::new();/static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };/' src/lib.rs
size "allocator: talc instead of rlsf"

reset
sed -i 's/    console_error_panic_hook::hook(info);/    web_sys::console::error_1(\&info.to_string().into());/' src/panic.rs
sed -i 's/  "Window",/  "Window",\n  "console",/' Cargo.toml
size "panic hook: one line instead of the crate"

reset; old listener.rs; sed -i 's/^mod js;/mod js;\nmod listener;/' src/lib.rs
sed -i 's/use gloo_events::EventListener;/use crate::listener::Listener as EventListener;/' src/flow.rs src/glue.rs src/overlay.rs
size "gloo-events -> hand-written listener"

reset; old timer.rs; sed -i 's/^mod js;/mod js;\nmod timer;/' src/lib.rs
sed -i 's/use gloo_timers::callback::Timeout;/use crate::timer::Timeout;/' src/flow.rs src/glue.rs
size "gloo-timers -> hand-written timer"

reset; old task.rs; sed -i 's/^mod js;/mod js;\nmod task;/' src/lib.rs
sed -i 's/use wasm_bindgen_futures::future_to_promise;/use crate::task::spawn as future_to_promise;/' src/lib.rs
sed -i 's/use wasm_bindgen_futures::JsFuture;/use crate::task::Await as JsFuture;/' src/glue.rs
size "wasm-bindgen-futures -> hand-written task"

reset
sed -i '/^use futures_channel::oneshot;$/d; s/^use std::pin::Pin;$/&\nuse std::rc::Rc;\nuse std::cell::Cell;/; s/    done: oneshot::Sender<Outcome>,/    done: Sender,/' src/flow.rs
sed -i 's/    let (done, outcome) = oneshot::channel();/    let shared = Rc::new(Shared::default());\n    let (done, outcome) = (Sender(shared.clone()), shared);/' src/flow.rs
splice src/flow.rs "pub(crate) struct Flow(oneshot::Receiver" '/// Opens the flow for `showKomboConnect`.' <<'EOF'
pub(crate) struct Flow(Rc<Shared>);
#[derive(Default)]
struct Shared { outcome: Cell<Option<Outcome>>, waker: Cell<Option<std::task::Waker>>, dropped: Cell<bool> }
struct Sender(Rc<Shared>);
impl Drop for Sender { fn drop(&mut self) { self.0.dropped.set(true); if let Some(w) = self.0.waker.take() { w.wake() } } }
impl Sender { fn send(self, o: Outcome) -> Result<(), ()> { self.0.outcome.set(Some(o)); Ok(()) } }
impl Future for Flow {
    type Output = Outcome;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0.outcome.take() {
            Some(o) => Poll::Ready(o),
            None if self.0.dropped.get() => Poll::Ready(Err(Error::Internal)),
            None => { self.0.waker.set(Some(cx.waker().clone())); Poll::Pending }
        }
    }
}

EOF
size "futures-channel -> hand-written one-shot"

reset
dep 'gloo-render = "0.2"'
sed -i 's/let pending = AnimationFrame::new({/let pending = gloo_render::request_animation_frame({/; s/move || scroll.set(ScrollLock::new(\&document))/move |_| scroll.set(ScrollLock::new(\&document))/; s/_pending: AnimationFrame,/_pending: gloo_render::AnimationFrame,/' src/page.rs
size "frame handle -> gloo-render"

reset
dep 'gloo-net = { version = "0.6", default-features = false, features = ["http"] }'
splice src/glue.rs "    let init = RequestInit::new();" "    if !response.ok() {" <<'EOF'
    let request = gloo_net::http::RequestBuilder::new(url)
        .method(gloo_net::http::Method::POST)
        .headers(gloo_net::http::Headers::from_raw(headers))
        .credentials(options.credentials)
        .abort_signal(Some(&controller.signal()))
        .body(body.to_string())
        .map_err(|_| why_not())?;
    let response = request.send().await.map_err(|_| why_not())?;
    let text = response.text().await.map_err(|_| why_not())?;
EOF
size "requests through gloo-net"

reset
dep 'serde = { version = "1", features = ["derive"] }'
dep 'serde-wasm-bindgen = "0.6"'
splice src/lib.rs "        let done = glue::connect(start, options).await?;" "        Ok(result.into())" <<'EOF'
        let done = glue::connect(start, options).await?;
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Connected {
            activation_token: Option<String>,
            #[serde(with = "serde_wasm_bindgen::preserve")]
            activation: JsValue,
        }
        let serializer = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
        let result = serde::Serialize::serialize(
            &Connected {
                activation_token: done.activation_token,
                activation: done.activation,
            },
            &serializer,
        )
        .map_err(JsValue::from)?;
EOF
size "result object through serde-wasm-bindgen"
reset
