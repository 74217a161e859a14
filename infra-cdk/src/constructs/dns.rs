//! Route 53 alias records for the web app (CloudFront) and the API (load balancer).

use crate::model::{Expr, Ref, Stack, SynthError};
use crate::resources::cloudfront::Distribution;
use crate::resources::elbv2::LoadBalancer;
use crate::resources::route53::{AliasTarget, RecordSet};

/// The zone every CloudFront distribution's alias target lives in (fixed by AWS).
const CLOUDFRONT_HOSTED_ZONE_ID: &str = "Z2FDTNDATAQYW2";

/// The records of one environment.
pub struct Dns<'a> {
    /// The Route 53 hosted zone.
    pub hosted_zone_id: &'a str,
    /// The web app's name, e.g. `app.trellis.example.com`.
    pub app_domain: &'a str,
    /// The API's name, e.g. `api.trellis.example.com`.
    pub api_domain: &'a str,
}

impl Dns<'_> {
    /// Adds `A`/`AAAA` aliases of the app to `site` and an `A` alias of the API to
    /// `load_balancer`.
    pub fn add(
        &self,
        stack: &mut Stack,
        site: &Ref<Distribution>,
        load_balancer: &Ref<LoadBalancer>,
    ) -> Result<(), SynthError> {
        for (id, kind) in [("AppRecordA", "A"), ("AppRecordAAAA", "AAAA")] {
            self.alias(
                stack,
                id,
                self.app_domain,
                kind,
                site.domain_name(),
                Expr::lit(CLOUDFRONT_HOSTED_ZONE_ID),
                false,
            )?;
        }
        self.alias(
            stack,
            "ApiRecordA",
            self.api_domain,
            "A",
            load_balancer.dns_name(),
            load_balancer.canonical_hosted_zone_id(),
            true,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn alias(
        &self,
        stack: &mut Stack,
        id: &str,
        name: &str,
        kind: &str,
        target: Expr<String>,
        target_zone: Expr<String>,
        evaluate_target_health: bool,
    ) -> Result<(), SynthError> {
        stack.add(
            id,
            RecordSet {
                hosted_zone_id: self.hosted_zone_id.to_owned(),
                name: format!("{name}."),
                kind: kind.to_owned(),
                alias_target: AliasTarget {
                    dns_name: target,
                    hosted_zone_id: target_zone,
                    evaluate_target_health,
                },
            },
        )?;
        Ok(())
    }
}
