//! Where the state lives between runs: a local file (locked for the run, atomically replaced)
//! or a file on a branch of the repository, written through the contents API with the blob SHA
//! as precondition. A run that finds the file locked waits, up to `--lock-timeout`, and says so
//! on stderr while it waits. Saving takes the run's changes as a function, so after a conflict (another
//! run wrote first) it re-reads the newer state, re-applies the same observations and tries
//! again — two overlapping runs never both fire (or notify, or open an incident) for one alert.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::Timestamp;

use crate::cli::StateSpec;
use crate::error::Error;
use crate::github::api::{ApiError, Client};
use crate::logging::{Progress, Ticker};
use crate::monitor::{self, State};

/// How often a waiting run tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(100);

/// The file on the state branch.
pub const GITHUB_STATE_PATH: &str = "decoder-ops/state.json";
/// Conflicting writers in a row before giving up.
const MAX_CONFLICTS: u32 = 5;

#[allow(
    clippy::large_enum_variant,
    reason = "one per run; boxing the client buys nothing"
)]
pub enum Store {
    File {
        path: PathBuf,
        /// Held for the whole run: a second run on this machine waits instead of interleaving.
        _lock: File,
    },
    Github {
        client: Client,
        branch: String,
        /// The commit a missing branch is created from.
        base_sha: Option<String>,
        /// Blob SHA of the state last read; `None` when there is no file yet.
        sha: Option<String>,
    },
}

/// State as read, with a warning when the stored one had to be set aside.
pub struct Opened {
    pub state: State,
    pub warning: Option<String>,
}

impl Store {
    /// Opens the store; a file store waits for the lock of a concurrent run, at most
    /// `lock_timeout`, reporting on `progress` while it waits.
    pub async fn open(
        spec: &StateSpec,
        github: Option<(Client, Option<String>)>,
        lock_timeout: Duration,
        progress: &Progress,
    ) -> Result<Store, Error> {
        match spec {
            StateSpec::File(path) => {
                let lock = open_lock(path)?;
                wait_for_lock(&lock, path, lock_timeout, progress).await?;
                Ok(Store::File {
                    path: path.clone(),
                    _lock: lock,
                })
            }
            StateSpec::Github { branch } => {
                let Some((client, base_sha)) = github else {
                    return Err(Error::Usage(
                        "--state github needs GITHUB_TOKEN (the workflow's `github.token` with `contents: write`) and GITHUB_REPOSITORY"
                            .into(),
                    ));
                };
                Ok(Store::Github {
                    client,
                    branch: branch.clone(),
                    base_sha,
                    sha: None,
                })
            }
        }
    }

    /// Whether this run is the only one using the state: a file store is locked for the run,
    /// so whatever another run left in it (an outbox claim) is from a run that is gone.
    pub fn exclusive(&self) -> bool {
        matches!(self, Store::File { .. })
    }

    /// `file:PATH` or `github:BRANCH/PATH`, for reports.
    pub fn describe(&self) -> String {
        match self {
            Store::File { path, .. } => format!("file:{}", path.display()),
            Store::Github { branch, .. } => format!("github:{branch}/{GITHUB_STATE_PATH}"),
        }
    }

    pub async fn load(&mut self, now: Timestamp) -> Result<Opened, Error> {
        match self {
            Store::File { path, .. } => {
                let loaded = monitor::load_file(path, now)
                    .map_err(|e| Error::Service(format!("state `{}`: {e}", path.display())))?;
                Ok(Opened {
                    state: loaded.state,
                    warning: loaded.warning,
                })
            }
            Store::Github {
                client,
                branch,
                sha,
                ..
            } => {
                let file = client.get_file(GITHUB_STATE_PATH, branch).await?;
                let Some(file) = file else {
                    *sha = None;
                    return Ok(Opened {
                        state: State::fresh(),
                        warning: None,
                    });
                };
                *sha = Some(file.sha.clone());
                match State::from_json(&file.content) {
                    Ok(state) => Ok(Opened {
                        state,
                        warning: None,
                    }),
                    Err(problem) => {
                        // Keep it where people can look, then start afresh on top of it.
                        let aside = format!("{GITHUB_STATE_PATH}.corrupt-{}", now.as_second());
                        client
                            .put_file(
                                &aside,
                                branch,
                                &file.content,
                                "decoder-ops: keep an unreadable monitor state aside",
                                None,
                            )
                            .await?;
                        Ok(Opened {
                            state: State::fresh(),
                            warning: Some(format!(
                                "state `{GITHUB_STATE_PATH}` on branch `{branch}` could not be used ({problem}); it was kept as `{aside}` and monitoring continues from a fresh state"
                            )),
                        })
                    }
                }
            }
        }
    }

