//! Amazon CloudWatch alarms.

use serde::Serialize;

use super::resource_type;
use crate::model::Expr;

/// `AWS::CloudWatch::Alarm` on one metric or on metric math; `Ref` is its name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Alarm {
    pub alarm_description: String,
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    pub dimensions: Option<Vec<Dimension>>,
    pub statistic: Option<String>,
    pub extended_statistic: Option<String>,
    pub period: Option<u32>,
    pub metrics: Option<Vec<MetricDataQuery>>,
    pub evaluation_periods: u32,
    pub datapoints_to_alarm: u32,
    pub threshold: f64,
    pub comparison_operator: String,
    pub treat_missing_data: String,
    pub alarm_actions: Vec<Expr<String>>,
    #[serde(rename = "OKActions")]
    pub ok_actions: Vec<Expr<String>>,
}
resource_type!(Alarm, "AWS::CloudWatch::Alarm");

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Dimension {
    pub name: String,
    pub value: Expr<String>,
}

/// A metric or a math expression over other queries.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricDataQuery {
    pub id: String,
    pub label: Option<String>,
    pub expression: Option<String>,
    pub metric_stat: Option<MetricStat>,
    pub return_data: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricStat {
    pub metric: Metric,
    pub period: u32,
    pub stat: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Metric {
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: Vec<Dimension>,
}
