//! What the Signals pane knows: each signal's last reading, its recent
//! values (the range query, then each instant value), when it last
//! answered; and the alerts.

use std::collections::BTreeMap;

use crate::prom::alerts::Alert;
use crate::prom::poller::Tracker;
use crate::prom::signal::Reading;

/// Points kept per signal (30 minutes at 30 s, and then some).
pub const POINTS: usize = 120;

#[derive(Debug, Clone)]
pub struct SignalState {
    pub reading: Option<Reading>,
    pub tracker: Tracker,
}

impl Default for SignalState {
    fn default() -> SignalState {
        SignalState {
            reading: None,
            tracker: Tracker::new(POINTS),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Signals {
    pub signals: BTreeMap<String, SignalState>,
    /// The alerts at the last good answer.
    pub alerts: Vec<Alert>,
    pub alerts_at: Option<i64>,
    pub alerts_error: Option<String>,
    /// The alerting rules loaded at the last good answer, when read (see
    /// `Plan::alert_rules`).
    pub alert_rules: Vec<String>,
    pub alert_rules_at: Option<i64>,
    pub alert_rules_error: Option<String>,
}

pub use crate::prom::plan::SignalMsg;

impl Signals {
    pub fn update(&mut self, msg: SignalMsg) {
        match msg {
            SignalMsg::Reading { name, at, reading } => {
                let s = self.signals.entry(name).or_default();
                use crate::prom::signal::SignalState as S;
                match &reading.state {
                    S::Unreachable(e) | S::Error(e) => s.tracker.bad(e.clone()),
                    _ => s.tracker.good(at, reading.value),
                }
                s.reading = Some(reading);
            }
            SignalMsg::Range { name, points } => {
                self.signals.entry(name).or_default().tracker.seed(&points);
            }
            SignalMsg::Alerts { at, result } => match result {
                Ok(mut alerts) => {
                    // Firing first, then by severity and age.
                    crate::prom::alerts::sort(&mut alerts);
                    self.alerts = alerts;
                    self.alerts_at = Some(at);
                    self.alerts_error = None;
                }
                Err(e) => self.alerts_error = Some(e),
            },
            SignalMsg::AlertRules { at, result } => match result {
                Ok(names) => {
                    self.alert_rules = names;
                    self.alert_rules_at = Some(at);
                    self.alert_rules_error = None;
                }
                Err(e) => self.alert_rules_error = Some(e),
            },
        }
    }
}
