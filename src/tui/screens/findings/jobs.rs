//! The findings screen's load, as a job: every rule over the estate read whole once (the
//! reader `portcullis lint` uses), with the waivers of `portcullis-waivers.toml` in the current
//! directory when there is one. The catalog's FINDINGS column reads the same result.

use crate::governance::{Selection, waivers};
use crate::tui::command::Slot;
use crate::tui::data::FindingsView;
use crate::tui::jobs::{Deliver, Env, Job, To};

#[derive(Debug, Clone, PartialEq)]
pub struct LoadFindings;

/// The findings, or why they could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingsLoaded(pub Result<FindingsView, String>);

impl Job for LoadFindings {
    type Output = FindingsLoaded;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Feature("findings", String::new()))
    }

    async fn run(self, env: Env) -> FindingsLoaded {
        FindingsLoaded(read(env).await)
    }

    fn failed(&self, error: String) -> FindingsLoaded {
        FindingsLoaded(Err(error))
    }
}

impl Deliver for FindingsLoaded {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        sh.store.take_findings(request, self.0);
    }
}

async fn read(env: Env) -> Result<FindingsView, String> {
    let settings = env.settings.clone();
    let read = crate::estate::read(env.clients()?, &settings).await.map_err(|e| e.to_string())?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut warnings = vec![];
    let waivers = tokio::task::spawn_blocking(move || waivers::load(None, now))
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_else(|e| {
            warnings.push(e);
            vec![]
        });
    let (report, more) = crate::estate::lint(&read, &settings, &Selection::default(), &waivers, now);
    warnings.extend(more);
    let evaluated = read.apis.iter().map(|a| (a.region.clone(), a.id.clone())).collect();
    Ok(FindingsView { report, problems: read.problems, warnings, evaluated })
}
