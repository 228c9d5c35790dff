//! The scylla-rust-driver client of the benchmark harness (see
//! bench/README.md): the same flags, workloads and JSON line as the Go
//! client bench/cmd/cqlbench, on a current-thread tokio runtime with one
//! connection to the node.

use std::alloc::{GlobalAlloc, Layout, System};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::client::PoolSize;
use scylla::statement::batch::{Batch, BatchType};
use scylla::statement::prepared::PreparedStatement;
use scylla::statement::Consistency;

// ---- allocation counting ----

/// Counts heap allocations, their bytes, and the live and peak heap.
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static ALLOC_BYTES: AtomicU64 = AtomicU64::new(0);
static LIVE: AtomicI64 = AtomicI64::new(0);
static PEAK: AtomicI64 = AtomicI64::new(0);

fn note_alloc(size: usize) {
    ALLOCS.fetch_add(1, Relaxed);
    ALLOC_BYTES.fetch_add(size as u64, Relaxed);
    let live = LIVE.fetch_add(size as i64, Relaxed) + size as i64;
    PEAK.fetch_max(live, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        note_alloc(l.size());
        System.alloc(l)
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        note_alloc(l.size());
        System.alloc_zeroed(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as i64, Relaxed);
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        // A growing realloc counts as an allocation, as Go would make one.
        LIVE.fetch_sub(l.size() as i64, Relaxed);
        note_alloc(new);
        System.realloc(p, l, new)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

// ---- the latency histogram: the layout of bench/internal/stats ----

const SUB_BITS: u32 = 7;
const SUB_COUNT: u64 = 1 << SUB_BITS;
const LINEAR_MAX: u64 = 2 * SUB_COUNT;
const NUM_BUCKETS: usize = (LINEAR_MAX + (64 - SUB_BITS as u64 - 1) * SUB_COUNT) as usize;

struct Histogram {
    counts: Vec<AtomicU64>,
    total: AtomicU64,
}

impl Histogram {
    fn new() -> Self {
        Histogram { counts: (0..NUM_BUCKETS).map(|_| AtomicU64::new(0)).collect(), total: AtomicU64::new(0) }
    }
    fn bucket(v: u64) -> usize {
        if v < LINEAR_MAX {
            return v as usize;
        }
        let shift = (64 - v.leading_zeros()) - SUB_BITS - 1;
        (LINEAR_MAX + (shift as u64 - 1) * SUB_COUNT + (v >> shift) - SUB_COUNT) as usize
    }
    fn mid(i: usize) -> f64 {
        let i = i as u64;
        if i < LINEAR_MAX {
            return i as f64;
        }
        let shift = (i - LINEAR_MAX) / SUB_COUNT + 1;
        let m = (i - LINEAR_MAX) % SUB_COUNT + SUB_COUNT;
        (m << shift) as f64 + (1u64 << shift) as f64 / 2.0
    }
    fn record(&self, ns: u64) {
        self.counts[Self::bucket(ns)].fetch_add(1, Relaxed);
        self.total.fetch_add(1, Relaxed);
    }
    fn quantile(&self, q: f64) -> f64 {
        let n = self.total.load(Relaxed);
        if n == 0 {
            return f64::NAN;
        }
        let rank = ((q * n as f64).ceil() as u64).max(1);
        let mut cum = 0;
        for (i, c) in self.counts.iter().enumerate() {
            cum += c.load(Relaxed);
            if cum >= rank {
                return Self::mid(i);
            }
        }
        Self::mid(NUM_BUCKETS - 1)
    }
}

// ---- flags ----

struct Args {
    workload: String,
    inflight: usize,
    target: String,
    addr: String,
    duration: Duration,
    warmup: Duration,
    warmup_max: Duration,
    duration_max: Duration,
    requests: i64,
    timeout: Duration,
}

/// Parses a Go duration of one unit: 300ms, 1.5s, 2m, 250us.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let units = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("ns", 1e-9), ("s", 1.0), ("m", 60.0), ("h", 3600.0)];
    for (u, scale) in units {
        if let Some(num) = s.strip_suffix(u) {
            if let Ok(v) = num.parse::<f64>() {
                return Ok(Duration::from_secs_f64(v * scale));
            }
        }
    }
    Err(format!("bad duration {s}"))
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        workload: "select1".into(),
        inflight: 1,
        target: "sim".into(),
        addr: "127.0.0.1:9042".into(),
        duration: Duration::from_secs(5),
        warmup: Duration::from_secs(1),
        warmup_max: Duration::from_secs(30),
        duration_max: Duration::from_secs(20),
        requests: -1,
        timeout: Duration::from_secs(30),
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let (name, inline) = match argv[i].trim_start_matches('-').split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (argv[i].trim_start_matches('-').to_string(), None),
        };
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                argv.get(i).cloned().ok_or(format!("flag -{name} needs a value"))?
            }
        };
        match name.as_str() {
            "driver" if value == "rust" => {}
            "driver" => return Err(format!("this client is the rust driver, not {value}")),
            "workload" => a.workload = value,
            "inflight" => a.inflight = value.parse().map_err(|e| format!("inflight: {e}"))?,
            "target" => a.target = value,
            "addr" => a.addr = value,
            "duration" => a.duration = parse_duration(&value)?,
            "warmup" => a.warmup = parse_duration(&value)?,
            "warmup-max" => a.warmup_max = parse_duration(&value)?,
            "duration-max" => a.duration_max = parse_duration(&value)?,
            "requests" => a.requests = value.parse().map_err(|e| format!("requests: {e}"))?,
            "timeout" => a.timeout = parse_duration(&value)?,
            _ => return Err(format!("unknown flag -{name}")),
        }
        i += 1;
    }
    Ok(a)
}

