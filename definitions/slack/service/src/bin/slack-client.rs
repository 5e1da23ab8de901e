//! `slack-client`: asks a running `slack-service` (no grpcurl needed).
//!
//! ```text
//! slack-client demo                                      # the seed article's cases, checked
//! slack-client check alice channel:C0MKT archive_channel rename_channel
//! slack-client list bob channel:C0ENG
//! slack-client policy erin C0MKT channel_archive
//! ```

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use slack_service::client::Client;
use slack_service::demo;
use slack_service::roles::{EntityType, Permission, Policy};

#[derive(Debug, Parser)]
#[command(version, about = "Asks a running slack-service")]
struct Args {
    /// The service's address.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    addr: String,
    /// The team (tenant) to ask about.
    #[arg(long, default_value = demo::TEAM)]
    team: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Asks the seed article's cases of the demo data and checks every answer.
    Demo,
    /// CheckPermissions: whether USER may use each permission on the entity.
    Check {
        user: String,
        /// The entity, as TYPE:ID (`channel:C0MKT`).
        #[arg(value_parser = entity)]
        entity: (EntityType, String),
        #[arg(required = true)]
        permissions: Vec<Permission>,
    },
    /// ListPermissions: every permission USER holds on the entity.
    List {
        user: String,
        /// The entity, as TYPE:ID; the service supplies its ancestors.
        #[arg(value_parser = entity)]
        entity: (EntityType, String),
    },
    /// CheckPolicy: the policy's decision for USER on entity ID, and the rule that gave it.
    Policy { user: String, id: String, policy: Policy },
}

/// `channel:C0MKT` -> (Channel, "C0MKT").
fn entity(text: &str) -> Result<(EntityType, String), String> {
    let (entity, id) = text.split_once(':').ok_or("expected TYPE:ID, e.g. channel:C0MKT")?;
    Ok((entity.parse().map_err(|e| format!("{e}"))?, id.to_string()))
}

fn answer(allow: bool) -> &'static str {
    if allow { "ALLOW" } else { "DENY" }
}

async fn demo(client: &mut Client) -> Result<bool, String> {
    let mut all_right = true;
    for case in &demo::CASES {
        let allow = client.ask(case).await.map_err(|e| format!("{}: {}", case.says, e.message()))?;
        let question = match case.question {
            demo::Question::Permission(p) => p.as_str(),
            demo::Question::Policy(p) => p.as_str(),
        };
        let mark = if allow == case.allow { "ok " } else { "WRONG" };
        println!("{mark} {:<5} {} {question} on {} {}: {}", answer(allow), case.user, case.entity, case.id, case.says);
        all_right &= allow == case.allow;
    }
    Ok(all_right)
}

async fn run(args: Args) -> Result<bool, String> {
    let mut client =
        Client::connect(&args.addr, &args.team).await.map_err(|e| format!("cannot reach {}: {e}", args.addr))?;
    let failed = |e: tonic::Status| format!("{:?}: {}", e.code(), e.message());
    match args.command {
        Command::Demo => return demo(&mut client).await,
        Command::Check { user, entity: (entity, id), permissions } => {
            let answers = client.check(&user, (entity, &id), &permissions).await.map_err(failed)?;
            for (permission, allow) in permissions.iter().zip(answers) {
                println!("{permission}: {}", answer(allow));
            }
        }
        Command::List { user, entity: (entity, id) } => {
            for permission in client.list(&user, &[(entity, &id)]).await.map_err(failed)? {
                println!("{permission}");
            }
        }
        Command::Policy { user, id, policy } => {
            let decision = client.policy(&user, &id, policy).await.map_err(failed)?;
            let rule = decision.rule_index.map_or_else(String::new, |i| format!(" by rules[{i}]"));
            let allow = decision.decision == slack_service::roles::proto::Decision::Allow as i32;
            println!("{policy}: {}{rule} `{}`", answer(allow), decision.rule_name);
        }
    }
    Ok(true)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("slack-client: {e}");
            ExitCode::FAILURE
        }
    }
}
