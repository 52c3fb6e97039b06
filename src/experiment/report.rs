//! Tables and pictures of a sweep, from its records: per route, psi, d and
//! K0, the probability of recovery over (W, K) (the layout of the paper's
//! Figure 2), the minimal K reaching 90 % per W, and the convex-minus-AL map.

use super::record::Record;
use crate::error::{Error, Result};
use crate::output::png::draw_error;
use plotters::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Fraction of trials that must succeed for "the minimal K".
pub const THRESHOLD: f64 = 0.9;

/// One cell of a table.
#[derive(Debug, Clone, Serialize)]
pub struct CellStat {
    /// Route.
    pub route: String,
    /// Weighting.
    pub psi: String,
    /// Torus dimension.
    pub d: usize,
    /// Feature degree.
    pub k0: usize,
    /// Teacher width.
    pub width: usize,
    /// Sampling cutoff.
    pub k: usize,
    /// Trials recorded.
    pub n: usize,
    /// Trials that recovered.
    pub successes: usize,
    /// Trials that ended in an error (counted as not recovered).
    pub errors: usize,
    /// Convex: `unique` verdicts with a proved margin.
    pub proved: usize,
    /// Convex: `inconclusive` verdicts.
    pub inconclusive: usize,
}

impl CellStat {
    /// successes / n.
    pub fn probability(&self) -> f64 {
        self.successes as f64 / self.n.max(1) as f64
    }
}

type TableKey = (String, String, usize, usize);

/// The statistics of every cell, grouped by (route, psi, d, k0).
pub fn tables(records: &[Record]) -> BTreeMap<TableKey, Vec<CellStat>> {
    let mut cells: BTreeMap<(TableKey, usize, usize), CellStat> = BTreeMap::new();
    for r in records {
        let key = (r.route.clone(), r.psi.clone(), r.d, r.k0);
        let c = cells
            .entry((key, r.width, r.k))
            .or_insert_with(|| CellStat {
                route: r.route.clone(),
                psi: r.psi.clone(),
                d: r.d,
                k0: r.k0,
                width: r.width,
                k: r.k,
                n: 0,
                successes: 0,
                errors: 0,
                proved: 0,
                inconclusive: 0,
            });
        c.n += 1;
        c.successes += r.success as usize;
        c.errors += (r.outcome == "error") as usize;
        c.proved += (r.proof == "proved") as usize;
        c.inconclusive += (r.outcome == "inconclusive") as usize;
    }
    let mut out: BTreeMap<TableKey, Vec<CellStat>> = BTreeMap::new();
    for ((key, _, _), c) in cells {
        out.entry(key).or_default().push(c);
    }
    out
}

fn axes(cells: &[CellStat]) -> (Vec<usize>, Vec<usize>) {
    let mut ws: Vec<usize> = cells.iter().map(|c| c.width).collect();
    let mut ks: Vec<usize> = cells.iter().map(|c| c.k).collect();
    ws.sort_unstable();
    ws.dedup();
    ks.sort_unstable();
    ks.dedup();
    (ws, ks)
}

/// The smallest K of the table whose probability is at least [`THRESHOLD`]
/// for width `w` (None when no K reaches it).
pub fn minimal_k(cells: &[CellStat], w: usize) -> Option<usize> {
    let mut ks: Vec<&CellStat> = cells.iter().filter(|c| c.width == w).collect();
    ks.sort_by_key(|c| c.k);
    ks.iter()
        .find(|c| c.probability() >= THRESHOLD)
        .map(|c| c.k)
}

/// The cells of width `w` with `full` trials (the most any cell of the
/// table has): where fewer than all of the row's K are full, its minimal K
/// rests on partial data (a running sweep) and the text report says so.
pub fn full_cells(cells: &[CellStat], w: usize, full: usize) -> usize {
    cells.iter().filter(|c| c.width == w && c.n >= full).count()
}

/// The note under a heat-map cell with `n` trials when the table's
/// fullest cell has `full`: "n of full" for a partial cell, none for a
/// full or an empty one (an empty cell is drawn as "-").
pub fn trials_note(n: usize, full: usize) -> Option<String> {
    (n > 0 && n < full).then(|| format!("{n} of {full} trials"))
}

