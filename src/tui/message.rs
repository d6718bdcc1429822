//! Messages into the controller: input, ticks, a feature's job finished (`Done`, its typed
//! output for the feature that asked), timers and warnings. Commands are in `command.rs`.

use crossterm::event::{KeyEvent, MouseEvent};

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    // ---- input ----
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize,
    Tick,
    /// SIGTERM / SIGHUP: leave cleanly.
    Terminate,

    // ---- results ----
    /// A feature's job finished: its output goes to the feature (`Deliver`).
    Done {
        request: u64,
        output: super::jobs::Output,
    },
    /// Something went partly wrong (e.g. one region failed); shown on the status line.
    Warning(String),
}
