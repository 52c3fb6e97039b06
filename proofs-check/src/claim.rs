//! Claims as data: one TOML file per claim (see README, "proofs-check").

use serde::Deserialize;
use std::path::Path;

/// What a claim is expected to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// Every instance holds.
    Holds,
    /// At least one instance fails.
    Fails,
    /// Open question: only record what happens.
    Record,
}

/// The procedure that checks one instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A numerical identity (`identity = ...` names which).
    Identity,
    /// The teacher is the unique minimizer of (11) with a passing certificate (verdict `unique`).
    Certificate,
    /// The convex solution is the teacher (verdict `unique` or `recovered`).
    ConvexRecovery,
    /// Like convex-recovery, for settings below the conjectured thresholds.
    NecessityProbe,
    /// The convex minimizer and the trained INR agree.
    Agreement,
}

/// The identities of kind `identity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Identity {
    /// `|A_K f|_2` equals the complex norm over `S_K`.
    RealMapNorm,
    /// `psi_pre(w)` equals the grid L2 norm of `g_w`.
    ParsevalPre,
    /// `psi(alpha w) = alpha psi(w)`.
    Homogeneity,
    /// `min over rescalings of R_psi = sum |a_j| psi(w_j)`.
    Balancing,
}

/// The family of instances.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    /// Torus dimensions.
    pub d: Vec<usize>,
    /// Feature degrees.
    pub k0: Vec<usize>,
    /// Sampling cutoffs: integers, or expressions `"a*k0"`, `"a*k0+b"`, `"(w+1)*k0"`, `"(w+1)*k0-1"`.
    #[serde(default = "default_k")]
    pub k: Vec<toml::Value>,
    /// Teacher widths.
    #[serde(default = "default_width")]
    pub width: Vec<usize>,
    /// Weightings: std, mod, pre.
    #[serde(default = "default_psi")]
    pub psi: Vec<String>,
    /// Random instances per cell in a full run.
    pub instances: usize,
    /// Random instances per cell in a quick run (0: the claim is skipped by --quick).
    #[serde(default)]
    pub quick_instances: usize,
    /// Base seed; instance i of a cell gets a seed derived from it, the cell and i.
    #[serde(default)]
    pub base_seed: u64,
    /// Only teachers whose units take both signs (Theorem 1's hypothesis).
    #[serde(default)]
    pub require_sign_change: bool,
    /// Sphere grid directions of the convex solve.
    #[serde(default = "default_grid_points")]
    pub grid_points: usize,
    /// Leave the teacher's directions off the sphere grid.
    #[serde(default)]
    pub off_grid: bool,
    /// Certified refinement off the grid.
    #[serde(default)]
    pub refine: bool,
    /// Round limit of the refinement (`inrsamp --max-rounds`; unset: the
    /// regularizer's default, 100 for std and pre, 30 for mod since
    /// 2026-12-06). Set it to keep a long run's rounds fixed across
    /// binaries.
    #[serde(default)]
    pub max_rounds: Option<usize>,
    /// Stop refining once a measure cheaper than the teacher is verified
    /// (`inrsamp certify --decide`): the same verdicts, sooner, for
    /// teachers that are not minimizers; a `not_recovered` row's margin is
    /// then the first verified gap, not the optimum's, and its bracket is
    /// valid but not tightened. Only for claims decided by `certify`.
    #[serde(default)]
    pub decide: bool,
    /// Agreement: initializations of the INR (`inrsamp compare --restarts`;
    /// default 1).
    #[serde(default = "default_restarts")]
    pub restarts: usize,
}

fn default_restarts() -> usize {
    1
}

fn default_k() -> Vec<toml::Value> {
    vec![toml::Value::String("2*k0".into())]
}
fn default_width() -> Vec<usize> {
    vec![1]
}
fn default_psi() -> Vec<String> {
    vec!["mod".into()]
}
fn default_grid_points() -> usize {
    2000
}

