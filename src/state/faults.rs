//! The fault menu: rehearse an incident by breaking a simulated
//! environment on purpose. The faults offered are the demo's
//! (`cmd::demo::FAULTS`); the state knows only what it was given.

/// A fault the menu offers, by its control-endpoint name and parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub label: &'static str,
    pub name: &'static str,
    pub params: &'static [(&'static str, &'static str)],
}

/// The open menu.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultMenu {
    pub selected: usize,
}
