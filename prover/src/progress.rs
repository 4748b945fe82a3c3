//! Progress display shared by the CLI and the demo: a bar for counted work and a spinner
//! for a stage of unknown length; both hidden when output is for scripts (`--json`).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `len` steps labelled `stage` (hidden when `hidden`).
pub fn bar(stage: &str, len: u64, hidden: bool) -> ProgressBar {
    if hidden {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(stage.to_string());
    bar
}

/// A ticking spinner with `message` and the time elapsed (hidden when `hidden`).
pub fn spinner(message: &str, hidden: bool) -> ProgressBar {
    if hidden {
        return ProgressBar::hidden();
    }
    let s = ProgressBar::new_spinner();
    s.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("a valid template"),
    );
    s.set_message(message.to_string());
    s.enable_steady_tick(Duration::from_millis(200));
    s
}