/// Tolerances (every field documented, all optional).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Tolerances {
    /// Relative error allowed by an identity (default 1e-10).
    pub identity: Option<f64>,
    /// Agreement: largest cost relative gap (default 1e-4).
    pub cost_gap: Option<f64>,
    /// Agreement: largest relative L2 distance of the functions (default 1e-3).
    pub distance: Option<f64>,
    /// Largest fraction of inconclusive instances for which a `holds` or
    /// `fails` claim still counts as checked (default 0.05); above it the
    /// result is `UNCHECKED` and the run exits 1.
    pub inconclusive: Option<f64>,
}

/// Upper limit of `family.instances` (per cell).
pub const MAX_INSTANCES: usize = 100_000;

/// Upper limit of `family.grid_points` (that of `inrsamp --grid-points`).
pub const MAX_CLAIM_GRID_POINTS: usize = 10_000_000;

/// Default of [`Tolerances::inconclusive`].
pub const MAX_INCONCLUSIVE: f64 = 0.05;

/// One claim file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// Short identifier.
    pub id: String,
    /// The statement, in words.
    pub statement: String,
    /// Where it comes from.
    pub reference: String,
    /// The procedure.
    pub kind: Kind,
    /// Which identity (kind = identity).
    pub identity: Option<Identity>,
    /// The expectation.
    pub expect: Expect,
    /// The instances.
    pub family: Family,
    /// Tolerances.
    #[serde(default)]
    pub tolerances: Tolerances,
}

/// A cell of the family: one value of every parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Torus dimension.
    pub d: usize,
    /// Feature degree.
    pub k0: usize,
    /// Sampling cutoff.
    pub k: usize,
    /// Teacher width.
    pub width: usize,
    /// Weighting.
    pub psi: String,
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "d={} k0={} k={} w={} psi={}",
            self.d, self.k0, self.k, self.width, self.psi
        )
    }
}

/// Evaluates a cutoff expression for a cell.
pub fn eval_k(v: &toml::Value, k0: usize, width: usize) -> Result<usize, String> {
    match v {
        toml::Value::Integer(i) if *i >= 1 => Ok(*i as usize),
        toml::Value::Integer(i) => Err(format!("k = {i} must be at least 1")),
        toml::Value::String(s) => {
            let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            // forms: "a*k0", "a*k0+b", "a*k0-b", "(w+1)*k0", "(w+1)*k0+b", "(w+1)*k0-b", "k0"
            let (head, offset) = match t
                .rfind(['+', '-'])
                .filter(|&p| !t[..p].ends_with('(') && !t[p..].contains(')') && p > 0)
            {
                Some(p)
                    if t[p + 1..].chars().all(|c| c.is_ascii_digit()) && !t[p + 1..].is_empty() =>
                {
                    let b: i64 = t[p + 1..]
                        .parse()
                        .map_err(|_| format!("bad offset in k = \"{s}\""))?;
                    (&t[..p], if &t[p..p + 1] == "-" { -b } else { b })
                }
                _ => (t.as_str(), 0),
            };
            let factor: i64 = match head {
                "k0" => 1,
                "(w+1)*k0" => width as i64 + 1,
                h if h.ends_with("*k0") => h[..h.len() - 3]
                    .parse()
                    .map_err(|_| format!("unknown factor in k = \"{s}\""))?,
                _ => {
                    return Err(format!(
                        "k = \"{s}\": use an integer, \"a*k0\", \"(w+1)*k0\", with an optional \"+b\" or \"-b\""
                    ));
                }
            };
            let k = factor
                .checked_mul(k0 as i64)
                .and_then(|v| v.checked_add(offset))
                .ok_or_else(|| format!("k = \"{s}\" overflows for k0 = {k0}, w = {width}"))?;
            if k < 1 {
                return Err(format!("k = \"{s}\" gives {k} for k0 = {k0}, w = {width}"));
            }
            Ok(k as usize)
        }
        other => Err(format!(
            "k = {other}: expected an integer or a string expression"
        )),
    }
}

