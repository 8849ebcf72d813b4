//! Commands of requests that arrive together, written to Redis together:
//! group commit, as a database's log does it (or Nagle's algorithm with a
//! scheduler turn for its timer).
//!
//! The connection (`redis-rs`'s multiplexed one) has a writer task that
//! writes whatever commands are queued when it runs. Left to itself it
//! runs right after each request that queues one: the request wakes it, and
//! tokio runs a task woken by the running one next (its LIFO slot), so
//! under load every request's command went out in a `writev` of its own,
//! and Redis, on the same core, read and answered each on its own.
//!
//! Here a request hands its command to the store's sender task. Woken, the
//! sender first yields (`yield_now`: it runs again once the worker has run
//! every task that was ready), so the requests that arrived together have
//! all queued theirs; then it starts them all before it waits, and the
//! writer finds them all. A busy server writes tens of requests' commands
//! at once; an idle one (nothing queued or unanswered) sends a command
//! straight away, as Nagle's algorithm does when nothing is in flight.
//!
//! Order is kept: commands start in the order they were queued, and the
//! connection writes them in the order they start, so a command queued
//! after another (a lost answer's mark after the call it marks) reaches
//! Redis after it. Each command keeps its own reply, error included: one
//! request's `NOSCRIPT` or timeout is nobody else's.

use futures_util::stream::{FuturesUnordered, StreamExt};
use redis::aio::ConnectionManager;
use redis::{Cmd, RedisError, RedisResult, Value};
use std::sync::{Arc, Mutex};
use tokio::sync::{oneshot, Notify};

/// The store's handle on its sender task (started with the first command).
pub(super) struct Batcher {
    shared: Arc<Shared>,
    connection: ConnectionManager,
}

struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the sender: a command was queued, or the store is gone.
    wake: Notify,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Waiting>,
    /// Commands started (by the sender, or at once) and not answered yet.
    outstanding: usize,
    started: bool,
    /// The store is gone: the sender ends once its commands are answered.
    closed: bool,
}

/// What [`Batcher::query`] does with a command.
enum Turn {
    /// Sends it now: nothing is queued or unanswered.
    AtOnce,
    /// Waits for the sender's reply; `start`: the sender is to be started.
    Queued {
        replied: oneshot::Receiver<RedisResult<Value>>,
        start: bool,
    },
}

struct Waiting {
    command: Cmd,
    reply: oneshot::Sender<RedisResult<Value>>,
}

impl Batcher {
    pub(super) fn new(connection: ConnectionManager) -> Self {
        Self {
            shared: Arc::new(Shared {
                queue: Mutex::new(Queue::default()),
                wake: Notify::new(),
            }),
            connection,
        }
    }

    /// Sends `command` with the commands queued alongside it and waits for
    /// its reply. Dropped before the reply, the command may still be sent
    /// (as a command whose answer is lost may still have run).
    ///
    /// With nothing queued or unanswered (an idle server), the command is
    /// sent at once, as Nagle's algorithm sends when nothing is in flight:
    /// nothing to wait for, and nothing it could overtake.
    pub(super) async fn query(&self, command: &Cmd) -> RedisResult<Value> {
        let turn = {
            let mut queue = lock(&self.shared.queue);
            if queue.waiting.is_empty() && queue.outstanding == 0 {
                queue.outstanding = 1;
                Turn::AtOnce
            } else {
                let (reply, replied) = oneshot::channel();
                if queue.waiting.is_empty() && queue.started {
                    self.shared.wake.notify_one();
                }
                // The sender's copy: it outlives this call.
                let command = command.clone();
                queue.waiting.push(Waiting { command, reply });
                let start = !queue.started;
                queue.started = true;
                Turn::Queued { replied, start }
            }
        };
        match turn {
            Turn::AtOnce => {
                let _answered = Answered(&self.shared);
                command.query_async(&mut self.connection.clone()).await
            }
            Turn::Queued { replied, start } => {
                if start {
                    let sender = send(Arc::clone(&self.shared), self.connection.clone());
                    tokio::spawn(sender);
                }
                replied.await.unwrap_or_else(|_| Err(gone()))
            }
        }
    }
}

impl Drop for Batcher {
    fn drop(&mut self) {
        lock(&self.shared.queue).closed = true;
        self.shared.wake.notify_one();
    }
}

/// The sender task: each round, after one scheduler turn, starts every
/// queued command, then waits for new ones or for replies.
async fn send(shared: Arc<Shared>, connection: ConnectionManager) {
    let running = Running(shared);
    let shared = &running.0;
    let mut in_flight = FuturesUnordered::new();
    loop {
        // Every waiting command, in the order queued (the first round's
        // were queued before the task existed).
        tokio::task::yield_now().await;
        let (batch, closed) = {
            let mut queue = lock(&shared.queue);
            queue.outstanding += queue.waiting.len();
            (std::mem::take(&mut queue.waiting), queue.closed)
        };
        for Waiting { command, reply } in batch {
            let mut connection = connection.clone();
            in_flight.push(async move {
                let answer = command.query_async::<Value>(&mut connection).await;
                let _ = reply.send(answer);
                Answered(shared)
            });
        }
        if closed {
            while in_flight.next().await.is_some() {}
            return;
        }
        // Polling the new commands here writes them to the connection's
        // queue, one after another, before this task waits: its writer then
        // finds them all.
        loop {
            tokio::select! {
                biased;
                Some(_answered) = in_flight.next(), if !in_flight.is_empty() => {}
                () = shared.wake.notified() => break,
            }
        }
    }
}

