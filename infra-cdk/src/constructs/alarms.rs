//! CloudWatch alarms on the load balancer: 5xx share, p99 latency, unhealthy targets.
//! CodeDeploy watches them and rolls a deployment back when one fires.

use serde::Deserialize;

use super::encryption::EncryptionKey;
use super::service::Service;
use crate::model::{ConditionRef, Expr, Ref, ResourceOptions, Stack, SynthError};
use crate::resources::cloudwatch::{Alarm, Dimension, Metric, MetricDataQuery, MetricStat};
use crate::resources::sns::{Subscription, Topic};

/// Alarm thresholds.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AlarmProps {
    /// Percentage of requests answered with a 5xx (by targets or the load balancer).
    pub error_rate_percent: f64,
    /// p99 of the targets' response time, in seconds.
    pub p99_latency_seconds: f64,
    /// Consecutive minutes over a threshold before an alarm fires.
    pub evaluation_minutes: u32,
}

impl Default for AlarmProps {
    fn default() -> Self {
        Self {
            error_rate_percent: 5.0,
            p99_latency_seconds: 1.0,
            evaluation_minutes: 3,
        }
    }
}

/// The alarms and the topic they notify.
pub struct Alarms {
    /// Every alarm; CodeDeploy rolls back when any fires.
    pub alarms: Vec<Ref<Alarm>>,
    /// Where alarms notify.
    pub topic: Ref<Topic>,
}

const PERIOD: u32 = 60;

impl Alarms {
    /// Adds the alarms. `email` (a parameter) subscribes where `has_email` holds.
    pub fn new(
        stack: &mut Stack,
        props: &AlarmProps,
        service: &Service,
        key: &EncryptionKey,
        email: Expr<String>,
        has_email: &ConditionRef,
    ) -> Result<Self, SynthError> {
        let topic = stack.add(
            "AlarmTopic",
            Topic {
                display_name: Some("Trellis alarms".to_owned()),
                kms_master_key_id: Some(key.arn()),
            },
        )?;
        stack.add_with(
            "AlarmEmailSubscription",
            Subscription {
                topic_arn: topic.reference(),
                protocol: "email".to_owned(),
                endpoint: email,
            },
            ResourceOptions {
                condition: Some(has_email.clone()),
                ..ResourceOptions::default()
            },
        )?;

        let lb = || Dimension {
            name: "LoadBalancer".to_owned(),
            value: service.load_balancer.full_name(),
        };
        let metric = |id: &str, name: &str| MetricDataQuery {
            id: id.to_owned(),
            label: None,
            expression: None,
            metric_stat: Some(MetricStat {
                metric: Metric {
                    namespace: "AWS/ApplicationELB".to_owned(),
                    metric_name: name.to_owned(),
                    dimensions: vec![lb()],
                },
                period: PERIOD,
                stat: "Sum".to_owned(),
            }),
            return_data: false,
        };
        let actions = vec![topic.reference()];
        let base = |description: String, threshold: f64| Alarm {
            alarm_description: description,
            namespace: None,
            metric_name: None,
            dimensions: None,
            statistic: None,
            extended_statistic: None,
            period: None,
            metrics: None,
            evaluation_periods: props.evaluation_minutes,
            datapoints_to_alarm: props.evaluation_minutes,
            threshold,
            comparison_operator: "GreaterThanThreshold".to_owned(),
            treat_missing_data: "notBreaching".to_owned(),
            alarm_actions: actions.clone(),
            ok_actions: actions.clone(),
        };

        let mut alarms = Vec::new();
        alarms.push(stack.add(
            "ErrorRateAlarm",
            Alarm {
                metrics: Some(vec![
                    metric("requests", "RequestCount"),
                    metric("target5xx", "HTTPCode_Target_5XX_Count"),
                    metric("lb5xx", "HTTPCode_ELB_5XX_Count"),
                    MetricDataQuery {
                        id: "rate".to_owned(),
                        label: Some("5xx share (%)".to_owned()),
                        expression: Some(
                            "IF(requests > 0, 100 * (FILL(target5xx, 0) + FILL(lb5xx, 0)) / requests, 0)"
                                .to_owned(),
                        ),
                        metric_stat: None,
                        return_data: true,
                    },
                ]),
                ..base(
                    format!("More than {}% of API requests fail with 5xx", props.error_rate_percent),
                    props.error_rate_percent,
                )
            },
        )?);
        alarms.push(stack.add(
            "LatencyAlarm",
            Alarm {
                namespace: Some("AWS/ApplicationELB".to_owned()),
                metric_name: Some("TargetResponseTime".to_owned()),
                dimensions: Some(vec![lb()]),
                extended_statistic: Some("p99".to_owned()),
                period: Some(PERIOD),
                ..base(
                    format!("API p99 latency above {} s", props.p99_latency_seconds),
                    props.p99_latency_seconds,
                )
            },
        )?);
        for (id, group) in [
            ("BlueUnhealthyHostsAlarm", &service.blue),
            ("GreenUnhealthyHostsAlarm", &service.green),
        ] {
            alarms.push(stack.add(
                id,
                Alarm {
                    namespace: Some("AWS/ApplicationELB".to_owned()),
                    metric_name: Some("UnHealthyHostCount".to_owned()),
                    dimensions: Some(vec![
                        lb(),
                        Dimension {
                            name: "TargetGroup".to_owned(),
                            value: group.full_name(),
                        },
                    ]),
                    statistic: Some("Maximum".to_owned()),
                    period: Some(PERIOD),
                    ..base("A task fails its readiness check (/readyz)".to_owned(), 0.0)
                },
            )?);
        }
        Ok(Self { alarms, topic })
    }
}
