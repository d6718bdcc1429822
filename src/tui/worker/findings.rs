//! `:findings`: every rule over the estate, read whole once.

use super::Worker;

impl Worker {
    /// Every rule over the estate, read whole once (the loaders `portcullis lint` uses), with
    /// the waivers of `portcullis-waivers.toml` in the current directory when there is one.
    pub(super) async fn findings(&self) -> Result<crate::tui::data::FindingsView, String> {
        use crate::estate as load;
        use crate::governance::{Selection, waivers};
        let contexts = self.contexts().await?;
        let read = load::read(contexts, &self.settings).await.map_err(|e| e.to_string())?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut warnings = vec![];
        let waivers = tokio::task::spawn_blocking(move || waivers::load(None, now))
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_else(|e| {
                warnings.push(e);
                vec![]
            });
        let (report, more) = load::lint(&read, &self.settings, &Selection::default(), &waivers, now);
        warnings.extend(more);
        let evaluated = read.apis.iter().map(|a| (a.region.clone(), a.id.clone())).collect();
        Ok(crate::tui::data::FindingsView { report, problems: read.problems, warnings, evaluated })
    }
}
