//! The dashboard's view of a live cluster, fed by the real watches over
//! HTTP from the simulator: it converges and stays right through dropped
//! watches, restarts and relists, and what happens to the workloads
//! reaches the Timeline.

mod namespaces;
mod timeline_events;
mod watch;
