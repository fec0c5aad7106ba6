//! Where a data source reports: the channel of whoever started it, and how
//! a report (with the connection or stream number it belongs to) becomes
//! one of that channel's messages. Sources know their own report types
//! only; the dashboard wraps them in its messages.

use tokio::sync::mpsc;

pub struct Sink<M, R> {
    pub tx: mpsc::Sender<M>,
    pub wrap: fn(u64, R) -> M,
}

impl<M, R> Sink<M, R> {
    /// Sends one report; false when the receiver is gone.
    pub async fn send(&self, number: u64, report: R) -> bool {
        self.tx.send((self.wrap)(number, report)).await.is_ok()
    }

    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

impl<M, R> Clone for Sink<M, R> {
    fn clone(&self) -> Self {
        Sink {
            tx: self.tx.clone(),
            wrap: self.wrap,
        }
    }
}
