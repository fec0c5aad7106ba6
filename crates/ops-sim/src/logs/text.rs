//! What a container instance's lines say: its startup, its requests (or
//! jobs, for a worker) with warnings and 5xx errors, and its last words;
//! for a Job's container, its script and result.

use super::{Finals, Instance, mix};

impl Instance {
    pub(super) fn startup_line(&self, j: usize) -> String {
        let (app, ns) = (&self.app, &self.namespace);
        let commit = mix(self.seed ^ 0xc0) & 0xfff_ffff;
        if self.batch {
            return self.script_line(j, commit);
        }
        match (j, self.worker) {
            (0, _) => format!(
                "starting {app} version={} commit={commit:07x} go=go1.23.4 pid=1",
                self.version
            ),
            (1, _) => {
                format!("config loaded from /etc/{app}/config.yaml env=production log_level=info")
            }
            (2, _) => format!("connected to postgres host=postgres.{ns}.svc:5432 db=shop pool=20"),
            (3, false) => format!("connected to redis addr=redis.{ns}.svc:6379 db=0"),
            (3, true) => format!(
                "connected to rabbitmq url=amqp://rabbitmq.{ns}.svc:5672 queue=orders prefetch=10"
            ),
            (_, false) => "listening on :8080 metrics=:9090".to_string(),
            (_, true) => "consuming queue=orders concurrency=4".to_string(),
        }
    }

    pub(super) fn request_line(&self, k: u64) -> (&'static str, String) {
        let r = mix(self.seed.wrapping_add(k.wrapping_mul(0x9e37_79b9)));
        let pick = |n: u64, shift: u32| ((r >> shift) % n) as usize;
        let id = 10_000 + (r >> 20) % 90_000;
        let rid = (r >> 8) & 0xffff_ffff;
        let roll = r % 100;
        if self.worker {
            const JOBS: [&str; 5] = [
                "order.confirm",
                "email.send",
                "invoice.render",
                "stock.reserve",
                "payment.capture",
            ];
            let job = JOBS[pick(5, 40)];
            let ms = 15 + (r >> 32) % 180;
            return match roll {
                r if self.errors && r < 20 => (
                    "ERROR",
                    format!(
                        "job failed queue=orders job={job} id={id} attempt=3 err=\"upstream returned 503 Service Unavailable\""
                    ),
                ),
                0..=3 => (
                    "WARN",
                    format!(
                        "job retry queue=orders job={job} id={id} attempt=2 err=\"context deadline exceeded\""
                    ),
                ),
                _ => (
                    "INFO",
                    format!("job done queue=orders job={job} id={id} duration={ms}ms"),
                ),
            };
        }
        const ROUTES: [(&str, &str); 8] = [
            ("GET", "/v1/products?page="),
            ("GET", "/v1/products/"),
            ("GET", "/v1/orders/"),
            ("POST", "/v1/orders"),
            ("GET", "/v1/cart/"),
            ("PUT", "/v1/cart/"),
            ("POST", "/v1/checkout"),
            ("GET", "/v1/users/"),
        ];
        let (method, route) = ROUTES[pick(8, 40)];
        let path = if route.ends_with('=') {
            format!("{route}{}", 1 + id % 12)
        } else if route.ends_with('/') {
            format!("{route}{id}")
        } else {
            route.to_string()
        };
        let ms = 2 + (r >> 32) % 45;
        if self.errors && roll < 20 {
            let (status, secs, err) = if roll < 12 {
                (503, "30.002s", "upstream payments unavailable")
            } else {
                (500, "0.041s", "pq: deadlock detected")
            };
            return (
                "ERROR",
                format!(
                    "request failed method={method} path={path} status={status} duration={secs} request_id={rid:08x} err=\"{err}\""
                ),
            );
        }
        if roll < 4 {
            let slow = 1000 + (r >> 32) % 2500;
            return (
                "WARN",
                format!(
                    "slow request method={method} path={path} status=200 duration={}.{:03}s request_id={rid:08x}",
                    slow / 1000,
                    slow % 1000
                ),
            );
        }
        let status = match (method, roll) {
            ("GET", 4..=7) if route.ends_with('/') => 404,
            ("POST", _) => 201,
            ("GET", 8..=15) => 304,
            _ => 200,
        };
        (
            "INFO",
            format!(
                "request method={method} path={path} status={status} duration={ms}ms request_id={rid:08x}"
            ),
        )
    }

