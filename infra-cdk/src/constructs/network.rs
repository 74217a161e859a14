//! The VPC: public and private subnets over two availability zones, NAT, flow logs.

use serde::Deserialize;

use super::encryption::EncryptionKey;
use super::{Names, log_group};
use crate::model::{Expr, Pseudo, Ref, Stack, SynthError};
use crate::resources::Tag;
use crate::resources::ec2::{
    Eip, FlowLog, InternetGateway, NatGateway, Route, RouteTable, SecurityGroup,
    SecurityGroupEgress, SecurityGroupIngress, Subnet, SubnetRouteTableAssociation, Vpc,
    VpcGatewayAttachment,
};
use crate::resources::iam::{Policy, PolicyDocument, Role, Statement};

/// Network sizing.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkProps {
    /// The VPC's range; must be a /16. Public subnets take its first two /20s,
    /// private subnets two /19s after them.
    pub cidr: String,
    /// NAT gateways: 2 (one per zone, survives a zone outage) or 1 (cheaper).
    pub nat_gateways: u32,
    /// Retention of the VPC flow logs, in days.
    pub flow_log_retention_days: u32,
}

impl Default for NetworkProps {
    fn default() -> Self {
        Self {
            cidr: "10.0.0.0/16".to_owned(),
            nat_gateways: 2,
            flow_log_retention_days: 90,
        }
    }
}

/// The availability zones the network spans.
const ZONES: u32 = 2;

/// A VPC with a public and a private subnet in each of two zones.
pub struct Network {
    /// The VPC.
    pub vpc: Ref<Vpc>,
    /// Subnets with a route to the internet gateway (the load balancer lives here).
    pub public_subnets: Vec<Ref<Subnet>>,
    /// Subnets that reach out through NAT only (tasks, database, cache).
    pub private_subnets: Vec<Ref<Subnet>>,
}

