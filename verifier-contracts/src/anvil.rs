//! A local anvil dev node (npm `@foundry-rs/anvil`, installed by `install.sh` from the
//! lockfile) on a free loopback port, killed when dropped. The end-to-end tests of this
//! crate and of the prover run their flows against it through [`crate::RpcL1`].

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::ContractsError;

/// A running anvil.
pub struct Anvil {
    child: Child,
    url: String,
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn failed(reason: impl Into<String>) -> ContractsError {
    ContractsError::field("anvil", reason.into())
}

impl Anvil {
    /// The Foundry project folder (`verifier-contracts/`), where `install.sh` lives.
    pub fn project_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    /// Installs anvil if needed (`install.sh`), starts it and waits until it listens.
    pub fn start() -> Result<Self, ContractsError> {
        let dir = Self::project_dir();
        let installed = Command::new("bash")
            .arg(dir.join("install.sh"))
            .stdout(Stdio::null())
            .status()
            .map_err(|e| {
                failed(format!(
                    "cannot run install.sh (needs bash, node, npm): {e}"
                ))
            })?;
        if !installed.success() {
            return Err(failed(
                "install.sh failed: anvil comes from npm (@foundry-rs/anvil, package-lock.json)",
            ));
        }
        let bin = dir.join("node_modules/.bin/anvil");
        if !bin.exists() {
            return Err(failed(format!(
                "{} is missing after install.sh",
                bin.display()
            )));
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| failed(format!("no free loopback port: {e}")))?
            .port();
        let child = Command::new(&bin)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--silent",
            ])
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| failed(format!("{} does not start: {e}", bin.display())))?;
        let anvil = Anvil {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                return Err(failed(format!("not listening on port {port} after 30 s")));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(anvil)
    }

    /// The node's JSON-RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}
