//! Messages: commands in the imperative (LoadApis), results in the past tense (ApisLoaded).

use super::state::{ApiRef, DetailData};
use crate::docs::DocLine;
use crate::domain::Api;
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

    // ---- commands: the controller hands these to the worker ----
    LoadApis {
        request: u64,
    },
    LoadApiDetail {
        request: u64,
        api: Box<Api>,
    },
    LoadDocs {
        request: u64,
        api: Box<Api>,
        stage: String,
    },

    // ---- results ----
    ApisLoaded {
        request: u64,
        result: Result<Vec<Api>, String>,
        at: String,
    },
    ApiDetailLoaded {
        request: u64,
        api: ApiRef,
        result: Result<DetailData, String>,
    },
    DocsLoaded {
        request: u64,
        api: ApiRef,
        stage: String,
        result: Result<Vec<DocLine>, String>,
    },
    /// Something went partly wrong (e.g. one region failed); shown on the status line.
    Warning(String),
}

impl Message {
    /// Commands are executed by the worker, not by the controller.
    pub fn is_command(&self) -> bool {
        matches!(self, Message::LoadApis { .. } | Message::LoadApiDetail { .. } | Message::LoadDocs { .. })
    }
}