/// The text report: one table per (route, psi, d, k0).
pub fn text(records: &[Record]) -> String {
    let mut s = String::new();
    for ((route, psi, d, k0), cells) in tables(records) {
        let (ws, ks) = axes(&cells);
        s.push_str(&format!(
            "route {route}, psi {psi}, d = {d}, K0 = {k0}: probability of recovery (trials per cell in brackets)\n"
        ));
        s.push_str("  W \\ K");
        for k in &ks {
            s.push_str(&format!("{k:>10}"));
        }
        s.push('\n');
        for w in &ws {
            s.push_str(&format!("  {w:>5}"));
            for k in &ks {
                match cells.iter().find(|c| c.width == *w && c.k == *k) {
                    Some(c) => s.push_str(&format!("{:>5.2} [{:>2}]", c.probability(), c.n)),
                    None => s.push_str(&format!("{:>10}", "-")),
                }
            }
            s.push('\n');
        }
        let full = cells.iter().map(|c| c.n).max().unwrap_or(0);
        let mins: Vec<String> = ws
            .iter()
            .map(|w| {
                let filled = full_cells(&cells, *w, full);
                let mark = if filled < ks.len() {
                    format!(
                        " (row incomplete: {filled} of {} cells with {full} trials)",
                        ks.len()
                    )
                } else {
                    String::new()
                };
                format!(
                    "W={w}: {}{mark}",
                    minimal_k(&cells, *w).map_or("none".into(), |k| k.to_string())
                )
            })
            .collect();
        s.push_str(&format!("  minimal K with >= 90 %: {}\n", mins.join(", ")));
        let errors: usize = cells.iter().map(|c| c.errors).sum();
        let inconc: usize = cells.iter().map(|c| c.inconclusive).sum();
        if errors + inconc > 0 {
            s.push_str(&format!(
                "  not decided: {inconc} inconclusive, {errors} errors (both count as not recovered)\n"
            ));
        }
        s.push('\n');
    }
    s.push_str(&paired_text(records));
    s
}

/// The convex-minus-AL tables on paired trials ([`paired_difference`]),
/// one per (psi, d, K0) where both routes ran.
fn paired_text(records: &[Record]) -> String {
    let t = tables(records);
    let mut s = String::new();
    for (route, psi, d, k0) in t.keys() {
        if route != "convex" || !t.contains_key(&("al".to_string(), psi.clone(), *d, *k0)) {
            continue;
        }
        let p = paired_difference(records, psi, *d, *k0);
        let mut ws: Vec<usize> = p.keys().map(|k| k.0).collect();
        let mut ks: Vec<usize> = p.keys().map(|k| k.1).collect();
        ws.dedup();
        ks.sort_unstable();
        ks.dedup();
        s.push_str(&format!(
            "convex minus AL, psi {psi}, d = {d}, K0 = {k0}, on the trials both routes ran (paired trials in brackets; > 0: AL misses a teacher the convex problem recovers)\n  W \\ K"
        ));
        for k in &ks {
            s.push_str(&format!("{k:>11}"));
        }
        s.push('\n');
        for w in &ws {
            s.push_str(&format!("  {w:>5}"));
            for k in &ks {
                match p.get(&(*w, *k)) {
                    Some((v, n)) => s.push_str(&format!("{v:>+6.2} [{n:>2}]")),
                    None => s.push_str(&format!("{:>11}", "-")),
                }
            }
            s.push('\n');
        }
        s.push('\n');
    }
    s
}

