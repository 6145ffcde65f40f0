//! `ccx-emulator`: runs the emulator until killed. The first line on stdout is the
//! environment a client needs, so a script can `export $(head -1 file)`.

use std::io::Write;
use std::process::ExitCode;

use ccx_emulator::{Config, Emulator, RateLimit, TlsIdentity};

const USAGE: &str = "\
Usage: ccx-emulator [OPTIONS]

A local, stateful emulator of the CloudConnexa API, listening on 127.0.0.1.
The first line printed is
  CLOUDCONNEXA_API_URL=... CLOUDCONNEXA_CLIENT_ID=... CLOUDCONNEXA_CLIENT_SECRET=...

Options:
  --port N                  port to listen on (default: any free port)
  --client-id ID            accepted client id (default: ccx-demo-client)
  --client-secret S         accepted client secret (default: ccx-demo-secret)
  --token-ttl SECS          token lifetime in seconds, fractions allowed (default: 43199)
  --rate-limit B:R:T        burst B, then R requests per T seconds (default: 20:1:15)
  --no-rate-limit           turn rate limiting off
  --time-scale F            make rate-limit time run F times faster (default: 1)
  --extra-users N           generate N additional users
  --no-seed                 start empty instead of with the documented examples
  --control                 serve the /_emulator/... control endpoints
  --verbose                 log one line per request to stderr
  --tls-cert PEM            serve HTTPS with this certificate chain (with --tls-key)
  --tls-key PEM             the certificate's private key
  -h, --help                show this help
";

fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1)) {
        Ok(Some(config)) => config,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("ccx-emulator: {message}\nTry 'ccx-emulator --help'.");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start(config) {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("ccx-emulator: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(
        stdout,
        "CLOUDCONNEXA_API_URL={} CLOUDCONNEXA_CLIENT_ID={} CLOUDCONNEXA_CLIENT_SECRET={}",
        emulator.url(),
        emulator.client_id(),
        emulator.client_secret()
    );
    let _ = stdout.flush();
    // Serve until a signal ends the process; its default action is what we want.
    loop {
        std::thread::park();
    }
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Config>, String> {
    let mut config = Config::default();
    let (mut cert, mut key) = (None, None);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => config.port = number(&flag, &value(&flag)?)?,
            "--client-id" => config.client_id = text(&flag, value(&flag)?)?,
            "--client-secret" => config.client_secret = text(&flag, value(&flag)?)?,
            "--token-ttl" => {
                config.token_ttl_secs = positive(&flag, &value(&flag)?)?;
            }
            "--rate-limit" => config.rate_limit = Some(rate_limit(&value(&flag)?)?),
            "--no-rate-limit" => config.rate_limit = None,
            "--time-scale" => config.time_scale = positive(&flag, &value(&flag)?)?,
            "--extra-users" => config.extra_users = number(&flag, &value(&flag)?)?,
            "--no-seed" => config.seed = false,
            "--control" => config.control = true,
            "--verbose" => config.verbose = true,
            "--tls-cert" => cert = Some(value(&flag)?),
            "--tls-key" => key = Some(value(&flag)?),
            _ => return Err(format!("unknown option '{arg}'")),
        }
    }
    config.tls = match (cert, key) {
        (None, None) => None,
        (Some(cert), Some(key)) => Some(TlsIdentity {
            cert_chain_pem: read_pem("--tls-cert", &cert)?,
            key_pem: read_pem("--tls-key", &key)?,
        }),
        _ => return Err("--tls-cert and --tls-key go together".to_string()),
    };
    Ok(Some(config))
}

fn read_pem(flag: &str, path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{flag}: cannot read '{path}': {e}"))
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag} expects a whole number, not '{text}'"))
}

fn positive(flag: &str, text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0)
        .ok_or_else(|| format!("{flag} expects a positive number, not '{text}'"))
}

/// Ids and secrets end up in a space-separated line meant for `export`.
fn text(flag: &str, value: String) -> Result<String, String> {
    if value.is_empty() || value.chars().any(char::is_whitespace) {
        return Err(format!("{flag} must be non-empty and contain no spaces"));
    }
    Ok(value)
}

fn rate_limit(text: &str) -> Result<RateLimit, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let bad = || format!("--rate-limit expects BURST:RATE:TIME_SECS, not '{text}'");
    if parts.len() != 3 {
        return Err(bad());
    }
    let burst: u32 = parts[0].parse().map_err(|_| bad())?;
    let replenish_rate: u32 = parts[1].parse().map_err(|_| bad())?;
    let replenish_time_secs = parts[2]
        .parse::<f64>()
        .ok()
        .filter(|t| t.is_finite() && *t > 0.0)
        .ok_or_else(bad)?;
    Ok(RateLimit {
        burst,
        replenish_rate,
        replenish_time_secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn parses_flags() {
        let config = parse(args(&[
            "--port",
            "8080",
            "--rate-limit=5:2:0.5",
            "--control",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(config.port, 8080);
        assert!(config.control);
        let limit = config.rate_limit.unwrap();
        assert_eq!((limit.burst, limit.replenish_rate), (5, 2));
        assert!(parse(args(&["--help"])).unwrap().is_none());
        assert!(parse(args(&["--bogus"])).is_err());
        assert!(parse(args(&["--port"])).is_err());
        assert!(parse(args(&["--rate-limit", "1:2"])).is_err());
        assert!(parse(args(&["--tls-cert", "cert.pem"])).is_err());
        assert!(parse(args(&["--tls-cert", "/nonexistent", "--tls-key", "/x"])).is_err());
    }
}
