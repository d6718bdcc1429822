//! Partners: the view, a change checked into its plan, the reviewed change carried out, and an
//! app client's secret read to be revealed or copied.

use super::Worker;
use crate::aws;
use crate::tui::command::{Change, PartnerOp, SecretUse};
use crate::tui::message::Message;

impl Worker {
    pub(super) async fn load_partners(&self, request: u64) -> Message {
        let result = match self.contexts().await {
            Ok(c) => crate::partners::run::load_view(c, &self.settings.partner_policy()).await,
            Err(e) => Err(e),
        };
        Message::PartnersLoaded { request, result }
    }

    pub(super) async fn plan_partner_change(&self, request: u64, op: PartnerOp) -> Message {
        let result = match self.contexts().await {
            Ok(c) => crate::partners::run::plan(c, &self.settings.partner_policy(), &op).await.map(Box::new),
            Err(e) => Err(e),
        };
        Message::PartnerPlanned { request, result }
    }

    /// The reviewed change, as it was reviewed.
    pub(super) async fn partner_change(&self, request: u64, change: Change) -> Message {
        let result = match self.contexts().await {
            Ok(c) => crate::partners::run::execute(c, &self.settings.partner_policy(), &change).await,
            Err(e) => Err(e),
        };
        Message::PartnerChanged { request, description: change.title(), result }
    }

    pub(super) async fn read_client_secret(&self, region: String, client_id: String, then: SecretUse) -> Message {
        let result = async {
            let ctx = self.region(self.contexts().await?, &region)?;
            let pool = self.settings.partner_pool.as_deref().ok_or("no partner user pool")?;
            let (_, secret) = aws::cognito::describe(&ctx, pool, &client_id).await.map_err(|e| e.to_string())?;
            secret.ok_or_else(|| format!("app client {client_id} has no secret"))
        }
        .await;
        Message::ClientSecretRead { client_id, then, result }
    }
}
