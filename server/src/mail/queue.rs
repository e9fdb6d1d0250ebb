//! The background delivery queue in front of a network transport (SMTP, the
//! SMS webhook). `send` only checks and queues a message, as Cognito hands
//! a message to SES or SNS and answers; a task then delivers it, each
//! attempt bounded by the timeout, retrying with backoff. A mail server that
//! is slow, hung or down never holds up a request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use cognate_core::error::{CognitoError, Result};
use cognate_core::service::messages::{MessageSender, OutgoingMessage};
use tokio::sync::{Notify, Semaphore};

/// Messages accepted but not yet delivered or given up, across transports;
/// past this, `send` refuses (CodeDeliveryFailureException).
const CAPACITY: u64 = 10_000;
/// Attempts in flight at once, per transport.
const CONCURRENCY: usize = 4;
/// The wait before the first retry; each further wait is four times longer
/// (2 s, 8 s, 32 s, …).
const FIRST_BACKOFF: Duration = Duration::from_secs(2);

/// Why one attempt failed. Permanent failures (an SMTP 5xx reply, an HTTP
/// 4xx) are not retried. The reason never holds the message's body.
#[derive(Debug)]
pub struct Failure {
    pub permanent: bool,
    pub reason: String,
}

/// A way out to the network.
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// The message in the transport's own form, built once.
    type Prepared: Send + Sync + 'static;
    /// What logs call the transport.
    const NAME: &'static str;
    /// Checks and builds a message; an error refuses it at once.
    fn prepare(&self, message: &OutgoingMessage) -> std::result::Result<Self::Prepared, String>;
    /// One attempt at delivery.
    async fn deliver(&self, prepared: &Self::Prepared) -> std::result::Result<(), Failure>;
}

/// Counts of what the queues did, for logs, tests and operators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Accepted and not yet delivered or given up.
    pub pending: u64,
    pub delivered: u64,
    /// Attempts that failed and were tried again.
    pub retried: u64,
    /// Messages given up after their last attempt, or permanently refused.
    pub failed: u64,
}

/// Shared by the queues of one server: the count of pending messages,
/// bounded by [`CAPACITY`], and the counters.
#[derive(Default)]
pub struct Tracker {
    pending: AtomicU64,
    idle: Notify,
    delivered: AtomicU64,
    retried: AtomicU64,
    failed: AtomicU64,
}

