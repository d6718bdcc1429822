//! Mutations from the command line: show what will change, ask (or take --yes), or only print
//! the AWS CLI equivalent with --dry-run.

use crate::domain::Mutation;
use std::io::{BufRead, IsTerminal, Write};

/// The flags every mutating command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct MutationFlags {
    /// Do it without asking.
    #[arg(long, short)]
    pub yes: bool,
    /// Print the equivalent AWS CLI commands and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Go,
    DryRun,
}

/// Why a mutation did not happen (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// One change as the confirmation shows it: what it does, its AWS CLI equivalent, and the
/// word to type when a plain yes is not enough (a deletion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub describe: String,
    pub aws_cli: Vec<String>,
    /// (what must be typed, the question that asks for it).
    pub typed: Option<(String, String)>,
}

impl Change {
    /// A checked plan's confirmation: its summary and its calls, as they will run.
    pub fn of_plan(plan: crate::domain::Plan, typed: Option<(String, String)>) -> Change {
        Change { aws_cli: plan.cli(), describe: plan.summary, typed }
    }

    fn of(m: &Mutation, region: &str) -> Change {
        let typed = match m {
            // A key without a name is confirmed by its id, so an empty answer never deletes.
            Mutation::DeleteKey { name, key_id } if name.is_empty() => {
                Some((key_id.clone(), format!("The key has no name: type its id ({key_id}) to delete it: ")))
            }
            Mutation::DeleteKey { name, .. } => Some((
                name.clone(),
                format!("Type the key's name ({}) to delete it: ", crate::sanitize::for_terminal(name)),
            )),
            _ => None,
        };
        Change::of_plan(m.plan(region), typed)
    }
}

pub fn decide(m: &Mutation, region: &str, flags: &MutationFlags) -> Result<Decision, Refused> {
    decide_change(&Change::of(m, region), region, flags)
}

pub fn decide_change(c: &Change, region: &str, flags: &MutationFlags) -> Result<Decision, Refused> {
    if flags.dry_run {
        for line in &c.aws_cli {
            super::write_stdout(&format!("{line}\n")).map_err(|e| Refused(e.to_string()))?;
        }
        return Ok(Decision::DryRun);
    }
    if flags.yes {
        return Ok(Decision::Go);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Refused(format!("not confirmed: {} (pass --yes to do it without asking)", c.describe)));
    }
    ask(c, region)
}

fn ask(c: &Change, region: &str) -> Result<Decision, Refused> {
    let mut err = std::io::stderr();
    let safe = |s: &str| crate::sanitize::for_terminal(s).into_owned();
    let _ = writeln!(err, "This will {} in {region}.\nEquivalent AWS CLI:", safe(&c.describe));
    for line in &c.aws_cli {
        let _ = writeln!(err, "  {}", safe(line));
    }
    let question = c.typed.as_ref().map_or("Proceed? [y/N] ", |(_, q)| q.as_str());
    let typed = prompt(question)?;
    match &c.typed {
        Some((expected, _)) if typed == *expected => Ok(Decision::Go),
        Some(_) => Err(Refused("not confirmed: that is not what was asked for".into())),
        None if typed.eq_ignore_ascii_case("y") || typed.eq_ignore_ascii_case("yes") => Ok(Decision::Go),
        None => Err(Refused("not confirmed".into())),
    }
}

fn prompt(question: &str) -> Result<String, Refused> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| Refused(e.to_string()))?;
    Ok(line.trim().to_string())
}
