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

pub fn decide(m: &Mutation, region: &str, flags: &MutationFlags) -> Result<Decision, Refused> {
    if flags.dry_run {
        for line in m.aws_cli(region) {
            super::write_stdout(&format!("{line}\n")).map_err(|e| Refused(e.to_string()))?;
        }
        return Ok(Decision::DryRun);
    }
    if flags.yes {
        return Ok(Decision::Go);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Refused(format!("not confirmed: {} (pass --yes to do it without asking)", m.describe())));
    }
    ask(m, region)
}

fn ask(m: &Mutation, region: &str) -> Result<Decision, Refused> {
    let mut err = std::io::stderr();
    let safe = |s: &str| crate::sanitize::for_terminal(s).into_owned();
    let _ = writeln!(err, "This will {} in {region}.\nEquivalent AWS CLI:", safe(&m.describe()));
    for line in m.aws_cli(region) {
        let _ = writeln!(err, "  {}", safe(&line));
    }
    let typed = prompt(m)?;
    match m {
        Mutation::DeleteKey { name, key_id } => {
            // A key without a name is confirmed by its id, so an empty answer never deletes.
            let expected = if name.is_empty() { key_id } else { name };
            if typed == *expected {
                Ok(Decision::Go)
            } else {
                Err(Refused("not confirmed: that is not the key's name".into()))
            }
        }
        _ if typed.eq_ignore_ascii_case("y") || typed.eq_ignore_ascii_case("yes") => Ok(Decision::Go),
        _ => Err(Refused("not confirmed".into())),
    }
}

fn prompt(m: &Mutation) -> Result<String, Refused> {
    let question = match m {
        Mutation::DeleteKey { name, key_id } if name.is_empty() => {
            format!("The key has no name: type its id ({key_id}) to delete it: ")
        }
        Mutation::DeleteKey { name, .. } => {
            format!("Type the key's name ({}) to delete it: ", crate::sanitize::for_terminal(name))
        }
        _ => "Proceed? [y/N] ".to_string(),
    };
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| Refused(e.to_string()))?;
    Ok(line.trim().to_string())
}