/// Convex minus AL per (W, K) cell of (psi, d, K0), on the trials that
/// both routes ran (the same teacher, trial by trial): the convex
/// successes minus the AL successes, over `n`, and `n`. Cells without a
/// paired trial are absent. Pairing matters when the routes have different
/// trials in a cell (a partial or resumed sweep); with the same trials it
/// equals the difference of the two probabilities.
pub fn paired_difference(
    records: &[Record],
    psi: &str,
    d: usize,
    k0: usize,
) -> BTreeMap<(usize, usize), (f64, usize)> {
    type Trial = (usize, usize, usize);
    let of = |route: &str| -> BTreeMap<Trial, bool> {
        records
            .iter()
            .filter(|r| r.route == route && r.psi == psi && r.d == d && r.k0 == k0)
            .map(|r| ((r.width, r.k, r.trial), r.success))
            .collect()
    };
    let (convex, al) = (of("convex"), of("al"));
    let mut sums: BTreeMap<(usize, usize), (i64, usize)> = BTreeMap::new();
    for (&(w, k, trial), &c) in &convex {
        if let Some(&a) = al.get(&(w, k, trial)) {
            let e = sums.entry((w, k)).or_default();
            e.0 += c as i64 - a as i64;
            e.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(key, (diff, n))| (key, (diff as f64 / n as f64, n)))
        .collect()
}

/// Draws a (W rows, K columns) map: `value(w, k)` in [lo, 1] shaded, the
/// number written in each cell. Written atomically.
fn heat_map(
    path: &Path,
    title: &str,
    ws: &[usize],
    ks: &[usize],
    value: &dyn Fn(usize, usize) -> Option<f64>,
    note: &dyn Fn(usize, usize) -> Option<String>,
    diverging: bool,
) -> Result<()> {
    crate::output::png::register_font();
    let (cw, ch) = (70u32, 46u32);
    let width = (90 + cw * ks.len() as u32 + 20).max(520);
    let height = 70 + ch * ws.len() as u32 + 50;
    let mut buf = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error(path))?;
        let text = |s: &str, x: i32, y: i32, size: f64| {
            root.draw(&Text::new(
                s.to_string(),
                (x, y),
                ("sans-serif", size).into_font(),
            ))
        };
        text(title, 10, 10, 16.0).map_err(draw_error(path))?;
        text("K", 90 + (cw * ks.len() as u32 / 2) as i32, 40, 14.0).map_err(draw_error(path))?;
        text("W", 10, 70 + (ch * ws.len() as u32 / 2) as i32, 14.0).map_err(draw_error(path))?;
        for (j, k) in ks.iter().enumerate() {
            text(
                &k.to_string(),
                90 + j as i32 * cw as i32 + cw as i32 / 2 - 4,
                52,
                13.0,
            )
            .map_err(draw_error(path))?;
        }
        for (i, w) in ws.iter().enumerate() {
            let y0 = 70 + i as i32 * ch as i32;
            text(&w.to_string(), 50, y0 + ch as i32 / 2 - 7, 13.0).map_err(draw_error(path))?;
            for (j, k) in ks.iter().enumerate() {
                let x0 = 90 + j as i32 * cw as i32;
                let v = value(*w, *k);
                let color = match v {
                    None => RGBColor(230, 230, 230),
                    Some(p) if diverging => {
                        // red for convex > AL, blue for AL > convex
                        let t = p.clamp(-1.0, 1.0);
                        if t >= 0.0 {
                            RGBColor(255, (255.0 * (1.0 - t)) as u8, (255.0 * (1.0 - t)) as u8)
                        } else {
                            RGBColor((255.0 * (1.0 + t)) as u8, (255.0 * (1.0 + t)) as u8, 255)
                        }
                    }
                    Some(p) => {
                        let t = p.clamp(0.0, 1.0);
                        RGBColor(
                            (255.0 - 220.0 * t) as u8,
                            (255.0 - 150.0 * t) as u8,
                            (255.0 - 40.0 * t) as u8,
                        )
                    }
                };
                root.draw(&Rectangle::new(
                    [(x0, y0), (x0 + cw as i32 - 2, y0 + ch as i32 - 2)],
                    color.filled(),
                ))
                .map_err(draw_error(path))?;
                let label = v.map_or("-".to_string(), |p| format!("{p:.2}"));
                let dark = v.is_some_and(|p| p.abs() > 0.6);
                root.draw(&Text::new(
                    label,
                    (x0 + cw as i32 / 2 - 14, y0 + ch as i32 / 2 - 8),
                    ("sans-serif", 14.0)
                        .into_font()
                        .color(if dark { &WHITE } else { &BLACK }),
                ))
                .map_err(draw_error(path))?;
                if let Some(n) = note(*w, *k) {
                    root.draw(&Text::new(
                        n,
                        (x0 + 6, y0 + ch as i32 / 2 + 8),
                        ("sans-serif", 10.0)
                            .into_font()
                            .color(if dark { &WHITE } else { &BLACK }),
                    ))
                    .map_err(draw_error(path))?;
                }
            }
        }
        root.present().map_err(draw_error(path))?;
    }
    crate::output::png::write_rgb_png(path, &buf, width, height)
}

