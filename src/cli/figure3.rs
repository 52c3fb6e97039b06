//! `inrsamp figure3`: super-resolution of phantoms by INR fits, the paper's
//! Figure 3 (the engine is `crate::superres`).

use super::Outcome;
use crate::error::{Error, Result};
use crate::superres::panels::{Tile, write_panel};
use crate::superres::{Figure3Config, JobResult, choose, image_of, panel_data, run_all};
use clap::Args;
use std::path::PathBuf;
use std::sync::Mutex;

/// Flags of `inrsamp figure3`.
#[derive(Debug, Clone, Args)]
pub struct Figure3Args {
    /// A preset: quick (seconds, for tests) or paper (our defaults for the
    /// paper's figure; see data/experiments/figure3.toml).
    #[arg(long, conflicts_with = "config")]
    pub preset: Option<String>,
    /// A plan file (keys: name, resolution, seed, lambdas, steps, lr,
    /// held_out, [[panel]] name, phantom, dots, k, k0, width, grid, methods,
    /// depth, hidden).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Adam steps per phase (overrides the plan).
    #[arg(long)]
    pub steps: Option<usize>,
    /// The lambda grid, comma-separated (overrides the plan).
    #[arg(long, value_delimiter = ',')]
    pub lambdas: Option<Vec<f64>>,
    /// Output folder: fits.csv, summary.csv, one PNG per panel, run.txt,
    /// plan.toml (and fits.partial.csv while running).
    #[arg(long = "out-dir")]
    pub out_dir: PathBuf,
    /// Continue an interrupted run in --out-dir: the fits of its
    /// fits.partial.csv are not run again (the plan must be the same; its
    /// plan.toml is compared), the chosen ones are refitted for the panels.
    #[arg(long)]
    pub resume: bool,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs the subcommand.
pub fn run(a: &Figure3Args) -> Result<Outcome> {
    let start = std::time::Instant::now();
    let mut cfg = match (&a.preset, &a.config) {
        (Some(p), None) => Figure3Config::preset(p)?,
        (None, Some(f)) => Figure3Config::from_file(f)?,
        _ => Figure3Config::preset("paper")?,
    };
    if let Some(s) = a.steps {
        cfg.steps = s;
    }
    if let Some(l) = &a.lambdas {
        cfg.lambdas = l.clone();
    }
    cfg.validate()?;
    let dir = &a.out_dir;
    if dir.exists() && !dir.is_dir() {
        return Err(Error::setting("out-dir", dir.display(), "is not a folder"));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let data = cfg
        .panel
        .iter()
        .map(|p| panel_data(p, &cfg))
        .collect::<Result<Vec<_>>>()?;
    let total = crate::superres::jobs(&cfg).len();
    // The plan beside the records, so that --resume can check it is the same.
    let plan_path = dir.join("plan.toml");
    let plan_text = toml::to_string(&cfg).map_err(|e| Error::Numerical {
        what: format!("encoding the plan: {e}"),
    })?;
    // Finished fits are appended (and flushed) here as they come, so that a
    // crash keeps them; the file is removed once fits.csv is written.
    let partial_path = dir.join("fits.partial.csv");
    let previous: Vec<JobResult> = if partial_path.exists() {
        if !a.resume {
            return Err(Error::setting(
                "out-dir",
                dir.display(),
                "holds fits.partial.csv of an interrupted run: add --resume to continue it, or choose another folder",
            ));
        }
        let old_plan = std::fs::read_to_string(&plan_path).unwrap_or_default();
        if old_plan != plan_text {
            return Err(Error::setting(
                "resume",
                dir.display(),
                "its plan.toml differs from this plan (or is missing): not the same run",
            ));
        }
        let mut rdr = csv::Reader::from_path(&partial_path).map_err(|e| Error::Parse {
            path: partial_path.display().to_string(),
            reason: e.to_string(),
        })?;
        // A last row cut by a kill fails to parse and is dropped (rerun).
        rdr.deserialize().filter_map(|r| r.ok()).collect()
    } else {
        Vec::new()
    };
    // Written at once (not with the run's other outputs at the end), so that
    // an interrupted run keeps it.
    std::fs::write(&plan_path, &plan_text).map_err(|e| Error::io(&plan_path, e))?;
    // Rewritten with the rows read back, so that a torn last line is gone.
    let file = std::fs::File::create(&partial_path).map_err(|e| Error::io(&partial_path, e))?;
    let mut writer = csv::Writer::from_writer(file);
    for r in &previous {
        writer
            .serialize(r)
            .map_err(|e| Error::io(&partial_path, e.into()))?;
    }
    writer.flush().map_err(|e| Error::io(&partial_path, e))?;
    let partial = Mutex::new(writer);
    if !previous.is_empty() && !a.quiet {
        super::progress_line(&format!(
            "figure3: {} fits read back from {} (--resume), not run again",
            previous.len(),
            partial_path.display()
        ));
    }
    let bar = super::progress::terminal_bar(
        a.quiet,
        total as u64,
        "{bar:40} {pos}/{len} fits, {elapsed} elapsed, ETA {eta}",
    );
    let count = std::sync::atomic::AtomicUsize::new(0);
    let done = |r: &JobResult| {
        if let Ok(mut w) = partial.lock() {
            let _ = w.serialize(r).and_then(|_| Ok(w.flush()?));
        }
        let n = count.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if let Some(b) = &bar {
            b.set_position(n as u64);
        } else if !a.quiet {
            super::progress_line(&format!(
                "figure3: {n}/{total} fits ({} {} lambda {:e} {:?}: {:.1} s)",
                r.panel,
                r.method.name(),
                r.lambda,
                r.fold,
                r.seconds
            ));
        }
    };
    let results = run_all(&cfg, &data, &previous, &done)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let choices = choose(&cfg, &data, &results);
    let mut written = Vec::new();
    let fits = dir.join("fits.csv");
    crate::output::write_atomic(&fits, |w| {
        let mut wr = csv::Writer::from_writer(w);
        for r in &results {
            wr.serialize(r)?;
        }
        wr.flush()
    })?;
    written.push(fits);
    let summary = dir.join("summary.csv");
    crate::output::write_atomic(&summary, |w| {
        let mut wr = csv::Writer::from_writer(w);
        for c in &choices {
            wr.serialize(c)?;
        }
        wr.flush()
    })?;
    written.push(summary);
    for (pi, p) in cfg.panel.iter().enumerate() {
        let d = &data[pi];
        // The chosen fits' pictures (refitted when read back by --resume).
        let mut images = Vec::new();
        for c in choices
            .iter()
            .filter(|c| c.panel == p.name && c.method != "zero-filled")
        {
            if let Some(r) = results.iter().find(|r| {
                r.panel == p.name
                    && r.method.name() == c.method
                    && Some(r.lambda) == c.lambda_by_truth
                    && r.image_mse.is_some()
            }) {
                let title = format!("{} (lambda {:.0e})", c.method, r.lambda);
                images.push((title, image_of(&cfg, &data, r)?));
            }
        }
        let mut tiles = vec![
            Tile {
                title: "ground truth".into(),
                picture: &d.truth,
            },
            Tile {
                title: format!("zero-filled, K = {}", p.k),
                picture: &d.zero_filled,
            },
        ];
        for (title, img) in &images {
            tiles.push(Tile {
                title: title.clone(),
                picture: img,
            });
        }
        let png = dir.join(format!("{}.png", p.name));
        write_panel(
            &png,
            &format!(
                "{}: {} from |k| <= {} (K0 = {}); lambda by image MSE against the ground truth (the paper's protocol)",
                p.name, p.phantom, p.k, p.k0
            ),
            &tiles,
        )?;
        written.push(png);
    }
    let seconds = start.elapsed().as_secs_f64();
    let mut text = format!(
        "figure3 {}: {} fits in {:.1} s (revision {})\n\n",
        cfg.name,
        results.len(),
        seconds,
        crate::experiment::record::revision()
    );
    text.push_str(&format!(
        "{:<8} {:<12} {:>12} {:>12} {:>9} {:>12} {:>14}\n",
        "panel", "method", "lambda*", "MSE", "PSNR dB", "lambda(h/o)", "MSE(h/o)"
    ));
    for c in &choices {
        let opt = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.3e}"));
        text.push_str(&format!(
            "{:<8} {:<12} {:>12} {:>12.4e} {:>9.2} {:>12} {:>14}\n",
            c.panel,
            c.method,
            opt(c.lambda_by_truth),
            c.mse_by_truth,
            c.psnr_by_truth,
            opt(c.lambda_held_out),
            opt(c.mse_held_out)
        ));
    }
    text.push_str(
        "\nlambda*: least image MSE against the ground truth (the paper's protocol: uses the truth);\n\
         h/o: ground-truth free, the lambda whose fit on |k| <= K-1 best predicts the ring |k| = K.\n",
    );
    let run_txt = dir.join("run.txt");
    let args: Vec<String> = std::env::args().collect();
    let record = format!("command: {}\n{text}", args.join(" "));
    crate::output::write_atomic(&run_txt, |w| w.write_all(record.as_bytes()))?;
    written.push(run_txt);
    drop(partial);
    let _ = std::fs::remove_file(&partial_path);
    for p in &written {
        text.push_str(&format!("# wrote {}\n", p.display()));
    }
    Ok(Outcome::from(text))
}
