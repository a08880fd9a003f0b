//! The delivery queue of a local run (`usher serve`, the tests): wake-ups go over an in-process
//! channel to one background task that sends them one at a time at a set pace. The queued state
//! itself is in the store (delivery `pending`), so wake-ups lost with the process are queued
//! again by the sweep, exactly as on AWS.

use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, watch};
use usher_domain::Deps;
use usher_domain::ports::{DeliveryJob, DeliveryQueue, QueueError};
use usher_domain::usecases::delivery::{Pace, Processed};

/// An in-process delivery queue and its worker.
pub struct LocalQueue {
    tx: mpsc::UnboundedSender<DeliveryJob>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<DeliveryJob>>>,
    /// Jobs queued and not yet processed.
    outstanding: watch::Sender<usize>,
}

impl LocalQueue {
    /// A queue with no worker yet (`start` one, or `drain` it).
    pub fn new() -> Arc<Self> {
        let (tx, rx) = mpsc::unbounded_channel();
        Arc::new(Self { tx, rx: Mutex::new(Some(rx)), outstanding: watch::Sender::new(0) })
    }

    fn take_receiver(&self) -> Option<mpsc::UnboundedReceiver<DeliveryJob>> {
        self.rx.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
    }

    /// Starts the worker on the current tokio runtime, sending at most `per_second` emails a
    /// second (0: unpaced). Only the first call starts one.
    pub fn start(self: &Arc<Self>, deps: Deps, per_second: u32) {
        let Some(mut rx) = self.take_receiver() else { return };
        let queue = Arc::clone(self);
        tokio::spawn(async move {
            let mut pace = Pace::per_second(per_second);
            while let Some(job) = rx.recv().await {
                queue.run(&deps, &mut pace, &job).await;
            }
        });
    }

    async fn run(&self, deps: &Deps, pace: &mut Pace, job: &DeliveryJob) {
        match pace.process(deps, job).await {
            Ok(Processed::Sent | Processed::Failed | Processed::Skipped) => {}
            // The store is unreachable: the item stays due and the sweep queues it again.
            Err(e) => tracing::error!(error = %e, "a delivery could not be processed; the sweep will queue it again"),
        }
        self.outstanding.send_modify(|n| *n = n.saturating_sub(1));
    }

    /// Processes everything queued so far in this task (for one-shot commands, which have no
    /// worker). Does nothing once a worker was started.
    pub async fn drain(&self, deps: &Deps, per_second: u32) {
        let Some(mut rx) = self.take_receiver() else { return };
        let mut pace = Pace::per_second(per_second);
        while let Ok(job) = rx.try_recv() {
            self.run(deps, &mut pace, &job).await;
        }
        *self.rx.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(rx);
    }

    /// Waits until every job queued so far has been processed (tests: "the worker caught up").
    pub async fn settled(&self) {
        let mut rx = self.outstanding.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }
}

#[async_trait::async_trait]
impl DeliveryQueue for LocalQueue {
    async fn enqueue(&self, jobs: &[DeliveryJob]) -> Result<(), QueueError> {
        self.outstanding.send_modify(|n| *n += jobs.len());
        for job in jobs {
            if self.tx.send(job.clone()).is_err() {
                self.outstanding.send_modify(|n| *n = n.saturating_sub(1));
                return Err(QueueError("the local delivery worker has stopped".into()));
            }
        }
        Ok(())
    }
}
