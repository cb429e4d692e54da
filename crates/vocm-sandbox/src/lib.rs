//! `vocm-sandbox`: a faithful sandbox of the provisioning API vocm speaks
//! (docs/api.md), so that the HTTP provider is tested for real over
//! loopback and manifests can be tried without touching production.
//!
//! One fallback handler answers every request ([`service`]); the account
//! lives behind one lock ([`state`]) and is saved to `--data` by a
//! background task after changes, and once more on shutdown.

mod account;
mod args;
mod claims;
mod clock;
mod faults;
mod field;
mod filter;
mod handlers;
mod licenses;
mod members;
mod operations;
mod persist;
mod phone;
mod problem;
mod rate_limit;
mod routes;
mod rules;
mod scroll;
mod service;
mod sort;
mod state;
mod stats;
mod view;

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use args::Args;
pub use licenses::Inventory;

use faults::Faults;
use operations::Operations;
use rate_limit::RateLimiter;
use scroll::Scrolls;
use state::{Sandbox, Shared};
use stats::Stats;

/// How long the saver waits after a change, so that a burst of changes
/// makes one write (a large account takes tens of milliseconds to write).
const SAVE_COALESCE: Duration = Duration::from_millis(100);

/// How long open connections get to finish on shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Runs the sandbox until SIGTERM or Ctrl-C; errors go to stderr.
pub fn run(args: Args) -> ExitCode {
    match start(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vocm-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}

fn start(args: Args) -> Result<(), String> {
    let (mut account, saved_operations) = match &args.data {
        Some(path) => persist::load(path)?,
        None => Default::default(),
    };
    if let Some(inventory) = args.licenses.clone() {
        account.inventory = inventory;
    }
    if args.api == args::ApiMode::Reference {
        // The reference has no license inventory: no limit is checked.
        account.inventory = Inventory::default();
    }
    for n in &args.numbers {
        if !phone::is_e164(n) {
            return Err(format!("--numbers: `{n}` is not E.164 (+ and digits)"));
        }
        if !account.contains(vocm_api::Collection::PhoneNumbers, n) {
            account.put(
                vocm_api::Collection::PhoneNumbers,
                n.clone(),
                rules::held_number(n),
            );
        }
    }
    let seed = args.seed.unwrap_or_else(clock::seed);
    if args.verbose {
        eprintln!("vocm-sandbox: fault seed {seed}");
    }
    let sandbox = Sandbox {
        account,
        operations: Operations::load(saved_operations),
        scrolls: Scrolls::default(),
        limiter: RateLimiter::new(args.rate_limit, args.burst),
        faults: Faults::new(args.fault_rate, seed),
        stats: Stats::default(),
        // A new account is written at once: the file exists while serving.
        changed: true,
        api: args.api,
    };
    let shared = Arc::new(Shared::new(
        sandbox,
        args.api_key,
        args.verbose,
        Duration::from_millis(args.op_delay_ms),
        args.data.is_some(),
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))?;
    runtime.block_on(serve(shared, args.listen, args.data))
}

async fn serve(
    shared: Arc<Shared>,
    listen: SocketAddr,
    data: Option<PathBuf>,
) -> Result<(), String> {
    if let Some(path) = &data {
        save(&shared, path).await?;
    }
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let stop_signal = shutdown_signal();
    // The first line of stdout is the address, for whoever started the
    // sandbox on port 0; nothing else is ever printed there.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{bound}")
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot print the address: {e}"))?;
    drop(stdout);
    if shared.verbose {
        eprintln!("vocm-sandbox: listening on {bound}");
    }

    let (stop_saver, saver_stopped) = oneshot::channel::<()>();
    let saver = data
        .clone()
        .map(|path| tokio::spawn(saver(Arc::clone(&shared), path, saver_stopped)));
    let (stop_server, server_stopped) = oneshot::channel::<()>();
    let app = Router::new()
        .fallback(service::handle)
        .with_state(Arc::clone(&shared));
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = server_stopped.await;
            })
            .await
    });

    stop_signal.await;
    let _ = stop_server.send(());
    if tokio::time::timeout(SHUTDOWN_GRACE, server).await.is_err() && shared.verbose {
        eprintln!("vocm-sandbox: connections still open after {SHUTDOWN_GRACE:?}; stopping");
    }
    // The saver finishes the write it is making, if any: the last save
    // must not race it.
    let _ = stop_saver.send(());
    if let Some(task) = saver {
        let _ = task.await;
    }
    // Accepted writes complete before the last save: their clients were
    // told they would.
    shared.lock().settle(Instant::now(), true);
    if let Some(path) = &data {
        shared.lock().changed = true;
        save(&shared, path).await?;
    }
    Ok(())
}

/// Saves the account soon after each change, until told to stop.
async fn saver(shared: Arc<Shared>, path: PathBuf, mut stop: oneshot::Receiver<()>) {
    let Some(wake) = &shared.saver else {
        return;
    };
    let mut pause = SAVE_COALESCE;
    loop {
        tokio::select! {
            () = wake.notified() => {}
            _ = &mut stop => return,
        }
        tokio::time::sleep(pause).await;
        let started = Instant::now();
        if let Err(e) = save(&shared, &path).await {
            eprintln!("vocm-sandbox: {e}");
        }
        // A large account holds the lock while it is serialised: saving it
        // at most a third of the time leaves the rest to requests.
        pause = SAVE_COALESCE.max(started.elapsed() * 2);
    }
}

/// Writes the account if it changed since the last save.
async fn save(shared: &Shared, path: &Path) -> Result<(), String> {
    let bytes = {
        let mut sb = shared.lock();
        if !sb.changed {
            return Ok(());
        }
        sb.changed = false;
        match persist::snapshot(&sb.account, sb.operations.records()) {
            Ok(bytes) => bytes,
            Err(e) => {
                sb.changed = true;
                return Err(format!("cannot save {}: {e}", path.display()));
            }
        }
    };
    let target = path.to_owned();
    let written = tokio::task::spawn_blocking(move || persist::write_atomic(&target, &bytes))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()));
    written.map_err(|e| {
        // Try again with the next change (or on shutdown).
        shared.lock().changed = true;
        format!("cannot save {}: {e}", path.display())
    })
}

/// SIGTERM or Ctrl-C. The handlers are installed when this is called, not
/// when it is awaited: a signal sent as soon as the address is printed is
/// not lost (nor fatal).
fn shutdown_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            // Without a handler (it could not be installed), the default
            // action stops the process.
            let wait = |s: std::io::Result<tokio::signal::unix::Signal>| async move {
                match s {
                    Ok(mut s) => {
                        s.recv().await;
                    }
                    Err(_) => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(term) => {}
                () = wait(int) => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