    /// Applies `change` to `state` and stores the result. On a conflict the newer state is read
    /// and `change` applied to it instead, up to [`MAX_CONFLICTS`] times. Returns what the
    /// successful application returned, and the state as stored.
    pub async fn commit<T>(
        &mut self,
        mut state: State,
        now: Timestamp,
        mut change: impl FnMut(&mut State) -> T,
    ) -> Result<(State, T, u32), Error> {
        let mut conflicts = 0;
        loop {
            let mut next = state.clone();
            let out = change(&mut next);
            match self.save(&next).await {
                Ok(()) => return Ok((next, out, conflicts)),
                Err(Error::Api(ApiError::Conflict { .. })) if conflicts < MAX_CONFLICTS => {
                    conflicts += 1;
                    tracing::info!(conflicts, "state changed since it was read; re-reading");
                    state = self.load(now).await?.state;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn save(&mut self, state: &State) -> Result<(), Error> {
        match self {
            Store::File { path, .. } => monitor::save_file(path, state)
                .map_err(|e| Error::Service(format!("state `{}`: {e}", path.display()))),
            Store::Github {
                client,
                branch,
                base_sha,
                sha,
            } => {
                if sha.is_none()
                    && let Some(base) = base_sha.as_deref()
                {
                    client.create_branch_if_missing(branch, base).await?;
                }
                let new_sha = client
                    .put_file(
                        GITHUB_STATE_PATH,
                        branch,
                        &state.to_json(),
                        "decoder-ops: monitor state",
                        sha.as_deref(),
                    )
                    .await?;
                *sha = Some(new_sha);
                Ok(())
            }
        }
    }
}

/// The lock file beside the state, created (with its directory) when missing.
fn open_lock(path: &Path) -> Result<File, Error> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::Usage(format!(
                "state `{}`: cannot create its directory: {e}",
                path.display()
            ))
        })?;
    }
    let lock_path = lock_path(path);
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| {
            Error::Usage(format!(
                "state `{}`: cannot open the lock file `{}`: {e}",
                path.display(),
                lock_path.display()
            ))
        })
}

/// Takes the lock, waiting for another run to let go of it: a line when the wait starts (what,
/// how long at most), then one every few seconds; exit 3 after `timeout`.
async fn wait_for_lock(
    lock: &File,
    path: &Path,
    timeout: Duration,
    progress: &Progress,
) -> Result<(), Error> {
    let started = Instant::now();
    let mut ticker = Ticker::default();
    loop {
        match lock.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => {
                return Err(Error::Service(format!(
                    "state `{}`: cannot lock it: {e}",
                    path.display()
                )));
            }
        }
        let waited = started.elapsed();
        if waited >= timeout {
            return Err(Error::Service(format!(
                "state `{}`: another decoder-ops run still holds its lock after {} s (--lock-timeout); is a --watch run using the same state?",
                path.display(),
                waited.as_secs()
            )));
        }
        let first = !ticker.started();
        if ticker.due(Instant::now()) {
            progress.say(&if first {
                format!(
                    "state `{}` is locked by another decoder-ops run; waiting for the lock, at most {} s (--lock-timeout)",
                    path.display(),
                    timeout.as_secs()
                )
            } else {
                format!(
                    "still waiting for the lock of state `{}`: {} s so far, at most {} s",
                    path.display(),
                    waited.as_secs(),
                    timeout.as_secs()
                )
            });
        }
        tokio::time::sleep(LOCK_POLL).await;
    }
    if ticker.started() {
        progress.say(&format!(
            "got the lock of state `{}` after {} s",
            path.display(),
            started.elapsed().as_secs()
        ));
    }
    Ok(())
}

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}
