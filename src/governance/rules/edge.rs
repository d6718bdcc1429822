//! The rules on what sits at either end of an API: Security Hub's APIGateway.10 (an HTTP API
//! integration over a VPC link verifies a TLS server name) and .11 (a custom domain on a TLS
//! 1.3 security policy).

use super::{Check, Out, SH_DOC};
use crate::aws::domains::{DomainName, Integration};
use crate::governance::{ResourceType, Rule, Severity};

pub(super) const PRIVATE_INTEGRATION_TLS: Rule = Rule {
    id: "v2-private-integration-tls",
    title: "HTTP API private integration (VPC link) without TLS",
    severity: Severity::Medium,
    why: "Traffic from API Gateway to the private backend crosses the VPC unencrypted and unauthenticated unless the integration verifies a TLS server name.",
    fix: "aws apigatewayv2 update-integration --api-id {api} --integration-id {integration} --tls-config ServerNameToVerify=BACKEND_HOST (and an HTTPS URI)",
    references: &[SH_DOC],
    security_hub: Some("APIGateway.10"),
    prowler: None,
    counterpart: Some("apigatewayv2-integration-private-https-enabled"),
    check: Check::Integration(private_integration_tls),
};

/// Only integrations over a VPC link.
fn private_integration_tls(i: &Integration, out: &mut Out) {
    let vpc_link = i.connection_type.as_deref() == Some("VPC_LINK");
    if vpc_link && i.tls_server_name.as_deref().is_none_or(str::is_empty) {
        let arn = format!("arn:aws:apigateway:{}::/apis/{}/integrations/{}", i.region, i.api_id, i.id);
        let message = format!("integration {} of API {} goes over a VPC link without TLS", i.id, i.api_id);
        let f = out.finding(arn, ResourceType::Integration, &i.region, message);
        f.api_id = Some(i.api_id.clone());
        f.remediation = f.remediation.replace("{api}", &i.api_id).replace("{integration}", &i.id);
    }
}

pub(super) const DOMAIN_TLS_POLICY: Rule = Rule {
    id: "domain-tls-policy",
    title: "Custom domain name without a TLS 1.3 security policy",
    severity: Severity::Medium,
    why: "Older security policies (TLS_1_0, TLS_1_2) allow weaker protocol versions and ciphers; AWS's 2025 policies negotiate TLS 1.3.",
    fix: "aws apigateway update-domain-name --domain-name {domain} --patch-operations op=replace,path=/securityPolicy,value=SecurityPolicy_TLS13_1_3_2025_09",
    references: &[
        SH_DOC,
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies.html",
    ],
    security_hub: Some("APIGateway.11"),
    prowler: None,
    counterpart: Some("apigateway-domain-name-tls-check"),
    check: Check::Domain(domain_tls_policy),
};

/// A domain without a security policy counts as TLS_1_0.
fn domain_tls_policy(d: &DomainName, out: &mut Out) {
    let policy = d.security_policy.as_deref().unwrap_or("TLS_1_0");
    if !policy.to_ascii_uppercase().contains("TLS13") {
        let arn = format!("arn:aws:apigateway:{}::/domainnames/{}", d.region, d.name);
        let f = out.finding(arn, ResourceType::DomainName, &d.region, format!("{} uses {policy}", d.name));
        f.remediation = f.remediation.replace("{domain}", &d.name);
    }
}
