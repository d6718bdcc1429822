//! `portcullis iam-policy [--changes] [--trust PRINCIPAL]`: the IAM policy the role in each
//! account needs (read-only for browsing, listing, lint and audit; `--changes` adds what key,
//! plan and partner changes need), or with `--trust` the role's trust policy. Every action
//! here is one portcullis calls; nothing is printed that it does not use.

use serde_json::{Value, json};

#[derive(Debug, clap::Args)]
pub struct IamPolicyArgs {
    /// Add the actions key, plan and partner changes need (scoped to API keys, usage plan keys,
    /// the partner pool's app clients and portcullis's own secrets).
    #[arg(long)]
    pub changes: bool,
    /// Print the role's trust policy instead, trusting this principal (an account id, or the
    /// ARN of the role or user portcullis runs as).
    #[arg(long, value_name = "PRINCIPAL")]
    pub trust: Option<String>,
    /// With --trust: require this external id (the `external_id` of `[accounts]`).
    #[arg(long, requires = "trust")]
    pub external_id: Option<String>,
}

/// What browsing, listing, lint and audit call.
pub fn read_only() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ApiGatewayRead",
                "Effect": "Allow",
                "Action": ["apigateway:GET"],
                "Resource": ["arn:aws:apigateway:*::/*"]
            },
            {
                "Sid": "CognitoPartnerPoolRead",
                "Effect": "Allow",
                "Action": [
                    "cognito-idp:DescribeUserPool",
                    "cognito-idp:DescribeUserPoolClient",
                    "cognito-idp:ListUserPoolClients",
                    "cognito-idp:ListUserPoolClientSecrets",
                    "cognito-idp:ListResourceServers"
                ],
                "Resource": ["arn:aws:cognito-idp:*:*:userpool/*"]
            },
            {
                "Sid": "AuditRead",
                "Effect": "Allow",
                "Action": ["cloudtrail:LookupEvents", "cloudtrail:DescribeTrails"],
                "Resource": ["*"]
            },
            {
                "Sid": "TrailLogsRead",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject"],
                "Resource": ["arn:aws:s3:::*"]
            },
            {
                "Sid": "WhoAmI",
                "Effect": "Allow",
                "Action": ["sts:GetCallerIdentity"],
                "Resource": ["*"]
            }
        ]
    })
}

/// What key, plan and partner changes call besides the reads.
fn changes() -> Vec<Value> {
    vec![
        json!({
            "Sid": "ApiKeysAndUsagePlanKeys",
            "Effect": "Allow",
            "Action": ["apigateway:POST", "apigateway:PATCH", "apigateway:DELETE"],
            "Resource": [
                "arn:aws:apigateway:*::/apikeys",
                "arn:aws:apigateway:*::/apikeys/*",
                "arn:aws:apigateway:*::/usageplans/*/keys",
                "arn:aws:apigateway:*::/usageplans/*/keys/*"
            ]
        }),
        json!({
            "Sid": "PartnerAppClients",
            "Effect": "Allow",
            "Action": [
                "cognito-idp:CreateUserPoolClient",
                "cognito-idp:UpdateUserPoolClient",
                "cognito-idp:DeleteUserPoolClient",
                "cognito-idp:AddUserPoolClientSecret",
                "cognito-idp:DeleteUserPoolClientSecret"
            ],
            "Resource": ["arn:aws:cognito-idp:*:*:userpool/*"]
        }),
        json!({
            "Sid": "HandOverToSecretsManager",
            "Effect": "Allow",
            "Action": [
                "secretsmanager:CreateSecret",
                "secretsmanager:PutSecretValue",
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue"
            ],
            "Resource": ["arn:aws:secretsmanager:*:*:secret:*"]
        }),
    ]
}

/// The policy to attach to the role: read-only, or with the changes.
pub fn policy(with_changes: bool) -> Value {
    let mut p = read_only();
    if with_changes && let Some(statements) = p["Statement"].as_array_mut() {
        statements.extend(changes());
    }
    p
}

/// The role's trust policy: `principal` may assume it (with the external id, when given).
pub fn trust(principal: &str, external_id: Option<&str>) -> Value {
    let aws = if principal.len() == 12 && principal.bytes().all(|b| b.is_ascii_digit()) {
        format!("arn:aws:iam::{principal}:root")
    } else {
        principal.to_string()
    };
    let mut statement = json!({
        "Effect": "Allow",
        "Principal": {"AWS": aws},
        "Action": "sts:AssumeRole"
    });
    if let Some(x) = external_id {
        statement["Condition"] = json!({"StringEquals": {"sts:ExternalId": x}});
    }
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

pub fn run(args: IamPolicyArgs) -> anyhow::Result<()> {
    let v = match &args.trust {
        Some(p) => trust(p, args.external_id.as_deref()),
        None => policy(args.changes),
    };
    Ok(super::write_stdout(&(serde_json::to_string_pretty(&v)? + "\n"))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actions(v: &Value) -> Vec<String> {
        v["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["Action"].as_array().cloned().unwrap_or_default())
            .map(|a| a.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn read_only_has_no_change_and_changes_add_them() {
        let read = actions(&policy(false));
        assert!(read.contains(&"apigateway:GET".to_string()));
        assert!(!read.iter().any(|a| a.ends_with(":POST") || a.contains("Create") || a.contains("Delete")), "{read:?}");
        let all = actions(&policy(true));
        for a in ["apigateway:POST", "cognito-idp:AddUserPoolClientSecret", "secretsmanager:CreateSecret"] {
            assert!(all.contains(&a.to_string()), "{a} missing from {all:?}");
        }
    }

    #[test]
    fn trust_takes_an_account_or_an_arn_and_the_external_id() {
        let t = trust("111122223333", Some("x-1"));
        assert_eq!(t["Statement"][0]["Principal"]["AWS"], "arn:aws:iam::111122223333:root");
        assert_eq!(t["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"], "x-1");
        let t = trust("arn:aws:iam::111122223333:role/ops", None);
        assert_eq!(t["Statement"][0]["Principal"]["AWS"], "arn:aws:iam::111122223333:role/ops");
        assert!(t["Statement"][0].get("Condition").is_none());
    }
}