impl Claim {
    /// Reads and validates a claim file; the error names the file and the field.
    pub fn from_file(path: &Path) -> Result<Claim, String> {
        let name = path.display();
        let text = inrsamp::limits::read_text(path, inrsamp::limits::MAX_SMALL_FILE)
            .map_err(|e| e.to_string())?;
        let c: Claim = toml::from_str(&text)
            .map_err(|e| format!("{name}: {}", e.to_string().replace('\n', " ").trim()))?;
        let f = &c.family;
        let bad = |field: &str, why: &str| Err(format!("{name}: {field}: {why}"));
        if c.id.trim().is_empty() {
            return bad("id", "must not be empty");
        }
        if c.kind == Kind::Identity && c.identity.is_none() {
            return bad(
                "identity",
                "kind = \"identity\" needs identity = real-map-norm | parseval-pre | homogeneity | balancing",
            );
        }
        if f.d.is_empty() || f.d.iter().any(|&d| d == 0 || d > 3) {
            return bad("family.d", "a non-empty list of 1, 2 or 3");
        }
        if f.k0.is_empty() || f.k0.iter().any(|&k| k == 0 || k > 8) {
            return bad("family.k0", "a non-empty list of integers in 1..=8");
        }
        if f.width.is_empty() || f.width.iter().any(|&w| w == 0 || w > 20) {
            return bad("family.width", "a non-empty list of integers in 1..=20");
        }
        if f.psi.is_empty()
            || f.psi
                .iter()
                .any(|p| !["std", "mod", "pre"].contains(&p.as_str()))
        {
            return bad("family.psi", "a non-empty list of std, mod, pre");
        }
        if f.instances == 0 || f.instances > MAX_INSTANCES {
            return bad(
                "family.instances",
                &format!("between 1 and {MAX_INSTANCES} per cell"),
            );
        }
        if f.quick_instances > f.instances {
            return bad(
                "family.quick_instances",
                "at most family.instances (the quick set is the first instances of the full run)",
            );
        }
        if f.restarts == 0 || f.restarts > 100 {
            return bad("family.restarts", "between 1 and 100");
        }
        if f.grid_points == 0 || f.grid_points > MAX_CLAIM_GRID_POINTS {
            return bad(
                "family.grid_points",
                &format!(
                    "between 1 and {MAX_CLAIM_GRID_POINTS} (the limit of inrsamp --grid-points)"
                ),
            );
        }
        if let Some(n) = f.max_rounds
            && !(1..=inrsamp::certify::bracket::MAX_ROUNDS_LIMIT).contains(&n)
        {
            return bad(
                "family.max_rounds",
                "between 1 and 10 000 (the limit of inrsamp --max-rounds)",
            );
        }
        if f.decide && matches!(c.kind, Kind::Identity | Kind::Agreement) {
            return bad(
                "family.decide",
                "only for claims decided by certify (certificate, convex-recovery, necessity-probe)",
            );
        }
        let t = &c.tolerances;
        for (field, v) in [
            ("tolerances.identity", t.identity),
            ("tolerances.cost_gap", t.cost_gap),
            ("tolerances.distance", t.distance),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && v > 0.0)
            {
                return bad(field, "a positive number");
            }
        }
        if let Some(v) = t.inconclusive
            && !(0.0..=1.0).contains(&v)
        {
            return bad("tolerances.inconclusive", "a fraction in [0, 1]");
        }
        for kv in &f.k {
            for &k0 in &f.k0 {
                for &w in &f.width {
                    eval_k(kv, k0, w).map_err(|e| format!("{name}: family.k: {e}"))?;
                }
            }
        }
        // Every cell must be a problem inrsamp accepts (its own validation).
        for cell in c.cells() {
            let input = inrsamp::spec::SpecInput {
                d: Some(cell.d as i64),
                k0: Some(cell.k0 as i64),
                k: Some(cell.k as i64),
                psi: Some(cell.psi.clone()),
                ..Default::default()
            };
            input
                .build()
                .map_err(|e| format!("{name}: family (cell {cell}): inrsamp rejects it: {e}"))?;
        }
        Ok(c)
    }

    /// All cells of the family, in a fixed order.
    pub fn cells(&self) -> Vec<Cell> {
        let f = &self.family;
        let mut out = Vec::new();
        for &d in &f.d {
            for &k0 in &f.k0 {
                for kv in &f.k {
                    for &width in &f.width {
                        for psi in &f.psi {
                            // Validated in from_file.
                            if let Ok(k) = eval_k(kv, k0, width) {
                                let cell = Cell {
                                    d,
                                    k0,
                                    k,
                                    width,
                                    psi: psi.clone(),
                                };
                                if !out.contains(&cell) {
                                    out.push(cell);
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoff_expressions() {
        let s = |x: &str| toml::Value::String(x.into());
        assert_eq!(eval_k(&s("2*k0"), 3, 1), Ok(6));
        assert_eq!(eval_k(&s("2*k0-1"), 3, 1), Ok(5));
        assert_eq!(eval_k(&s("(w+1)*k0"), 2, 3), Ok(8));
        assert_eq!(eval_k(&s("(w+1)*k0-1"), 2, 3), Ok(7));
        assert_eq!(eval_k(&s("k0"), 2, 3), Ok(2));
        assert_eq!(eval_k(&toml::Value::Integer(4), 2, 3), Ok(4));
        assert!(eval_k(&s("k0-1"), 1, 1).is_err());
        assert!(eval_k(&s("3*w"), 1, 1).is_err());
        // i64 overflow is an error, not a wrapped negative cutoff.
        assert!(eval_k(&s("9223372036854775807*k0"), 2, 1).is_err());
    }

    /// Fuzzing (issue #14): mutations of a valid claim file and arbitrary
    /// bytes never panic the reader (FUZZ_CASES cases, default 300).
    #[test]
    fn claim_reader_never_panics() {
        use rand::{RngExt, SeedableRng};
        let valid = "id = \"x\"\nstatement = \"s\"\nreference = \"r\"\nkind = \"certificate\"\nexpect = \"holds\"\n[family]\nd = [1, 2]\nk0 = [1]\nk = [\"2*k0\", \"(w+1)*k0-1\", 3]\nwidth = [1]\npsi = [\"mod\"]\ninstances = 10\nquick_instances = 2\n[tolerances]\ninconclusive = 0.1\n";
        let tokens: [&str; 14] = [
            "0",
            "-1",
            "9223372036854775807",
            "\"99999999999*k0\"",
            "NaN",
            "[",
            "]",
            "\"",
            "=",
            "\n",
            "8",
            "3",
            "1e400",
            "\"k0-99\"",
        ];
        let n: usize = std::env::var("FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300);
        let dir = std::env::temp_dir().join(format!("claim-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.toml");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(14);
        let mut parsed = 0;
        for i in 0..n {
            let bytes: Vec<u8> = if i % 4 == 0 {
                (0..rng.random_range(0..256))
                    .map(|_| rng.random())
                    .collect()
            } else {
                let mut v = valid.as_bytes().to_vec();
                for _ in 0..rng.random_range(1..4) {
                    let at = rng.random_range(0..=v.len());
                    let end = (at + rng.random_range(0..8)).min(v.len());
                    let t = tokens[rng.random_range(0..tokens.len())];
                    v.splice(at..end, t.bytes());
                }
                v
            };
            std::fs::write(&path, &bytes).unwrap();
            if let Ok(c) = Claim::from_file(&path) {
                let _ = c.cells();
                parsed += 1;
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!("fuzz claim: {n} executions, {parsed} parsed, no panic");
    }
}