impl Tracker {
    pub fn stats(&self) -> Stats {
        Stats {
            pending: self.pending.load(Ordering::SeqCst),
            delivered: self.delivered.load(Ordering::Relaxed),
            retried: self.retried.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }

    /// Waits until nothing is pending, for at most `within`; false if
    /// messages were still pending then.
    pub async fn drain(&self, within: Duration) -> bool {
        tokio::time::timeout(within, async {
            loop {
                let idle = self.idle.notified();
                if self.pending.load(Ordering::SeqCst) == 0 {
                    return;
                }
                idle.await;
            }
        })
        .await
        .is_ok()
    }

    /// Counts a message in, unless the queues are full.
    fn admit(self: &Arc<Self>) -> Option<Pending> {
        if self.pending.fetch_add(1, Ordering::SeqCst) >= CAPACITY {
            self.pending.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Pending(self.clone()))
    }
}

/// One pending message; counted out when dropped, however its task ends.
struct Pending(Arc<Tracker>);

impl Drop for Pending {
    fn drop(&mut self) {
        if self.0.pending.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// How long one attempt may take and how often to try again.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub timeout: Duration,
    pub retries: u32,
}

impl RetryPolicy {
    fn backoff(&self, retry: u32) -> Duration {
        FIRST_BACKOFF.saturating_mul(4u32.saturating_pow(retry.saturating_sub(1)))
    }
}

/// A [`MessageSender`] that queues for a [`Transport`].
pub struct Queue<T: Transport> {
    transport: Arc<T>,
    policy: RetryPolicy,
    tracker: Arc<Tracker>,
    attempts: Arc<Semaphore>,
}

impl<T: Transport> Queue<T> {
    pub fn new(transport: T, policy: RetryPolicy, tracker: Arc<Tracker>) -> Self {
        Self {
            transport: Arc::new(transport),
            policy,
            tracker,
            attempts: Arc::new(Semaphore::new(CONCURRENCY)),
        }
    }
}

fn refused() -> CognitoError {
    CognitoError::CodeDeliveryFailure("Unable to deliver the message.".into())
}

#[async_trait]
impl<T: Transport> MessageSender for Queue<T> {
    async fn send(&self, message: &OutgoingMessage) -> Result<()> {
        let pool = message.pool_id.clone();
        let channel = message.channel.as_str();
        let prepared = self.transport.prepare(message).map_err(|reason| {
            tracing::warn!(transport = T::NAME, %pool, channel, %reason, "message refused");
            refused()
        })?;
        let Some(pending) = self.tracker.admit() else {
            tracing::error!(
                transport = T::NAME,
                %pool,
                channel,
                "delivery queue full: message refused"
            );
            return Err(refused());
        };
        let (transport, policy, tracker, attempts) = (
            self.transport.clone(),
            self.policy,
            self.tracker.clone(),
            self.attempts.clone(),
        );
        tokio::spawn(async move {
            let _pending = pending;
            let mut attempt = 0;
            loop {
                attempt += 1;
                let outcome = {
                    let _slot = attempts.acquire().await;
                    tokio::time::timeout(policy.timeout, transport.deliver(&prepared)).await
                };
                let failure = match outcome {
                    Ok(Ok(())) => {
                        tracker.delivered.fetch_add(1, Ordering::Relaxed);
                        tracing::debug!(transport = T::NAME, %pool, channel, attempt, "delivered");
                        return;
                    }
                    Ok(Err(f)) => f,
                    Err(_) => Failure {
                        permanent: false,
                        reason: format!("no answer within {:?}", policy.timeout),
                    },
                };
                let reason = failure.reason;
                if failure.permanent || attempt > policy.retries {
                    tracker.failed.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(
                        transport = T::NAME,
                        %pool,
                        channel,
                        attempt,
                        permanent = failure.permanent,
                        %reason,
                        "delivery failed: message dropped"
                    );
                    return;
                }
                tracker.retried.fetch_add(1, Ordering::Relaxed);
                let wait = policy.backoff(attempt);
                tracing::warn!(
                    transport = T::NAME,
                    %pool,
                    channel,
                    attempt,
                    %reason,
                    retry_in = ?wait,
                    "delivery failed: will retry"
                );
                tokio::time::sleep(wait).await;
            }
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognate_core::crypto::SecretString;
    use cognate_core::store::outbox::Channel;
    use std::sync::Mutex;

    /// Fails as scripted, then succeeds; records each attempt.
    struct Scripted {
        failures: Mutex<Vec<Failure>>,
        hang: bool,
        attempts: AtomicU64,
    }

    #[async_trait]
    impl Transport for Scripted {
        type Prepared = String;
        const NAME: &'static str = "scripted";
        fn prepare(&self, m: &OutgoingMessage) -> std::result::Result<String, String> {
            if m.destination.is_empty() {
                return Err("no destination".into());
            }
            Ok(m.destination.clone())
        }
        async fn deliver(&self, _: &String) -> std::result::Result<(), Failure> {
            self.attempts.fetch_add(1, Ordering::SeqCst);
            if self.hang {
                std::future::pending::<()>().await;
            }
            match self.failures.lock().unwrap().pop() {
                Some(f) => Err(f),
                None => Ok(()),
            }
        }
    }

    fn message(to: &str) -> OutgoingMessage {
        OutgoingMessage {
            pool_id: "us-east-1_x".into(),
            channel: Channel::Email,
            destination: to.into(),
            subject: None,
            body: SecretString::new("code 1"),
            html: None,
        }
    }

    fn queue(failures: Vec<Failure>, hang: bool, retries: u32) -> (Queue<Scripted>, Arc<Tracker>) {
        let tracker = Arc::new(Tracker::default());
        let q = Queue::new(
            Scripted {
                failures: Mutex::new(failures),
                hang,
                attempts: AtomicU64::new(0),
            },
            RetryPolicy {
                timeout: Duration::from_secs(5),
                retries,
            },
            tracker.clone(),
        );
        (q, tracker)
    }

    fn transient() -> Failure {
        Failure {
            permanent: false,
            reason: "421 try later".into(),
        }
    }

    // Paused time: the backoff and timeouts elapse at once, and in order.
    #[tokio::test(start_paused = true)]
    async fn transient_failures_are_retried_with_backoff() {
        let (q, tracker) = queue(vec![transient(), transient()], false, 3);
        let started = tokio::time::Instant::now();
        q.send(&message("a@example.com")).await.unwrap();
        assert!(tracker.drain(Duration::from_secs(60)).await);
        assert_eq!(
            tracker.stats(),
            Stats {
                pending: 0,
                delivered: 1,
                retried: 2,
                failed: 0
            }
        );
        // 2 s, then 8 s.
        assert_eq!(started.elapsed(), Duration::from_secs(10));
        assert_eq!(q.transport.attempts.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn permanent_failures_are_not_retried() {
        let (q, tracker) = queue(
            vec![Failure {
                permanent: true,
                reason: "550 no such user".into(),
            }],
            false,
            3,
        );
        q.send(&message("a@example.com")).await.unwrap();
        assert!(tracker.drain(Duration::from_secs(60)).await);
        assert_eq!(tracker.stats().failed, 1);
        assert_eq!(q.transport.attempts.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_hung_transport_times_out_and_is_given_up() {
        let (q, tracker) = queue(vec![], true, 1);
        q.send(&message("a@example.com")).await.unwrap();
        assert_eq!(tracker.stats().pending, 1);
        assert!(tracker.drain(Duration::from_secs(60)).await);
        assert_eq!(
            tracker.stats(),
            Stats {
                pending: 0,
                delivered: 0,
                retried: 1,
                failed: 1
            }
        );
        assert_eq!(q.transport.attempts.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn messages_the_transport_cannot_build_are_refused_at_once() {
        let (q, tracker) = queue(vec![], false, 3);
        let err = q.send(&message("")).await.unwrap_err();
        assert_eq!(err.wire_name(), "CodeDeliveryFailureException");
        assert_eq!(tracker.stats(), Stats::default());
    }
}
