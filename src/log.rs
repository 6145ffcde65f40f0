//! Logging: silent unless a callback is set or `CCX_LOG` names a level.
//!
//! Messages are built only from methods, paths, statuses, durations and
//! reasons; callers never pass a token, a secret or a header value here.

use std::sync::{Arc, RwLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "error" => Some(Level::Error),
            "warn" | "warning" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "debug" => Some(Level::Debug),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

pub type Sink = Arc<dyn Fn(Level, &str) + Send + Sync>;

struct Target {
    max_level: Level,
    sink: Sink,
}

pub struct Logger {
    target: RwLock<Option<Target>>,
}

impl Logger {
    /// A logger that writes to stderr at the level `CCX_LOG` names, or is
    /// silent when it names none.
    pub fn from_environment() -> Logger {
        let target = std::env::var("CCX_LOG")
            .ok()
            .and_then(|text| Level::parse(&text))
            .map(|max_level| Target {
                max_level,
                sink: Arc::new(|level: Level, message: &str| {
                    eprintln!("cloudconnexa {}: {message}", level.as_str());
                }),
            });
        Logger {
            target: RwLock::new(target),
        }
    }

    /// Sends messages up to `max_level` to `sink`; `None` restores the
    /// `CCX_LOG` behaviour.
    pub fn set(&self, sink: Option<(Level, Sink)>) {
        let next = match sink {
            Some((max_level, sink)) => Some(Target { max_level, sink }),
            None => Logger::from_environment()
                .target
                .into_inner()
                .ok()
                .flatten(),
        };
        *self.target.write().unwrap_or_else(|e| e.into_inner()) = next;
    }

    /// Logs a message, built only when someone listens at that level.
    pub fn log(&self, level: Level, message: impl FnOnce() -> String) {
        let sink = {
            let target = self.target.read().unwrap_or_else(|e| e.into_inner());
            match target.as_ref() {
                Some(t) if level <= t.max_level => t.sink.clone(),
                _ => return,
            }
        };
        // Called without the lock, so a callback may set options or log.
        sink(level, &crate::error::printable(&message()));
    }
}