// ---- the workloads (bench/internal/workload) ----

const SELECT_CQL: &str = "SELECT k, a, b FROM bench.kv WHERE k = ?";
const INSERT_CQL: &str = "INSERT INTO bench.ins (k, c, v) VALUES (?, ?, ?)";
const PAGE_CQL: &str = "SELECT p, c, v FROM bench.page WHERE p = ?";
const INSERT_TEXT: &str = "inserted-value-0123456789";
const KV_ROWS: u64 = 1000;
const INSERT_KEYS: u64 = 1000;
const PAGE_ROWS: usize = 10000;
const PAGE_SIZE: i32 = 5000;
const BATCH_SIZE: i32 = 10;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

enum Work {
    Select(PreparedStatement),
    Insert(PreparedStatement),
    Batch(Batch),
    Page(PreparedStatement),
}

async fn connect(a: &Args) -> Result<(Session, Work), BoxError> {
    let profile = ExecutionProfile::builder()
        .consistency(Consistency::LocalOne)
        .request_timeout(Some(a.timeout))
        .build()
        .into_handle();
    let session = SessionBuilder::new()
        .known_node(&a.addr)
        .pool_size(PoolSize::PerHost(NonZeroUsize::new(1).unwrap()))
        .fetch_schema_metadata(false)
        .default_execution_profile_handle(profile)
        .build()
        .await?;
    let work = match a.workload.as_str() {
        "select1" => Work::Select(session.prepare(SELECT_CQL).await?),
        "insert" => Work::Insert(session.prepare(INSERT_CQL).await?),
        "batch10" => {
            let ps = session.prepare(INSERT_CQL).await?;
            let mut b = Batch::new(BatchType::Unlogged);
            for _ in 0..BATCH_SIZE {
                b.append_statement(ps.clone());
            }
            Work::Batch(b)
        }
        "page10k" => {
            let mut ps = session.prepare(PAGE_CQL).await?;
            ps.set_page_size(PAGE_SIZE);
            Work::Page(ps)
        }
        w => return Err(format!("unknown workload {w}").into()),
    };
    Ok((session, work))
}

