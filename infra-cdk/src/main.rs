//! `infra-cdk synth --env ENV --out DIR`: writes an environment's CloudFormation
//! templates, the CodeDeploy AppSpec, the ECS task definition and a manifest.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};
use infra_cdk::{Environment, synthesize};

#[derive(Parser)]
#[command(name = "infra-cdk", about = "Synthesizes the Trellis AWS stacks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the templates, appspec.yaml, taskdef.json and manifest.json of one
    /// environment (or of all three) into a directory.
    Synth {
        /// `dev`, `staging`, `prod`, or `all` (one subdirectory each).
        #[arg(long = "env")]
        env: String,
        /// Output directory, created if missing.
        #[arg(long)]
        out: PathBuf,
        /// Read ENV.toml from this directory instead of the copies built in.
        #[arg(long)]
        environments: Option<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Synth {
            env,
            out,
            environments,
        } => {
            if env == "all" {
                for (name, _) in infra_cdk::ENVIRONMENTS {
                    synth_one(name, &out.join(name), environments.as_deref())?;
                }
                Ok(())
            } else {
                synth_one(&env, &out, environments.as_deref())
            }
        }
    }
}

fn synth_one(name: &str, out: &Path, dir: Option<&Path>) -> anyhow::Result<()> {
    let env = match dir {
        Some(dir) => {
            let path = dir.join(format!("{name}.toml"));
            let text =
                fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            Environment::parse(name, &text)?
        }
        None => Environment::named(name)?,
    };
    let synthesized = synthesize(&env)?;
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let write = |file: &str, contents: String| {
        let path = out.join(file);
        fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
        anyhow::Ok(())
    };
    for template in &synthesized.templates {
        write(
            &format!("{}.json", template.stack_name),
            pretty(&template.body)?,
        )?;
    }
    write("appspec.yaml", synthesized.appspec.clone())?;
    write("taskdef.json", pretty(&synthesized.task_definition)?)?;
    write("manifest.json", pretty(&synthesized.manifest)?)?;
    Ok(())
}

fn pretty(value: &serde_json::Value) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}
