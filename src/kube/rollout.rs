//! Rollout status, decided exactly as `kubectl rollout status` decides it,
//! plus paused. Pure functions over the slim projection of a Deployment.

use super::model::DeploymentRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollout {
    /// generation is newer than observedGeneration.
    Waiting,
    /// The rollout is under way; the text is kubectl's.
    Progressing(String),
    /// Progressing=False with reason ProgressDeadlineExceeded.
    Failed(String),
    /// spec.paused (with the rollout state underneath).
    Paused(String),
    Complete,
}

impl Rollout {
    /// One word for the state.
    pub fn word(&self) -> &'static str {
        match self {
            Rollout::Waiting => "waiting",
            Rollout::Progressing(_) => "rolling",
            Rollout::Failed(_) => "failed",
            Rollout::Paused(_) => "paused",
            Rollout::Complete => "complete",
        }
    }

    /// The sentence kubectl would print.
    pub fn message(&self, name: &str) -> String {
        match self {
            Rollout::Waiting => "Waiting for deployment spec update to be observed...".into(),
            Rollout::Progressing(m) | Rollout::Paused(m) => m.clone(),
            Rollout::Failed(m) => m.clone(),
            Rollout::Complete => format!("deployment \"{name}\" successfully rolled out"),
        }
    }

    /// Problems first when sorting rows: failed, waiting/rolling, paused, complete.
    pub fn rank(&self) -> u8 {
        match self {
            Rollout::Failed(_) => 0,
            Rollout::Progressing(_) | Rollout::Waiting => 1,
            Rollout::Paused(_) => 2,
            Rollout::Complete => 3,
        }
    }
}

/// kubectl's DeploymentStatusViewer, then paused on top.
pub fn status(d: &DeploymentRow) -> Rollout {
    let inner = kubectl_status(d);
    if d.paused {
        let under = match &inner {
            Rollout::Complete => format!("deployment \"{}\" is paused (rollout complete)", d.name),
            other => format!("paused: {}", other.message(&d.name)),
        };
        return Rollout::Paused(under);
    }
    inner
}

fn kubectl_status(d: &DeploymentRow) -> Rollout {
    if d.generation > d.observed_generation {
        return Rollout::Waiting;
    }
    if d.progressing_reason.as_deref() == Some("ProgressDeadlineExceeded") {
        return Rollout::Failed(format!(
            "deployment \"{}\" exceeded its progress deadline",
            d.name
        ));
    }
    let name = &d.name;
    if d.updated < d.desired {
        return Rollout::Progressing(format!(
            "Waiting for deployment \"{name}\" rollout to finish: {} out of {} new replicas have been updated...",
            d.updated, d.desired
        ));
    }
    if d.replicas > d.updated {
        return Rollout::Progressing(format!(
            "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...",
            d.replicas - d.updated
        ));
    }
    if d.available < d.updated {
        return Rollout::Progressing(format!(
            "Waiting for deployment \"{name}\" rollout to finish: {} of {} updated replicas are available...",
            d.available, d.updated
        ));
    }
    Rollout::Complete
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> DeploymentRow {
        DeploymentRow {
            name: "api".into(),
            generation: 2,
            observed_generation: 2,
            desired: 3,
            replicas: 3,
            updated: 3,
            ready: 3,
            available: 3,
            ..DeploymentRow::default()
        }
    }

    #[test]
    fn complete() {
        assert_eq!(status(&row()), Rollout::Complete);
        assert_eq!(
            status(&row()).message("api"),
            "deployment \"api\" successfully rolled out"
        );
    }

    #[test]
    fn spec_not_yet_observed() {
        let d = DeploymentRow {
            generation: 3,
            ..row()
        };
        assert_eq!(status(&d), Rollout::Waiting);
        assert_eq!(
            status(&d).message("api"),
            "Waiting for deployment spec update to be observed..."
        );
    }

    #[test]
    fn progress_deadline_exceeded() {
        let d = DeploymentRow {
            progressing_reason: Some("ProgressDeadlineExceeded".into()),
            updated: 1,
            ..row()
        };
        assert_eq!(
            status(&d),
            Rollout::Failed("deployment \"api\" exceeded its progress deadline".into())
        );
    }

    #[test]
    fn new_replicas_not_all_updated() {
        let d = DeploymentRow {
            updated: 1,
            replicas: 4,
            ..row()
        };
        assert_eq!(
            status(&d).message("api"),
            "Waiting for deployment \"api\" rollout to finish: 1 out of 3 new replicas have been updated..."
        );
    }

    #[test]
    fn old_replicas_pending_termination() {
        let d = DeploymentRow {
            replicas: 4,
            ..row()
        };
        assert_eq!(
            status(&d).message("api"),
            "Waiting for deployment \"api\" rollout to finish: 1 old replicas are pending termination..."
        );
    }

    #[test]
    fn updated_replicas_not_all_available() {
        let d = DeploymentRow {
            available: 2,
            ..row()
        };
        assert_eq!(
            status(&d).message("api"),
            "Waiting for deployment \"api\" rollout to finish: 2 of 3 updated replicas are available..."
        );
    }

    #[test]
    fn paused_wraps_the_state_underneath() {
        let d = DeploymentRow {
            paused: true,
            ..row()
        };
        assert_eq!(
            status(&d),
            Rollout::Paused("deployment \"api\" is paused (rollout complete)".into())
        );
        let d = DeploymentRow {
            paused: true,
            updated: 1,
            ..row()
        };
        assert!(
            status(&d).message("api").starts_with(
                "paused: Waiting for deployment \"api\" rollout to finish: 1 out of 3"
            )
        );
    }

    #[test]
    fn problems_sort_first() {
        let mut states = [
            Rollout::Complete,
            Rollout::Paused(String::new()),
            Rollout::Waiting,
            Rollout::Failed(String::new()),
        ];
        states.sort_by_key(Rollout::rank);
        assert_eq!(states[0].word(), "failed");
        assert_eq!(states[3].word(), "complete");
    }
}