async fn op(session: &Session, work: &Work, i: u64) -> Result<(), BoxError> {
    match work {
        Work::Select(ps) => {
            let k = (i % KV_ROWS) as i32;
            let rows = session.execute_unpaged(ps, (k,)).await?.into_rows_result()?;
            let (_k, _a, _b): (i32, i64, String) = rows.single_row()?;
        }
        Work::Insert(ps) => {
            let k = (i % INSERT_KEYS) as i32;
            session.execute_unpaged(ps, (k, 0i32, INSERT_TEXT)).await?;
        }
        Work::Batch(b) => {
            let k = (i % INSERT_KEYS) as i32;
            let values: Vec<(i32, i32, &str)> = (0..BATCH_SIZE).map(|c| (k, c, INSERT_TEXT)).collect();
            session.batch(b, values).await?;
        }
        Work::Page(ps) => {
            let mut rows = session.execute_iter(ps.clone(), (0i32,)).await?.rows_stream::<(i32, i32, String)>()?;
            let mut n = 0;
            while let Some(_row) = rows.try_next().await? {
                n += 1;
            }
            if n != PAGE_ROWS {
                return Err(format!("page10k: {n} rows, want {PAGE_ROWS}").into());
            }
        }
    }
    Ok(())
}

// ---- the run ----

struct Control {
    limit: u64,
    issued: AtomicU64,
    stop: AtomicBool,
    measuring: AtomicBool,
    completed: AtomicU64,
    ops: AtomicI64,
    failed: AtomicI64,
    first_err: Mutex<Option<String>>,
    hist: Histogram,
}

impl Control {
    fn next(&self) -> Option<u64> {
        if self.stop.load(Relaxed) {
            return None;
        }
        let i = self.issued.fetch_add(1, Relaxed);
        if self.limit > 0 && i >= self.limit {
            return None;
        }
        Some(i)
    }
    fn done(&self, start: Instant, r: Result<(), BoxError>) {
        self.completed.fetch_add(1, Relaxed);
        if !self.measuring.load(Relaxed) {
            return;
        }
        match r {
            Ok(()) => {
                self.hist.record(start.elapsed().as_nanos() as u64);
                self.ops.fetch_add(1, Relaxed);
            }
            Err(e) => {
                self.failed.fetch_add(1, Relaxed);
                let mut f = self.first_err.lock().unwrap();
                if f.is_none() {
                    *f = Some(e.to_string());
                }
            }
        }
    }
}

fn cpu_time() -> Duration {
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut ru);
        let us = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
        Duration::from_micros(us(ru.ru_utime) + us(ru.ru_stime))
    }
}

fn peak_rss_kib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(f64::NAN)
}