impl Network {
    /// Adds the VPC.
    pub fn new(
        stack: &mut Stack,
        names: &Names,
        props: &NetworkProps,
        key: &EncryptionKey,
    ) -> Result<Self, SynthError> {
        let prefix = &names.physical("");
        let (public_cidrs, private_cidrs) = subnet_ranges(&props.cidr)?;
        if !(1..=ZONES).contains(&props.nat_gateways) {
            return Err(SynthError::InvalidProps {
                construct: "network",
                message: format!("nat_gateways must be 1 or {ZONES}"),
            });
        }
        let vpc = stack.add(
            "Vpc",
            Vpc {
                cidr_block: props.cidr.clone(),
                enable_dns_hostnames: true,
                enable_dns_support: true,
                tags: Tag::name(prefix),
            },
        )?;
        let igw = stack.add(
            "InternetGateway",
            InternetGateway {
                tags: Tag::name(prefix),
            },
        )?;
        let attachment = stack.add(
            "InternetGatewayAttachment",
            VpcGatewayAttachment {
                vpc_id: vpc.vpc_id(),
                internet_gateway_id: igw.reference(),
            },
        )?;

        let zones = Expr::get_azs(Expr::pseudo(Pseudo::Region));
        let public_table = stack.add(
            "PublicRouteTable",
            RouteTable {
                vpc_id: vpc.vpc_id(),
                tags: Tag::name(format!("{prefix}-public")),
            },
        )?;
        stack.add_with(
            "PublicDefaultRoute",
            Route {
                route_table_id: public_table.reference(),
                destination_cidr_block: "0.0.0.0/0".to_owned(),
                gateway_id: Some(igw.reference()),
                nat_gateway_id: None,
            },
            crate::ResourceOptions {
                depends_on: vec![attachment.logical_id().clone()],
                ..Default::default()
            },
        )?;

        let mut public_subnets = Vec::new();
        let mut private_subnets = Vec::new();
        let mut nats = Vec::new();
        for (i, (public_cidr, private_cidr)) in
            public_cidrs.into_iter().zip(private_cidrs).enumerate()
        {
            let n = i + 1;
            let zone = Expr::select(i as u32, zones.clone());
            let public = stack.add(
                &format!("PublicSubnet{n}"),
                Subnet {
                    vpc_id: vpc.vpc_id(),
                    cidr_block: public_cidr,
                    availability_zone: zone.clone(),
                    // Nothing in a public subnet gets an address it did not ask for.
                    map_public_ip_on_launch: false,
                    tags: Tag::name(format!("{prefix}-public-{n}")),
                },
            )?;
            stack.add(
                &format!("PublicSubnet{n}RouteTableAssociation"),
                SubnetRouteTableAssociation {
                    subnet_id: public.subnet_id(),
                    route_table_id: public_table.reference(),
                },
            )?;
            if (i as u32) < props.nat_gateways {
                let eip = stack.add_with(
                    &format!("NatEip{n}"),
                    Eip {
                        domain: "vpc".to_owned(),
                        tags: Tag::name(format!("{prefix}-nat-{n}")),
                    },
                    crate::ResourceOptions {
                        depends_on: vec![attachment.logical_id().clone()],
                        ..Default::default()
                    },
                )?;
                nats.push(stack.add(
                    &format!("NatGateway{n}"),
                    NatGateway {
                        allocation_id: eip.allocation_id(),
                        subnet_id: public.subnet_id(),
                        tags: Tag::name(format!("{prefix}-nat-{n}")),
                    },
                )?);
            }
            let private = stack.add(
                &format!("PrivateSubnet{n}"),
                Subnet {
                    vpc_id: vpc.vpc_id(),
                    cidr_block: private_cidr,
                    availability_zone: zone,
                    map_public_ip_on_launch: false,
                    tags: Tag::name(format!("{prefix}-private-{n}")),
                },
            )?;
            let table = stack.add(
                &format!("PrivateRouteTable{n}"),
                RouteTable {
                    vpc_id: vpc.vpc_id(),
                    tags: Tag::name(format!("{prefix}-private-{n}")),
                },
            )?;
            // Each zone uses its own NAT gateway when there is one per zone.
            let nat = &nats[i.min(nats.len() - 1)];
            stack.add(
                &format!("PrivateDefaultRoute{n}"),
                Route {
                    route_table_id: table.reference(),
                    destination_cidr_block: "0.0.0.0/0".to_owned(),
                    gateway_id: None,
                    nat_gateway_id: Some(nat.reference()),
                },
            )?;
            stack.add(
                &format!("PrivateSubnet{n}RouteTableAssociation"),
                SubnetRouteTableAssociation {
                    subnet_id: private.subnet_id(),
                    route_table_id: table.reference(),
                },
            )?;
            public_subnets.push(public);
            private_subnets.push(private);
        }

        let network = Self {
            vpc,
            public_subnets,
            private_subnets,
        };
        network.add_flow_logs(stack, names, props, key)?;
        Ok(network)
    }

    fn add_flow_logs(
        &self,
        stack: &mut Stack,
        names: &Names,
        props: &NetworkProps,
        key: &EncryptionKey,
    ) -> Result<(), SynthError> {
        let name = names.path("vpc-flow-logs");
        let group = log_group(
            stack,
            "FlowLogGroup",
            &name,
            props.flow_log_retention_days,
            key,
        )?;
        let mut trust = PolicyDocument::assumable_by("vpc-flow-logs.amazonaws.com");
        trust.statement[0].condition = Some(serde_json::json!({
            "StringEquals": {"aws:SourceAccount": Expr::pseudo(Pseudo::AccountId)}
        }));
        let role = stack.add(
            "FlowLogRole",
            Role {
                role_name: None,
                description: "VPC flow logs write to their log group".to_owned(),
                assume_role_policy_document: trust,
                managed_policy_arns: None,
                policies: Some(vec![Policy {
                    policy_name: "write-flow-logs".to_owned(),
                    policy_document: PolicyDocument::new(vec![Statement::allow(
                        &[
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "logs:DescribeLogStreams",
                        ],
                        vec![group.arn()],
                    )]),
                }]),
            },
        )?;
        stack.add(
            "FlowLog",
            FlowLog {
                resource_id: self.vpc.vpc_id(),
                resource_type: "VPC".to_owned(),
                traffic_type: "ALL".to_owned(),
                log_destination_type: "cloud-watch-logs".to_owned(),
                log_group_name: group.reference(),
                deliver_logs_permission_arn: role.arn(),
                max_aggregation_interval: 600,
            },
        )?;
        Ok(())
    }

