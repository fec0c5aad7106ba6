//! `--rollback-on-fail`: the rollback the dashboard's `U` opens, decided in
//! advance: to the revision before the failing one (else the newest that
//! is not current, as `kubectl rollout undo` does), dry run first, then
//! executed, every step journaled with the reason; then followed until it
//! completes, within `--timeout`.

use std::time::Instant;

use super::{RolledBack, Setup, Verdict};
use crate::checks::regress::{Guard, check_words};
use crate::cli::GuardArgs;
use crate::kinds::WorkloadKind;
use crate::kube::actions::{Action, ActionError};
use crate::kube::cluster::WorkloadId;
use crate::kube::rollout::Rollout;

/// Why the guard rolls back, for the journal and the output.
fn reason(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Regressed { revision, outcome } => format!(
            "regression of revision {revision}: {} {}",
            check_words(&format!("{}:{}", outcome.kind.word(), outcome.name)),
            outcome.value
        ),
        Verdict::Failed { revision, why } => format!("revision {revision} failed: {why}"),
        _ => "the guard failed".into(),
    }
}

pub(super) async fn undo(
    setup: &Setup,
    conn: &crate::kube::Connection,
    guard: &Guard,
    id: &WorkloadId,
    verdict: &Verdict,
    args: &GuardArgs,
) -> RolledBack {
    let title = setup.title();
    let failing = guard.followed.iter().rev().find(|f| &f.id == id);
    let prefer = failing
        .and_then(|f| f.previous.as_deref())
        .filter(|_| setup.kind == WorkloadKind::Deployment)
        .and_then(|p| p.parse::<i64>().ok());
    let refused = |why: String| RolledBack {
        summary: format!("roll back {title}"),
        result: Err(why),
    };
    let Some(journal) = &setup.journal else {
        return refused("no journal to record it in".into());
    };
    let choices = match crate::kube::rollback::revisions(
        &conn.client,
        setup.kind,
        &conn.namespace,
        &setup.name,
    )
    .await
    {
        Ok(c) => c,
        Err(e) => return refused(e.to_string()),
    };
    let chosen = prefer
        .and_then(|p| choices.iter().find(|c| c.revision == p && !c.current))
        .or_else(|| choices.iter().find(|c| !c.current));
    let Some(chosen) = chosen else {
        return refused(format!("{title} has no other revision to go back to"));
    };
    let mut plan = match &chosen.plan {
        Ok(p) => p.clone(),
        Err(why) => return refused(why.clone()),
    };
    let summary = plan.summary.clone();
    // The journal keeps why.
    plan.summary = format!("{summary} (guard: {})", reason(verdict));
    let action = Action {
        plan,
        journal,
        kube_user: Some(conn.user.clone()),
    };
    setup.say(&format!("{summary}: dry run first"));
    if let Err(e) = action.dry_run(&conn.client, setup.target.read_only).await {
        return RolledBack {
            summary,
            result: Err(format!("the dry run refused it: {e}")),
        };
    }
    let executed = match action.execute(&conn.client, setup.target.read_only).await {
        Ok(_) => Ok(()),
        Err(ActionError::Unanswered(_)) => {
            match action
                .read_back(&conn.client, 12, std::time::Duration::from_secs(5))
                .await
            {
                Some(true) => Ok(()),
                Some(false) => Err("sent, and read back without the change".to_string()),
                None => Err("sent, and no answer since: whether it applied is not known".into()),
            }
        }
        Err(e) => Err(e.to_string()),
    };
    if let Err(why) = executed {
        return RolledBack {
            summary,
            result: Err(why),
        };
    }
    setup.say(&format!("{summary}: sent; following it"));
    RolledBack {
        result: Ok(settle(setup, conn, args).await),
        summary,
    }
}

/// Follows the rollback's own rollout until it completes or fails, within
/// `--timeout`: what became of it.
async fn settle(setup: &Setup, conn: &crate::kube::Connection, args: &GuardArgs) -> String {
    let began = Instant::now();
    // The controller takes a moment to see the new template.
    tokio::time::sleep(args.every.min(std::time::Duration::from_secs(2))).await;
    loop {
        let read = super::super::check::read_cluster(
            conn,
            vec![(setup.kind, setup.name.clone())],
            false,
            false,
        )
        .await;
        let state = read.as_ref().ok().and_then(|c| {
            let w = c.workload(setup.kind, &setup.name)?;
            Some((
                c.rollout(w),
                crate::kube::cluster::ClusterState::revision_key(w),
            ))
        });
        match state {
            Some((Rollout::Complete(_), revision)) => {
                return format!("now revision {}, complete", revision.unwrap_or_default());
            }
            Some((Rollout::Failed(why), _)) => return format!("its rollout failed: {why}"),
            _ if began.elapsed() > args.timeout => {
                return format!(
                    "not complete within {}",
                    humantime::format_duration(args.timeout)
                );
            }
            _ => tokio::time::sleep(args.every).await,
        }
    }
}
