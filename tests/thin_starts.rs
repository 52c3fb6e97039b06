//! psi_mod near the vanishing floor (docs/theory.md 9; `certify::sup`,
//! thin starts): the search of `sup |eta|` starts an ascent from every thin
//! candidate near the top, and so finds violations that one start per
//! neighbourhood missed.
//!
//! The fixture (`tests/data/psi-mod-w3-k2-seed21900-thin.json`, see its
//! `about`) is the final `lambda` of one refinement of `certify --d 2 --k0 1
//! --k 2 --psi mod --teacher random --width 3 --seed 21900` and the thin
//! atoms of its measure. Its final search estimated `sup |eta|` = 1.0000678
//! and printed the lower end 1.2321879; another run of the same instance
//! verified a measure of cost 1.2319459, below it. The witness, an atom of
//! that measure, is a point of the sphere, so `|eta|` there bounds the sup
//! from below: that value is the expected one, independent of the search.

mod common;
use inrsamp::certify::bound::BnbSettings;
use inrsamp::certify::eta::{EtaField, EtaPoint, SupSettings};
use inrsamp::certify::sup::{THOROUGH_STARTS_FACTOR, sup_bound};

#[derive(serde::Deserialize)]
struct Fixture {
    lambda: Vec<f64>,
    dual: f64,
    final_sup: f64,
    lower: f64,
    thin_atoms: Vec<Vec<f64>>,
    witness: Vec<f64>,
    witness_run_upper: f64,
}

#[test]
fn thin_starts_reach_the_violation_another_run_exposed() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/psi-mod-w3-k2-seed21900-thin.json"
    );
    let f: Fixture = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let spec = common::exact_spec(2, 1, 2, "mod", 21900);
    let plan = inrsamp::certify::verdict::verdict_plan(&spec).unwrap();
    let field = EtaField::new(&spec, &plan, f.lambda.clone()).unwrap();
    // The fixture is what its `about` says: the printed lower end was
    // above the other run's verified cost, and the witness shows why.
    assert!(f.lower > f.witness_run_upper);
    let witness = field.value(&f.witness).unwrap().abs();
    assert!(
        witness > f.final_sup + 5e-3,
        "witness |eta| {witness} against the old estimate {}",
        f.final_sup
    );
    assert!(f.dual / witness < f.witness_run_upper);
    // The final bracket's search (THOROUGH_STARTS_FACTOR times the starts)
    // on the run's own thin atoms.
    let candidates: Vec<EtaPoint> = f
        .thin_atoms
        .iter()
        .map(|w| EtaPoint {
            eta: field.value(w).unwrap(),
            w: w.clone(),
            screened: false,
        })
        .collect();
    let def = SupSettings::default();
    let settings = SupSettings {
        starts: def.starts * THOROUGH_STARTS_FACTOR,
        merge_radius: inrsamp::certify::ascent::MERGE_RADIUS,
        ..def
    };
    let b = sup_bound(
        &spec,
        &plan,
        &field,
        &candidates,
        &settings,
        &BnbSettings::default(),
        None,
        |_| None,
    )
    .unwrap();
    assert!(
        b.value >= witness - 1e-9,
        "searched sup {} below the witness's |eta| {witness}",
        b.value
    );
    // So the lower end it gives is consistent with the other run's measure.
    assert!(f.dual / b.value <= f.witness_run_upper);
}
