//! Unguessable ids: session ids, link and activation tokens.

/// `N` random bytes from the OS's generator, as `2 * N` hex characters.
pub fn hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    // getrandom only fails on platforms without an entropy source; the
    // demo cannot run there anyway (tokio needs the same OS services).
    let _ = getrandom::getrandom(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
