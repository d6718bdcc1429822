//! The partner changes' forms in the TUI: onboarding (partner id, plans, scopes, where the
//! credentials go) and a rotation (after the grace or at once, where the new credential goes),
//! then the review with the AWS CLI equivalent, then the change; the credentials are shown
//! once (or only where they went).

use super::{Nav, Shared};
use crate::domain::check_partner_id;
use crate::partners::Destination;
use crate::tui::command::PartnerOp;
use crate::tui::dialogs::{Dialog, Field, Form, FormKind};

const DESTINATIONS: [&str; 3] = ["shown here once", "a new file (0600)", "a Secrets Manager secret"];

/// The onboarding form, with the plans and scopes to choose from as notes.
pub fn onboard_form(region: String, plans: &[(String, String)], scopes: &[String]) -> Form {
    let plan_note = plans.iter().map(|(id, name)| format!("{name} ({id})")).collect::<Vec<_>>().join(", ");
    Form {
        kind: FormKind::Onboard { region },
        fields: vec![
            Form::text("partner id", ""),
            Form::text("plan ids", ""),
            Form::text("scopes", &scopes.first().cloned().unwrap_or_default()),
            Field::Choice { label: "credentials", choices: DESTINATIONS.to_vec(), chosen: 0 },
            Form::text("file / secret", ""),
        ],
        focus: 0,
        error: None,
        label_width: 13,
        notes: vec![
            format!("plans: {}", if plan_note.is_empty() { "(none loaded)".into() } else { plan_note }),
            format!("scopes: {}", if scopes.is_empty() { "(the pool has none)".into() } else { scopes.join(" ") }),
            "partner id: lowercase letters, digits and -; plan ids and scopes comma- or space-separated".into(),
        ],
        toggles: " where the credentials go",
        submit: "reviews",
    }
}

/// The form opened from `:partners` (`n`): needs the partner pool.
pub(super) fn open(sh: &mut Shared) -> Result<Form, String> {
    let view = sh.store.partners.loaded().ok_or("the partners are still loading")?;
    let pool = view.pool.as_ref().ok_or("no partner user pool: set partner_pool in the config (or --user-pool)")?;
    let (region, account) = (view.region.clone(), view.account.clone());
    // The plans of the place the onboarding goes to (its region, in the credentials' own account).
    let here = |p: &&crate::domain::UsagePlan| p.region == region && p.account.id == account;
    let plans: Vec<(String, String)> = sh
        .store
        .plans
        .loaded()
        .map(|ps| ps.iter().filter(here).map(|p| (p.id.clone(), p.name.clone())).collect())
        .unwrap_or_default();
    Ok(onboard_form(region, &plans, &pool.scopes))
}

fn split(text: &str) -> Vec<String> {
    text.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// Where the credentials go, as the form's choice and its file or secret name say.
fn destination(chosen: usize, target: &str) -> Result<Destination, String> {
    let target = target.trim().to_string();
    match (chosen, target.is_empty()) {
        (0, _) => Ok(Destination::Stdout),
        (_, true) => Err("name the file or the secret the credentials go to".into()),
        (1, false) => Ok(Destination::File { path: target.into() }),
        (_, false) => Ok(Destination::SecretsManager { name: target, kms_key: None }),
    }
}

const RETIRE: [&str; 2] = ["after the grace (both work meanwhile)", "at once (a leaked one; asks for the id)"];

/// The rotation form (`r`, `R`): when the old credential retires, where the new one goes (as
/// `partners rotate --now --export/--secret-name` offer).
pub fn rotate_form(partner: &str, region: &str, credential: crate::partners::ops::Credential) -> Form {
    Form {
        kind: FormKind::Rotate { partner: partner.to_string(), region: region.to_string(), credential },
        fields: vec![
            Field::Choice { label: "old one", choices: RETIRE.to_vec(), chosen: 0 },
            Field::Choice { label: "credentials", choices: DESTINATIONS.to_vec(), chosen: 0 },
            Form::text("file / secret", ""),
        ],
        focus: 0,
        error: None,
        label_width: 13,
        notes: vec![format!(
            "partner {partner}: old and new both work for rotation_grace (the config; 7 days unless set); the review comes next"
        )],
        toggles: " when the old one retires, where the new one goes",
        submit: "reviews",
    }
}

/// The rotation the form asks for.
pub fn rotate_request(form: &Form) -> Result<PartnerOp, String> {
    let FormKind::Rotate { partner, region, credential } = &form.kind else {
        return Err("not a rotation form".into());
    };
    let destination = destination(form.chosen(1), form.value(2))?;
    let (partner, region, credential, now) = (partner.clone(), region.clone(), *credential, form.chosen(0) == 1);
    Ok(PartnerOp::Rotate { partner, region, credential, destination, now })
}

/// What the form asks for, checked as far as it can be here (AWS checks the rest).
pub fn onboard_request(form: &Form) -> Result<PartnerOp, String> {
    let FormKind::Onboard { region } = &form.kind else { return Err("not the onboarding form".into()) };
    let partner = form.value(0).trim().to_string();
    check_partner_id(&partner)?;
    let plans = split(form.value(1));
    if plans.is_empty() {
        return Err("name at least one usage plan".into());
    }
    let scopes = split(form.value(2));
    if scopes.is_empty() {
        return Err("name at least one scope".into());
    }
    let destination = destination(form.chosen(3), form.value(4))?;
    Ok(PartnerOp::Onboard { partner, region: region.clone(), plans, scopes, destination })
}

/// The form came back: checked into its plan (the review opens with it), or the form again
/// with what is wrong.
pub(super) fn submitted(form: Form, sh: &mut Shared) -> Nav {
    let request = match form.kind {
        FormKind::Rotate { .. } => rotate_request(&form),
        _ => onboard_request(&form),
    };
    match request {
        Ok(op) => super::plan_change(op, sh),
        Err(e) => Nav::Dialog(Dialog::Form(form.with_error(e))),
    }
}