    fn migrates(&self) -> bool {
        self.app.contains("migrat")
    }

    /// Line `j` of a Job's script: a migration tool's steps, or batches.
    fn script_line(&self, j: usize, commit: u64) -> String {
        let (app, ns) = (&self.app, &self.namespace);
        let run = mix(self.seed ^ 0x5c) & 0xffff_ffff;
        // How long the step that line `i` ends took, in milliseconds.
        let step = |i: usize| self.time_at(i) - self.time_at(i - 1);
        match j {
            0 => format!(
                "starting {app} version={} commit={commit:07x} go=go1.23.4 pid=1",
                self.version
            ),
            1 => format!("connected to postgres host=postgres.{ns}.svc:5432 db=shop pool=2"),
            _ if self.migrates() => match j {
                2 => "acquired migration lock lock_id=72707369".to_string(),
                3 => "current schema version=0041 target=0043 pending=2".to_string(),
                4 => "applying migration 0042_add_refunds".to_string(),
                5 => format!("applied migration 0042_add_refunds duration={}ms", step(5)),
                6 => "applying migration 0043_index_orders_created_at".to_string(),
                _ => format!(
                    "applied migration 0043_index_orders_created_at duration={}ms",
                    step(7)
                ),
            },
            2 => format!("job started job={app} run_id={run:08x}"),
            3 => "processed batch=1/4 rows=2500".to_string(),
            4 => "processed batch=2/4 rows=2500".to_string(),
            5 => "processed batch=3/4 rows=2500".to_string(),
            6 => format!("processed batch=4/4 rows={}", 1000 + run % 1500),
            _ => "all batches processed".to_string(),
        }
    }

    /// A Job's last two lines: its result, or its error.
    fn script_end(&self, j: usize) -> (&'static str, String) {
        let (app, ns) = (&self.app, &self.namespace);
        match (self.finals, self.migrates(), j) {
            (Finals::Done, true, 0) => ("INFO", "schema is up to date version=0043".into()),
            (Finals::Done, true, _) => (
                "INFO",
                "released migration lock lock_id=72707369".into(),
            ),
            (Finals::Done, false, 0) => ("INFO", format!("{app} finished status=success")),
            (Finals::Done, false, _) => ("INFO", "exiting with status 0".into()),
            (_, true, 0) => (
                "ERROR",
                "migration 0042_add_refunds failed: pq: column \"refund_id\" of relation \"orders\" already exists".into(),
            ),
            (_, true, _) => (
                "FATAL",
                format!("{app}: migrations failed, schema left at version=0041, exiting with status 1"),
            ),
            (_, false, 0) => (
                "ERROR",
                format!("batch=3/4 failed: GET http://api.{ns}.svc/v1/orders?page=3: 500 Internal Server Error"),
            ),
            (_, false, _) => (
                "FATAL",
                format!("{app}: job failed after 2 of 4 batches, exiting with status 1"),
            ),
        }
    }

    pub(super) fn final_line(&self, j: usize) -> (&'static str, String) {
        let app = &self.app;
        if self.batch {
            return self.script_end(j);
        }
        match self.finals {
            Finals::Crash if self.seed.is_multiple_of(2) => match j {
                0 => (
                    "ERROR",
                    "config: required setting PAYMENTS_URL is not set".to_string(),
                ),
                _ => (
                    "FATAL",
                    format!("{app}: invalid configuration, exiting with status 1"),
                ),
            },
            Finals::Crash => match j {
                0 => (
                    "ERROR",
                    "migrate: migration 0042_add_refunds failed: column \"refund_id\" does not exist"
                        .to_string(),
                ),
                _ => (
                    "FATAL",
                    "panic: database schema is not migrated, exiting with status 1".to_string(),
                ),
            },
            _ => match j {
                0 => (
                    "INFO",
                    "received SIGTERM, draining connections timeout=30s".to_string(),
                ),
                1 => ("INFO", "server stopped in_flight=0".to_string()),
                _ => ("INFO", format!("{app} shutdown complete")),
            },
        }
    }
}
