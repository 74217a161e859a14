//! ACM certificates validated through DNS records in Route 53.

use crate::model::{Expr, Ref, Stack, SynthError};
use crate::resources::acm::{Certificate, DomainValidationOption};

/// Adds a certificate for `domain`; CloudFormation writes the validation record into
/// the hosted zone and waits until ACM issues the certificate.
pub fn dns_validated_certificate(
    stack: &mut Stack,
    id: &str,
    domain: &str,
    hosted_zone_id: &str,
) -> Result<Ref<Certificate>, SynthError> {
    stack.add(
        id,
        Certificate {
            domain_name: Expr::lit(domain),
            validation_method: "DNS".to_owned(),
            domain_validation_options: vec![DomainValidationOption {
                domain_name: Expr::lit(domain),
                hosted_zone_id: Expr::lit(hosted_zone_id),
            }],
        },
    )
}
