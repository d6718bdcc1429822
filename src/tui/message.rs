//! Messages: commands in the imperative (LoadApis), results in the past tense (ApisLoaded).

use super::state::{ApiRef, DetailData};
use crate::cache::{CacheFile, CacheKey};
use crate::domain::{
    Api, ApiKey, AuditQuery, CreatedKey, Cursor, Feed, LookupPage, Mutation, Secret, Trail, Usage, UsagePlan,
};
use crate::openapi::DocLine;
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
    LoadPlans {
        request: u64,
    },
    LoadKeys {
        request: u64,
    },
    LoadUsage {
        request: u64,
        plan: String,
        region: String,
    },
    Mutate {
        request: u64,
        mutation: Mutation,
        region: String,
    },
    /// Open an audit query: plan its cursors and read the cache (LookupEvents), or read the
    /// trail's log files (S3).
    OpenAudit {
        request: u64,
        query: Box<AuditQuery>,
        source: String,
    },
    /// One more page for every cursor that has more.
    LoadAuditPage {
        request: u64,
        cursors: Vec<Cursor>,
    },
    /// Write the audit cache (no result comes back).
    SaveAuditCache {
        files: Vec<(CacheKey, CacheFile)>,
    },
    LoadTrails {
        request: u64,
    },
    /// Write to the clipboard with OSC 52 (done by the loop: it owns the terminal).
    Clipboard(Secret),
    /// Send `message` back after `millis` (reveal and clipboard timeouts).
    After {
        millis: u64,
        message: Box<Message>,
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
    PlansLoaded {
        request: u64,
        result: Result<Vec<UsagePlan>, String>,
    },
    KeysLoaded {
        request: u64,
        result: Result<Vec<ApiKey>, String>,
    },
    UsageLoaded {
        request: u64,
        plan: String,
        result: Result<Usage, String>,
    },
    Mutated {
        request: u64,
        description: String,
        result: Result<Option<CreatedKey>, String>,
    },
    AuditOpened {
        request: u64,
        result: Result<Feed, String>,
        /// Trail log files that could not be read (S3), as `key: problem`.
        problems: Vec<String>,
    },
    AuditPageLoaded {
        request: u64,
        pages: Vec<(usize, Result<LookupPage, String>)>,
    },
    TrailsLoaded {
        request: u64,
        result: Result<Vec<Trail>, String>,
    },
    HideValue {
        key: String,
        generation: u64,
    },
    ClearClipboard {
        generation: u64,
    },
    /// Something went partly wrong (e.g. one region failed); shown on the status line.
    Warning(String),
}

impl Message {
    /// Commands are executed by the worker, not by the controller.
    pub fn is_command(&self) -> bool {
        matches!(
            self,
            Message::LoadApis { .. }
                | Message::LoadApiDetail { .. }
                | Message::LoadDocs { .. }
                | Message::LoadPlans { .. }
                | Message::LoadKeys { .. }
                | Message::LoadUsage { .. }
                | Message::Mutate { .. }
                | Message::OpenAudit { .. }
                | Message::LoadAuditPage { .. }
                | Message::SaveAuditCache { .. }
                | Message::LoadTrails { .. }
                | Message::Clipboard(_)
                | Message::After { .. }
        )
    }
}