/// The JSON line, with the field names of bench/internal/result.
struct Row {
    fields: Vec<(&'static str, String)>,
}

impl Row {
    fn new(a: &Args) -> Self {
        let mut r = Row { fields: vec![] };
        r.str("driver", "rust");
        r.str("workload", &a.workload);
        r.raw("inflight", a.inflight.to_string());
        r.str("target", &a.target);
        r
    }
    fn raw(&mut self, k: &'static str, v: String) {
        self.fields.push((k, v));
    }
    fn str(&mut self, k: &'static str, v: &str) {
        let mut s = String::from("\"");
        for c in v.chars() {
            match c {
                '"' => s.push_str("\\\""),
                '\\' => s.push_str("\\\\"),
                c if (c as u32) < 0x20 => s.push_str(&format!("\\u{:04x}", c as u32)),
                c => s.push(c),
            }
        }
        s.push('"');
        self.raw(k, s);
    }
    fn num(&mut self, k: &'static str, v: f64) {
        self.raw(k, if v.is_finite() { format!("{v}") } else { "null".into() });
    }
    fn print(&self) {
        let body: Vec<String> = self.fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        println!("{{{}}}", body.join(","));
    }
}

async fn sleep_until(cond: impl Fn() -> bool, min: Duration, max: Duration) {
    let t0 = Instant::now();
    while t0.elapsed() < max && (t0.elapsed() < min || !cond()) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn run(a: Args) -> Row {
    let mut row = Row::new(&a);
    let (session, work) = match connect(&a).await {
        Ok(sw) => sw,
        Err(e) => {
            row.str("error", &format!("connect/prepare: {e}"));
            return row;
        }
    };
    let session = Arc::new(session);
    let work = Arc::new(work);
    let ctl = Arc::new(Control {
        limit: if a.requests > 0 { a.requests as u64 } else { 0 },
        issued: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        measuring: AtomicBool::new(a.requests >= 0),
        completed: AtomicU64::new(0),
        ops: AtomicI64::new(0),
        failed: AtomicI64::new(0),
        first_err: Mutex::new(None),
        hist: Histogram::new(),
    });
    if a.requests == 0 {
        row.raw("ops", "0".into());
        return row;
    }
    let mut tasks = Vec::with_capacity(a.inflight);
    for _ in 0..a.inflight {
        let (session, work, ctl) = (session.clone(), work.clone(), ctl.clone());
        tasks.push(tokio::spawn(async move {
            while let Some(i) = ctl.next() {
                let t = Instant::now();
                let r = op(&session, &work, i).await;
                ctl.done(t, r);
            }
        }));
    }
    let all_done = || tasks.iter().all(|t| t.is_finished());
    if a.requests > 0 {
        for t in tasks {
            let _ = t.await;
        }
        row.raw("ops", ctl.ops.load(Relaxed).to_string());
        row.raw("failed", ctl.failed.load(Relaxed).to_string());
        return row;
    }
    // Warm up for at least -warmup and until every slot has completed once.
    let inflight = a.inflight as u64;
    sleep_until(|| ctl.completed.load(Relaxed) >= inflight || all_done(), a.warmup, a.warmup.max(a.warmup_max)).await;
    let (allocs0, bytes0) = (ALLOCS.load(Relaxed), ALLOC_BYTES.load(Relaxed));
    PEAK.store(LIVE.load(Relaxed), Relaxed);
    let cpu0 = cpu_time();
    let t0 = Instant::now();
    ctl.measuring.store(true, Relaxed);
    // Measure for at least -duration and until as many requests as are in
    // flight (up to 256) completed in the window.
    let min_ops = inflight.min(256);
    sleep_until(|| ctl.ops.load(Relaxed) as u64 >= min_ops || all_done(), a.duration, a.duration.max(a.duration_max)).await;
    ctl.measuring.store(false, Relaxed);
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = (cpu_time() - cpu0).as_secs_f64();
    let (allocs, bytes) = (ALLOCS.load(Relaxed) - allocs0, ALLOC_BYTES.load(Relaxed) - bytes0);
    let peak = PEAK.load(Relaxed) as f64;
    ctl.stop.store(true, Relaxed);
    let mut error: Option<String> = None;
    if tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(tasks)).await.is_err() {
        error = Some("requests still in flight 60s after the window".into());
    }
    let ops = ctl.ops.load(Relaxed);
    let first = ctl.first_err.lock().unwrap().clone();
    row.raw("ops", ops.to_string());
    row.num("seconds", elapsed);
    let n = ops as f64;
    let per = |v: f64| if ops > 0 { v / n } else { f64::NAN };
    row.num("ops_per_sec", if ops > 0 { n / elapsed } else { f64::NAN });
    row.num("cpu_us_per_op", per(cpu * 1e6));
    row.num("p50_us", ctl.hist.quantile(0.50) / 1e3);
    row.num("p99_us", ctl.hist.quantile(0.99) / 1e3);
    row.num("p999_us", ctl.hist.quantile(0.999) / 1e3);
    row.num("allocs_per_op", per(allocs as f64));
    row.num("bytes_per_op", per(bytes as f64));
    row.num("peak_heap_bytes", peak);
    row.num("peak_rss_kib", peak_rss_kib());
    row.raw("failed", ctl.failed.load(Relaxed).to_string());
    if let Some(f) = &first {
        row.str("first_failure", f);
    }
    if ops == 0 && error.is_none() {
        error = Some(format!("no request completed in the window{}", first.map(|f| format!(": {f}")).unwrap_or_default()));
    }
    if let Some(e) = error {
        row.str("error", &e);
    }
    row
}

fn main() {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("cqlbench-rust: {e}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let row = rt.block_on(run(a));
    row.print();
    // Leave without waiting for the driver's background tasks.
    std::process::exit(0);
}