    /// The private subnet ids.
    pub fn private_subnet_ids(&self) -> Vec<Expr<String>> {
        self.private_subnets.iter().map(Ref::subnet_id).collect()
    }

    /// The public subnet ids.
    pub fn public_subnet_ids(&self) -> Vec<Expr<String>> {
        self.public_subnets.iter().map(Ref::subnet_id).collect()
    }

    /// A security group that sends nothing until [`Network::allow`] opens a path.
    pub fn security_group(
        &self,
        stack: &mut Stack,
        id: &str,
        description: &str,
    ) -> Result<Ref<SecurityGroup>, SynthError> {
        stack.add(
            id,
            SecurityGroup {
                group_description: description.to_owned(),
                vpc_id: self.vpc.vpc_id(),
                security_group_egress: crate::resources::ec2::EgressRule::deny_all(),
                tags: Tag::name(description),
            },
        )
    }

    /// Lets `from` reach `to` on a TCP port: an egress rule on one and the matching
    /// ingress rule on the other. `id` prefixes the two rules' logical ids.
    pub fn allow(
        stack: &mut Stack,
        id: &str,
        from: &Ref<SecurityGroup>,
        to: &Ref<SecurityGroup>,
        port: u16,
        description: &str,
    ) -> Result<(), SynthError> {
        stack.add(
            &format!("{id}Egress"),
            SecurityGroupEgress {
                group_id: from.group_id(),
                ip_protocol: "tcp".to_owned(),
                from_port: port,
                to_port: port,
                cidr_ip: None,
                destination_security_group_id: Some(to.group_id()),
                description: description.to_owned(),
            },
        )?;
        stack.add(
            &format!("{id}Ingress"),
            SecurityGroupIngress {
                group_id: to.group_id(),
                ip_protocol: "tcp".to_owned(),
                from_port: port,
                to_port: port,
                cidr_ip: None,
                source_security_group_id: Some(from.group_id()),
                description: description.to_owned(),
            },
        )?;
        Ok(())
    }
}

/// Splits a /16 into two public /20s and two private /19s.
fn subnet_ranges(cidr: &str) -> Result<(Vec<String>, Vec<String>), SynthError> {
    let invalid = || SynthError::InvalidProps {
        construct: "network",
        message: format!("cidr {cidr:?} must be a /16 such as 10.20.0.0/16"),
    };
    let (address, bits) = cidr.split_once('/').ok_or_else(invalid)?;
    let octets: Vec<u8> = address
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| invalid())?;
    if bits != "16" || octets.len() != 4 || octets[2] != 0 || octets[3] != 0 {
        return Err(invalid());
    }
    let (a, b) = (octets[0], octets[1]);
    let public = vec![format!("{a}.{b}.0.0/20"), format!("{a}.{b}.16.0/20")];
    let private = vec![format!("{a}.{b}.32.0/19"), format!("{a}.{b}.64.0/19")];
    Ok((public, private))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sixteen_splits_into_four_disjoint_subnets() {
        let (public, private) = subnet_ranges("10.20.0.0/16").unwrap();
        assert_eq!(public, ["10.20.0.0/20", "10.20.16.0/20"]);
        assert_eq!(private, ["10.20.32.0/19", "10.20.64.0/19"]);
    }

    #[test]
    fn other_prefix_lengths_are_refused() {
        assert!(subnet_ranges("10.20.0.0/24").is_err());
        assert!(subnet_ranges("10.20.1.0/16").is_err());
        assert!(subnet_ranges("nonsense").is_err());
    }
}
