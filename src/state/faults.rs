//! The fault menu of `ops-tui demo`: rehearse an incident by breaking the
//! simulated environment on purpose.

/// A fault the menu offers, by its control-endpoint name and parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub label: &'static str,
    pub name: &'static str,
    pub params: &'static [(&'static str, &'static str)],
}

pub const FAULTS: &[Fault] = &[
    Fault {
        label: "crash-loop the api Deployment",
        name: "crash",
        params: &[("workload", "api")],
    },
    Fault {
        label: "crash-loop the worker Deployment",
        name: "crash",
        params: &[("workload", "worker")],
    },
    Fault {
        label: "raise the api error rate by 20%",
        name: "errors",
        params: &[("service", "api"), ("ratio", "0.2")],
    },
    Fault {
        label: "make api health endpoints hang",
        name: "hang",
        params: &[("service", "api")],
    },
    Fault {
        label: "make worker refuse connections",
        name: "refuse",
        params: &[("service", "worker")],
    },
    Fault {
        label: "expire the api TLS certificate",
        name: "expire-cert",
        params: &[("service", "api"), ("days", "-3")],
    },
    Fault {
        label: "refuse list and watch of pods (RBAC)",
        name: "forbid",
        params: &[("resource", "pods")],
    },
    Fault {
        label: "drop every watch connection",
        name: "drop-watches",
        params: &[],
    },
    Fault {
        label: "restart the API server",
        name: "restart-api",
        params: &[],
    },
    Fault {
        label: "clear every service fault",
        name: "clear",
        params: &[],
    },
];

/// The open menu.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultMenu {
    pub selected: usize,
}
