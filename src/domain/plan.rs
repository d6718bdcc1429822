//! A change as one value: the AWS calls it makes, in order, each as the AWS CLI writes it. The
//! CLI's prompt and `--dry-run`, the TUI's review and the tests that compare them with the calls
//! an execution made all read this value, so what a person approves is what runs.

use std::collections::BTreeMap;

/// One argument of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// `--enabled`, `--generate-secret`: a switch without a value.
    Switch(&'static str),
    /// `--name acme-20261207`: one value, quoted for the shell where it needs it.
    Value(&'static str, String),
    /// `--allowed-o-auth-scopes a b`: several values after one flag.
    Values(&'static str, Vec<String>),
    /// `--key-id <new key id>`: what only the execution learns (an id an earlier call returns,
    /// a value generated when it runs); written as the placeholder, unquoted.
    Later(&'static str, &'static str),
}

impl Arg {
    pub fn flag(&self) -> &'static str {
        match self {
            Arg::Switch(f) | Arg::Value(f, _) | Arg::Values(f, _) | Arg::Later(f, _) => f,
        }
    }
}

/// Where a call goes: a region, and an account when accounts are read (`None`: the credentials'
/// own account).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct Place {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub region: String,
}

impl Place {
    pub fn new(account: Option<String>, region: impl Into<String>) -> Place {
        Place { account, region: region.into() }
    }

    /// `eu-west-1`, or `222233334444 eu-west-1`.
    pub fn label(&self) -> String {
        match &self.account {
            Some(a) => format!("{a} {}", self.region),
            None => self.region.clone(),
        }
    }
}

/// One AWS call: `aws <service> <command> <args> --region <region>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub service: &'static str,
    pub command: &'static str,
    pub args: Vec<Arg>,
    /// Where it goes when not where its plan goes (a partner's key in another account or region).
    pub place: Option<Place>,
}

impl Call {
    pub fn new(service: &'static str, command: &'static str) -> Call {
        Call { service, command, args: vec![], place: None }
    }

    /// The call, sent to `place`.
    pub fn at(mut self, place: Place) -> Call {
        self.place = Some(place);
        self
    }

    pub fn arg(mut self, flag: &'static str, value: impl Into<String>) -> Call {
        self.args.push(Arg::Value(flag, value.into()));
        self
    }

    pub fn opt(self, flag: &'static str, value: Option<&str>) -> Call {
        match value {
            Some(v) => self.arg(flag, v),
            None => self,
        }
    }

    pub fn values(mut self, flag: &'static str, values: &[String]) -> Call {
        self.args.push(Arg::Values(flag, values.to_vec()));
        self
    }

    pub fn switch(mut self, flag: &'static str) -> Call {
        self.args.push(Arg::Switch(flag));
        self
    }

    pub fn later(mut self, flag: &'static str, what: &'static str) -> Call {
        self.args.push(Arg::Later(flag, what));
        self
    }

    /// `--tags k=v,k2=v2` (the AWS CLI's shorthand for a map).
    pub fn tags(self, tags: &BTreeMap<String, String>) -> Call {
        let text: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        self.arg("--tags", text.join(","))
    }

    /// The value of `flag`, if the call has one.
    pub fn value(&self, flag: &str) -> Option<&str> {
        self.args.iter().find_map(|a| match a {
            Arg::Value(f, v) if *f == flag => Some(v.as_str()),
            _ => None,
        })
    }

    /// The whole command line, values quoted with shlex.
    pub fn cli(&self, region: &str) -> String {
        let mut words = vec!["aws".to_string(), self.service.to_string(), self.command.to_string()];
        for a in &self.args {
            words.push(a.flag().to_string());
            match a {
                Arg::Switch(_) => {}
                Arg::Value(_, v) => words.push(quote(v)),
                Arg::Values(_, vs) => words.extend(vs.iter().map(|v| quote(v))),
                Arg::Later(_, what) => words.push(format!("<{what}>")),
            }
        }
        words.push("--region".into());
        words.push(quote(region));
        words.join(" ")
    }
}

/// A word for the shell: as it is where that is safe, else quoted (shlex).
pub fn quote(s: &str) -> String {
    match shlex::try_quote(s) {
        Ok(q) => q.into_owned(),
        // Only a NUL byte is refused; no shell argument can hold one, so it is shown escaped.
        Err(_) => shlex::try_quote(&s.replace('\0', "\\0")).map(|q| q.into_owned()).unwrap_or_default(),
    }
}

/// A change: one line of what it does, the region it goes to, and its calls in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub summary: String,
    pub region: String,
    /// The account it goes to (`None`: the credentials' own).
    pub account: Option<String>,
    pub calls: Vec<Call>,
}

impl Plan {
    pub fn new(summary: impl Into<String>, region: &str, calls: Vec<Call>) -> Plan {
        Plan { summary: summary.into(), region: region.to_string(), account: None, calls }
    }

    /// The equivalent AWS CLI commands, one a line (what `--dry-run` prints and the review shows).
    /// A call to another region says its region; to another account, the profile that reaches
    /// that account (`--profile <account 222233334444>`: the AWS CLI cannot assume a role by flag).
    pub fn cli(&self) -> Vec<String> {
        self.calls
            .iter()
            .map(|c| {
                let place = c.place.as_ref();
                let line = c.cli(place.map_or(&self.region, |p| &p.region));
                match place.and_then(|p| p.account.as_ref()).filter(|a| self.account.as_ref() != Some(*a)) {
                    Some(a) => format!("{line} --profile <account {a}>"),
                    None => line,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_placeholders_are_not() {
        let c = Call::new("apigateway", "create-usage-plan-key")
            .arg("--usage-plan-id", "p 1")
            .later("--key-id", "new key id")
            .arg("--key-type", "API_KEY");
        assert_eq!(
            c.cli("eu-west-1"),
            "aws apigateway create-usage-plan-key --usage-plan-id 'p 1' --key-id <new key id> --key-type API_KEY --region eu-west-1"
        );
        let t = Call::new("apigateway", "create-api-key")
            .tags(&BTreeMap::from([("partner".to_string(), "it's".to_string())]))
            .switch("--enabled");
        assert_eq!(t.cli("r"), r#"aws apigateway create-api-key --tags "partner=it's" --enabled --region r"#);
        assert_eq!(shlex::split(&t.cli("r")).unwrap()[4], "partner=it's");
    }

    #[test]
    fn a_nul_byte_cannot_break_the_line() {
        let c = Call::new("s", "c").arg("--v", "a\0b; rm -rf /");
        let words = shlex::split(&c.cli("r")).unwrap();
        assert_eq!(words[4], "a\\0b; rm -rf /");
    }
}
