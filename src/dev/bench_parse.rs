//! `portcullis-dev bench-parse DIR`: the S3 source's decompress-parse-filter over local
//! trail files, timed (used by `scripts/bench` to compare with Python's json module).

use crate::aws::audit::parse_log_bytes;
use crate::domain::DEFAULT_SOURCES;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct BenchParseArgs {
    pub dir: PathBuf,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files(&path, out)?;
        } else if path.to_string_lossy().ends_with(".json.gz") {
            out.push(path);
        }
    }
    Ok(())
}

/// (events parsed, events matching the default sources) in one file.
fn one(path: &Path) -> (usize, usize) {
    let Ok(bytes) = std::fs::read(path) else { return (0, 0) };
    let Ok(events) = parse_log_bytes(&bytes) else { return (0, 0) };
    let kept = events.iter().filter(|e| DEFAULT_SOURCES.contains(&e.event_source.as_str())).count();
    (events.len(), kept)
}

pub fn run(args: BenchParseArgs) -> anyhow::Result<()> {
    let mut all = Vec::new();
    files(&args.dir, &mut all)?;
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let start = Instant::now();
    let chunks: Vec<&[PathBuf]> = all.chunks(all.len().div_ceil(threads).max(1)).collect();
    let (parsed, kept) = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|c| s.spawn(|| c.iter().map(|p| one(p)).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or((0, 0))).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    let secs = start.elapsed().as_secs_f64();
    let json = serde_json::json!({"files": all.len(), "events": parsed, "matching": kept, "seconds": secs, "threads": threads,
        "eventsPerSecond": parsed as f64 / secs.max(1e-9)});
    crate::cli::write_stdout(&format!("{json}\n"))?;
    Ok(())
}
