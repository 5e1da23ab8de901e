//! `slack-service`: the permission and policy services over gRPC.
//!
//! Without `--db` it serves an in-memory database holding the demo data (see `slack-client
//! demo`); with `--db FILE` it serves that SQLite file, created with its tables when missing,
//! and `--demo` adds the demo data to it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use slack_service::demo;
use slack_service::server::Service;
use slack_service::store::Store;

#[derive(Debug, Parser)]
#[command(version, about = "Answers CheckPermissions, ListPermissions and CheckPolicy from roles.toml and SQLite")]
struct Args {
    /// The address to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:50051")]
    listen: SocketAddr,
    /// The SQLite file of entities, assignments and users (default: the demo data in memory).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Add the demo data to the --db file (once: an error if its team is already there).
    #[arg(long, requires = "db")]
    demo: bool,
    /// Print no audit line per decision.
    #[arg(long)]
    quiet: bool,
}

fn open(args: &Args) -> Result<Store, String> {
    let store = match &args.db {
        Some(path) => Store::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?,
        None => Store::in_memory().map_err(|e| e.to_string())?,
    };
    if args.db.is_none() || args.demo {
        if store.has_team(demo::TEAM).map_err(|e| e.to_string())? {
            return Err(format!("the database already holds the demo team {:?}", demo::TEAM));
        }
        demo::seed(&store).map_err(|e| format!("cannot write the demo data: {e}"))?;
    }
    Ok(store)
}

async fn run(args: Args) -> Result<(), String> {
    let service = Service::new(open(&args)?).with_audit(!args.quiet);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!("slack-service: listening on http://{address} (ctrl-c stops)");
    let shutdown = async {
        // Without a signal handler the process is stopped the default way; either way it ends.
        let _ = tokio::signal::ctrl_c().await;
    };
    service.serve(listener, shutdown).await.map_err(|e| format!("the server failed: {e}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slack-service: {e}");
            ExitCode::FAILURE
        }
    }
}