/// Marks the sender stopped when its task ends or is dropped (its runtime
/// shut down): the commands still queued fail at once, and the next one
/// starts a new sender.
struct Running(Arc<Shared>);

impl Drop for Running {
    fn drop(&mut self) {
        let mut queue = lock(&self.0.queue);
        queue.started = false;
        queue.waiting.clear();
        // Its unanswered commands were dropped with it.
        queue.outstanding = 0;
    }
}

/// One started command answered (or given up on): counted off when dropped.
struct Answered<'a>(&'a Shared);

impl Drop for Answered<'_> {
    fn drop(&mut self) {
        let mut queue = lock(&self.0.queue);
        queue.outstanding = queue.outstanding.saturating_sub(1);
    }
}

fn gone() -> RedisError {
    RedisError::from((
        redis::ErrorKind::Io,
        "the store's sender stopped before the reply",
    ))
}

fn lock(queue: &Mutex<Queue>) -> std::sync::MutexGuard<'_, Queue> {
    queue
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A relay in front of the Redis on 127.0.0.1:6379, on threads of its
    /// own (a relay on the runtime under test would read only when that
    /// runtime let it), that counts the reads in which the client's bytes
    /// reach it; `None` to skip when there is no Redis and
    /// `OTP_REQUIRE_REDIS` is unset.
    fn counting_relay() -> Option<(String, Arc<Mutex<usize>>)> {
        use std::io::{Read, Write};
        let upstream = match std::net::TcpStream::connect("127.0.0.1:6379") {
            Ok(upstream) => upstream,
            Err(e) => {
                assert!(
                    std::env::var_os("OTP_REQUIRE_REDIS").is_none(),
                    "no Redis on 127.0.0.1:6379 and OTP_REQUIRE_REDIS is set: {e}"
                );
                return None;
            }
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("redis://{}/", listener.local_addr().unwrap());
        let reads = Arc::new(Mutex::new(0));
        let counted = Arc::clone(&reads);
        std::thread::spawn(move || {
            let (mut client, _) = listener.accept().unwrap();
            let (mut to_client, mut from_redis) =
                (client.try_clone().unwrap(), upstream.try_clone().unwrap());
            std::thread::spawn(move || std::io::copy(&mut from_redis, &mut to_client));
            let mut to_redis = upstream;
            let mut buffer = vec![0u8; 1 << 16];
            while let Ok(n @ 1..) = client.read(&mut buffer) {
                *counted.lock().unwrap() += 1;
                if to_redis.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
        });
        Some((url, reads))
    }

    /// 50 requests, each its own task on one busy worker (where tokio's LIFO
    /// slot ran the connection's writer after each of them: 8 to 50 writes
    /// when each is sent on its own), and each gets its own reply, an error
    /// included. At most 3 writes: the first command goes at once (nothing
    /// was in flight), the rest in one batch, or in two when the worker's
    /// periodic maintenance (every 61 tasks) wakes the sender midway.
    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn commands_queued_together_are_written_together() {
        let Some((url, reads)) = counting_relay() else {
            return;
        };
        let client = redis::Client::open(url).unwrap();
        let batcher = Arc::new(Batcher::new(ConnectionManager::new(client).await.unwrap()));
        let ping = batcher.query(&redis::cmd("PING")).await.unwrap();
        assert_eq!(ping, Value::SimpleString("PONG".into()));
        let before = *reads.lock().unwrap();
        // All 50 wait at a gate, then are let through at once, as requests
        // that arrived together would be.
        let (open, gate) = tokio::sync::watch::channel(false);
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let batcher = Arc::clone(&batcher);
                let mut gate = gate.clone();
                tokio::spawn(async move {
                    let command = match i {
                        // A script Redis does not know: NOSCRIPT, for this one only.
                        25 => redis::cmd("EVALSHA").arg("0".repeat(40)).arg(0).clone(),
                        _ => redis::cmd("ECHO").arg(i).clone(),
                    };
                    gate.wait_for(|open| *open).await.unwrap();
                    batcher.query(&command).await
                })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        // Opened from a task on the worker: all 50 are queued there before
        // any of them runs.
        tokio::spawn(async move { open.send_replace(true) })
            .await
            .unwrap();
        for (i, task) in tasks.into_iter().enumerate() {
            let reply = task.await.unwrap();
            match i {
                25 => assert_eq!(
                    reply.unwrap_err().kind(),
                    redis::ErrorKind::Server(redis::ServerErrorKind::NoScript)
                ),
                _ => assert_eq!(reply.unwrap(), Value::BulkString(i.to_string().into())),
            }
        }
        let writes = *reads.lock().unwrap() - before;
        assert!(writes <= 3, "50 commands took {writes} writes");
    }
}
