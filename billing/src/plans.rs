//! Plans and their entitlements. The table is data (`policies/plans.toml`), compiled
//! into the binary and parsed once; the unit tests below pin every limit.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

const PLANS_TOML: &str = include_str!("../../policies/plans.toml");

/// A plan an organization can be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    Free,
    Team,
    Business,
}

impl Plan {
    /// Every plan.
    pub const ALL: [Plan; 3] = [Plan::Free, Plan::Team, Plan::Business];

    /// The name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Team => "team",
            Plan::Business => "business",
        }
    }

    /// What this plan grants.
    pub fn limits(self) -> &'static PlanLimits {
        // Every plan has an entry: `parse_plans` refuses a file without one.
        &PLANS[&self]
    }

    /// Whether this plan is sold through Stripe.
    pub fn is_paid(self) -> bool {
        self != Plan::Free
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A plan name that is not one of [`Plan::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown plan `{0}`")]
pub struct UnknownPlan(pub String);

impl FromStr for Plan {
    type Err = UnknownPlan;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Plan::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownPlan(s.to_owned()))
    }
}

/// How many seats a plan allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatLimit {
    /// A fixed number.
    Fixed(u32),
    /// As many as the subscription's quantity.
    Bought,
}

/// The entitlements of one plan; `None` is unlimited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLimits {
    pub seats: SeatLimit,
    pub projects: Option<u32>,
    pub attachment_bytes: Option<u64>,
}

impl PlanLimits {
    /// The seat limit given the seats bought (the subscription quantity, if any).
    pub fn seat_limit(&self, bought: Option<u32>) -> Option<u32> {
        match self.seats {
            SeatLimit::Fixed(n) => Some(n),
            // Until a subscription tells us its quantity, the free allowance holds.
            SeatLimit::Bought => Some(bought.unwrap_or(match PLANS[&Plan::Free].seats {
                SeatLimit::Fixed(n) => n,
                SeatLimit::Bought => 1,
            })),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlansFile {
    plans: BTreeMap<String, PlanEntry>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum SeatsEntry {
    Fixed(u32),
    Word(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanEntry {
    #[allow(dead_code)]
    description: String,
    seats: SeatsEntry,
    projects: Option<u32>,
    attachment_bytes: Option<u64>,
}

fn parse_plans(text: &str) -> Result<BTreeMap<Plan, PlanLimits>, String> {
    let file: PlansFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for (name, entry) in file.plans {
        let plan: Plan = name.parse().map_err(|e: UnknownPlan| e.to_string())?;
        let seats = match entry.seats {
            SeatsEntry::Fixed(n) if n > 0 => SeatLimit::Fixed(n),
            SeatsEntry::Word(w) if w == "bought" => SeatLimit::Bought,
            _ => {
                return Err(format!(
                    "plan `{name}`: seats must be a positive number or \"bought\""
                ));
            }
        };
        out.insert(
            plan,
            PlanLimits {
                seats,
                projects: entry.projects,
                attachment_bytes: entry.attachment_bytes,
            },
        );
    }
    for plan in Plan::ALL {
        if !out.contains_key(&plan) {
            return Err(format!("plan `{plan}` has no entry"));
        }
    }
    if out[&Plan::Free].seats == SeatLimit::Bought {
        return Err("the free plan cannot have bought seats".to_owned());
    }
    Ok(out)
}

impl PartialOrd for Plan {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Plan {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

// The file is part of the binary, so a parse failure is a build defect caught by the
// tests below, never a runtime condition.
static PLANS: LazyLock<BTreeMap<Plan, PlanLimits>> =
    LazyLock::new(|| match parse_plans(PLANS_TOML) {
        Ok(plans) => plans,
        Err(e) => panic!("policies/plans.toml is invalid: {e}"),
    });

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    #[test]
    fn free_plan_grants_five_seats_three_projects_and_one_gib() {
        assert_eq!(
            Plan::Free.limits(),
            &PlanLimits {
                seats: SeatLimit::Fixed(5),
                projects: Some(3),
                attachment_bytes: Some(GIB),
            }
        );
    }

    #[test]
    fn paid_plans_sell_seats_and_grow_the_other_limits() {
        assert_eq!(
            Plan::Team.limits(),
            &PlanLimits {
                seats: SeatLimit::Bought,
                projects: Some(50),
                attachment_bytes: Some(100 * GIB),
            }
        );
        assert_eq!(
            Plan::Business.limits(),
            &PlanLimits {
                seats: SeatLimit::Bought,
                projects: None,
                attachment_bytes: Some(1024 * GIB),
            }
        );
    }

    #[test]
    fn seat_limit_is_the_quantity_bought_on_paid_plans() {
        assert_eq!(Plan::Free.limits().seat_limit(Some(40)), Some(5));
        assert_eq!(Plan::Team.limits().seat_limit(Some(12)), Some(12));
        assert_eq!(Plan::Team.limits().seat_limit(None), Some(5));
    }

    #[test]
    fn plan_names_round_trip() {
        for plan in Plan::ALL {
            assert_eq!(plan.as_str().parse::<Plan>().ok(), Some(plan));
        }
        assert!("enterprise".parse::<Plan>().is_err());
    }

    #[test]
    fn a_file_missing_a_plan_or_with_bad_seats_is_rejected() {
        let missing = "[plans.free]\ndescription = \"x\"\nseats = 5\n";
        assert!(parse_plans(missing).unwrap_err().contains("has no entry"));
        let bad = PLANS_TOML.replacen("seats = 5", "seats = \"many\"", 1);
        assert!(parse_plans(&bad).unwrap_err().contains("seats"));
        let unknown = format!("{PLANS_TOML}\n[plans.gold]\ndescription = \"x\"\nseats = 1\n");
        assert!(parse_plans(&unknown).unwrap_err().contains("unknown plan"));
    }
}
