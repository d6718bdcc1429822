//! Test hook for the crash-safety matrix (built with the `dev-tools` feature only):
//! `PORTCULLIS_KILL_AT=<step>:<phase>` makes the process kill itself with SIGKILL at that
//! point of an operation. Phases: `before` (intent written, AWS call not made), `sent` (the
//! call made and answered, its outcome not yet written), `after` (outcome written).

#[cfg(feature = "dev-tools")]
pub fn point(step: &str, phase: &str) {
    let Ok(at) = std::env::var("PORTCULLIS_KILL_AT") else { return };
    if at == format!("{step}:{phase}") {
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("kill").args(["-KILL", &pid]).status();
        // SIGKILL is not caught: nothing after this runs.
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

#[cfg(not(feature = "dev-tools"))]
pub fn point(_step: &str, _phase: &str) {}