/// Writes the report to `dir`: `tables.txt`, `tables.csv` (one row per
/// cell), a PNG per table and, where both routes ran, a convex-minus-AL
/// PNG per psi. Returns the text report and the files written.
pub fn write_report(records: &[Record], dir: &Path) -> Result<(String, Vec<String>)> {
    if !dir.is_dir() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let txt = text(records);
    let mut files = Vec::new();
    let p = dir.join("tables.txt");
    crate::output::write_atomic(&p, |w| w.write_all(txt.as_bytes()))?;
    files.push(p.display().to_string());
    let t = tables(records);
    let p = dir.join("tables.csv");
    crate::output::write_atomic(&p, |w| {
        let mut wr = csv::Writer::from_writer(w);
        for cells in t.values() {
            for c in cells {
                wr.serialize(c)?;
            }
        }
        wr.flush()
    })?;
    files.push(p.display().to_string());
    for ((route, psi, d, k0), cells) in &t {
        let (ws, ks) = axes(cells);
        let p = dir.join(format!("{route}-{psi}-d{d}-k0{k0}.png"));
        let value = |w: usize, k: usize| {
            cells
                .iter()
                .find(|c| c.width == w && c.k == k)
                .map(|c| c.probability())
        };
        let full = cells.iter().map(|c| c.n).max().unwrap_or(0);
        let note = |w: usize, k: usize| {
            let n = cells
                .iter()
                .find(|c| c.width == w && c.k == k)
                .map_or(0, |c| c.n);
            trials_note(n, full)
        };
        heat_map(
            &p,
            &format!("{route}, psi_{psi}, d = {d}, K0 = {k0}: P(recovery)"),
            &ws,
            &ks,
            &value,
            &note,
            false,
        )?;
        files.push(p.display().to_string());
        if route == "convex" && t.contains_key(&("al".to_string(), psi.clone(), *d, *k0)) {
            let p = dir.join(format!("convex-minus-al-{psi}-d{d}-k0{k0}.png"));
            let paired = paired_difference(records, psi, *d, *k0);
            let diff = |w: usize, k: usize| paired.get(&(w, k)).map(|&(v, _)| v);
            heat_map(
                &p,
                &format!(
                    "convex minus AL, psi_{psi}, d = {d}, K0 = {k0}, paired trials (red: AL misses)"
                ),
                &ws,
                &ks,
                &diff,
                &|_, _| None,
                true,
            )?;
            files.push(p.display().to_string());
        }
    }
    Ok((txt, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(route: &str, trial: usize, success: bool) -> Record {
        Record {
            route: route.into(),
            psi: "std".into(),
            d: 2,
            k0: 1,
            width: 2,
            k: 3,
            trial,
            success,
            ..Record::blank()
        }
    }

    #[test]
    fn minimal_k_of_a_partial_row_is_marked() {
        // Width 2: trials 0..3 at K = 3 (one recovers), K = 4 only trial 0
        // (recovers): its minimal K, 4, rests on one trial. Width 1: both
        // cells full.
        let at = |w: usize, k: usize, t: usize, ok: bool| Record {
            width: w,
            k,
            ..record("convex", t, ok)
        };
        let mut rs: Vec<Record> = (0..3).map(|t| at(2, 3, t, t == 0)).collect();
        rs.push(at(2, 4, 0, true));
        rs.extend((0..3).flat_map(|t| [at(1, 3, t, true), at(1, 4, t, true)]));
        let txt = text(&rs);
        assert!(
            txt.contains("W=1: 3, W=2: 4 (row incomplete: 1 of 2 cells with 3 trials)"),
            "{txt}"
        );
    }

    #[test]
    fn partial_cells_get_a_trials_note() {
        assert_eq!(trials_note(6, 10).as_deref(), Some("6 of 10 trials"));
        assert_eq!(trials_note(10, 10), None);
        assert_eq!(trials_note(0, 10), None);
    }

    #[test]
    fn convex_minus_al_pairs_trials() {
        // Convex ran trials 0 and 1 (both recovered); AL ran 0..4 and
        // recovered only 2 and 3. Unpaired: 1.0 - 0.5 = 0.5. On the two
        // paired trials: (2 - 0) / 2 = 1.0.
        let mut rs = vec![record("convex", 0, true), record("convex", 1, true)];
        rs.extend((0..4).map(|t| record("al", t, t >= 2)));
        let p = paired_difference(&rs, "std", 2, 1);
        assert_eq!(p.get(&(2, 3)), Some(&(1.0, 2)));
        // Another psi has no paired trial: no cell.
        assert!(paired_difference(&rs, "mod", 2, 1).is_empty());
    }
}
