//! Amazon VPC networking.

use serde::Serialize;

use super::{Tag, attributes, resource_type};
use crate::model::{Expr, Ref};

/// `AWS::EC2::VPC`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Vpc {
    pub cidr_block: String,
    pub enable_dns_hostnames: bool,
    pub enable_dns_support: bool,
    pub tags: Vec<Tag>,
}
resource_type!(Vpc, "AWS::EC2::VPC");

impl Ref<Vpc> {
    /// The VPC id (`Ref`).
    pub fn vpc_id(&self) -> Expr<String> {
        self.reference()
    }
}

/// `AWS::EC2::InternetGateway`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InternetGateway {
    pub tags: Vec<Tag>,
}
resource_type!(InternetGateway, "AWS::EC2::InternetGateway");

/// `AWS::EC2::VPCGatewayAttachment`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcGatewayAttachment {
    pub vpc_id: Expr<String>,
    pub internet_gateway_id: Expr<String>,
}
resource_type!(VpcGatewayAttachment, "AWS::EC2::VPCGatewayAttachment");

/// `AWS::EC2::Subnet`; `Ref` is its id.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subnet {
    pub vpc_id: Expr<String>,
    pub cidr_block: String,
    pub availability_zone: Expr<String>,
    pub map_public_ip_on_launch: bool,
    pub tags: Vec<Tag>,
}
resource_type!(Subnet, "AWS::EC2::Subnet");

impl Ref<Subnet> {
    /// The subnet id (`Ref`).
    pub fn subnet_id(&self) -> Expr<String> {
        self.reference()
    }
}

/// `AWS::EC2::RouteTable`; `Ref` is its id.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTable {
    pub vpc_id: Expr<String>,
    pub tags: Vec<Tag>,
}
resource_type!(RouteTable, "AWS::EC2::RouteTable");

/// `AWS::EC2::Route`: a default route through a gateway or a NAT gateway.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Route {
    pub route_table_id: Expr<String>,
    pub destination_cidr_block: String,
    pub gateway_id: Option<Expr<String>>,
    pub nat_gateway_id: Option<Expr<String>>,
}
resource_type!(Route, "AWS::EC2::Route");

/// `AWS::EC2::SubnetRouteTableAssociation`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubnetRouteTableAssociation {
    pub subnet_id: Expr<String>,
    pub route_table_id: Expr<String>,
}
resource_type!(
    SubnetRouteTableAssociation,
    "AWS::EC2::SubnetRouteTableAssociation"
);

/// `AWS::EC2::EIP`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Eip {
    pub domain: String,
    pub tags: Vec<Tag>,
}
resource_type!(Eip, "AWS::EC2::EIP");
attributes!(Eip {
    /// The allocation id a NAT gateway takes.
    allocation_id => "AllocationId",
});

/// `AWS::EC2::NatGateway`; `Ref` is its id.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NatGateway {
    pub allocation_id: Expr<String>,
    pub subnet_id: Expr<String>,
    pub tags: Vec<Tag>,
}
resource_type!(NatGateway, "AWS::EC2::NatGateway");

/// `AWS::EC2::SecurityGroup`. Rules live in their own resources so that groups can
/// name each other without a dependency cycle.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    pub group_description: String,
    pub vpc_id: Expr<String>,
    pub security_group_egress: Vec<EgressRule>,
    pub tags: Vec<Tag>,
}
resource_type!(SecurityGroup, "AWS::EC2::SecurityGroup");
attributes!(SecurityGroup {
    /// The group id.
    group_id => "GroupId",
});

/// An inline egress rule of a [`SecurityGroup`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EgressRule {
    pub ip_protocol: String,
    pub from_port: i32,
    pub to_port: i32,
    pub cidr_ip: String,
    pub description: String,
}

impl EgressRule {
    /// A rule that matches nothing: listing it replaces the default allow-all egress,
    /// so the group sends nothing unless a rule says so (the AWS CDK uses the same).
    pub fn deny_all() -> Vec<EgressRule> {
        vec![EgressRule {
            ip_protocol: "icmp".to_owned(),
            from_port: 252,
            to_port: 86,
            cidr_ip: "255.255.255.255/32".to_owned(),
            description: "Disallow all traffic".to_owned(),
        }]
    }
}

/// `AWS::EC2::SecurityGroupIngress`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupIngress {
    pub group_id: Expr<String>,
    pub ip_protocol: String,
    pub from_port: u16,
    pub to_port: u16,
    pub cidr_ip: Option<String>,
    pub source_security_group_id: Option<Expr<String>>,
    pub description: String,
}
resource_type!(SecurityGroupIngress, "AWS::EC2::SecurityGroupIngress");

/// `AWS::EC2::SecurityGroupEgress`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupEgress {
    pub group_id: Expr<String>,
    pub ip_protocol: String,
    pub from_port: u16,
    pub to_port: u16,
    pub cidr_ip: Option<String>,
    pub destination_security_group_id: Option<Expr<String>>,
    pub description: String,
}
resource_type!(SecurityGroupEgress, "AWS::EC2::SecurityGroupEgress");

/// `AWS::EC2::FlowLog` to CloudWatch Logs.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FlowLog {
    pub resource_id: Expr<String>,
    pub resource_type: String,
    pub traffic_type: String,
    pub log_destination_type: String,
    pub log_group_name: Expr<String>,
    pub deliver_logs_permission_arn: Expr<String>,
    pub max_aggregation_interval: u32,
}
resource_type!(FlowLog, "AWS::EC2::FlowLog");
