//! Integration tests of `private-pgm` (label-star and MST) and `independent`
//! (generators.md §2–4, §6), on small deterministic synthetic data.

use bench::data::dataset::{Labelled, Schema, TrainFold};
use bench::data::matrix::Matrix;
use bench::generators::discrete::discretise::{encode, public_edges, DiscreteData};
use bench::generators::discrete::measure::{read_measurements_jsonl, write_measurements_jsonl};
use bench::generators::discrete::{DiscreteGenerator, DiscreteModel};
use bench::generators::independent::Independent;
use bench::generators::pgm::PrivatePgm;
use bench::generators::{build, Model};
use bench::privacy::accountant::Budget;
use bench::privacy::mechanisms::Noise;
use bench::rng::Rng;

/// `n` rows × `p` genes on the VST-like scale, `classes` classes; each gene's mean shifts with
/// the class by up to ±0.6 standard deviations, so every (bin, class) cell is populated.
fn class_data(n: usize, p: usize, classes: usize, seed: u64) -> (Labelled, Schema) {
    let mut rng = Rng::from_seed(seed);
    let names: Vec<String> = (0..classes).map(|c| format!("class{c}")).collect();
    let mut x = Matrix::zeros(n, p);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % classes;
        labels.push(names[c].clone());
        for j in 0..p {
            let shift = 0.3 * (((j * 7 + c * 3) % 5) as f64 - 2.0);
            x.set(i, j, 8.0 + shift + rng.normal());
        }
    }
    let schema =
        Schema { gene_ids: (0..p).map(|j| format!("g{j}")).collect(), classes: names, public_range: (0.0, 20.0) };
    (Labelled { x, labels }, schema)
}

/// The train fold's discrete table with public quartile edges.
fn true_table(data: &Labelled, schema: &Schema, bins: usize) -> DiscreteData {
    let edges = public_edges(&data.x, bins, schema.public_range).unwrap();
    let codes: Vec<u32> =
        data.labels.iter().map(|l| schema.classes.iter().position(|c| c == l).unwrap() as u32).collect();
    encode(&data.x, &edges, &codes, schema.classes.len()).unwrap()
}

/// A `private-pgm` with the challenge entry's configuration (public quartile edges, train bin
/// means, exact row count) under the given keys: the recovery tests below compare against
/// public-edge tables.
fn pgm(text: &str) -> PrivatePgm {
    PrivatePgm::from_params(&format!("preset = \"camda2025-entry\"\n{text}").parse().unwrap()).unwrap()
}

fn budget(eps: f64) -> Budget {
    Budget::dp(eps, 1e-5).unwrap()
}

/// The model's (gene j, label) marginal `N̂·P(c)·P(b | c)` in (b, c) C order.
fn model_gene_label(model: &DiscreteModel, j: usize) -> Vec<f64> {
    let plan = model.plan();
    let (bins, classes) = (plan.sizes()[j], plan.sizes()[plan.root()]);
    let cond = plan.conditional(j).unwrap();
    let mut out = vec![0.0; bins * classes];
    for c in 0..classes {
        for b in 0..bins {
            out[b * classes + c] = model.nhat() * plan.root_probs()[c] * cond[c * bins + b];
        }
    }
    out
}

#[test]
fn noise_off_label_star_reproduces_the_train_marginals() {
    let (data, schema) = class_data(300, 20, 3, 1);
    let train = TrainFold::from_parts(&data, &schema);
    let truth = true_table(&data, &schema, 4);
    let model = pgm("iterations = 3000").fit_model(&train, &budget(1.0), Noise::Off).unwrap();
    assert!((model.nhat() - 300.0).abs() < 1e-9, "N̂ = {}", model.nhat());
    let label = truth.attrs() - 1;
    let label_counts = truth.histogram(label);
    let mut worst: f64 = 0.0;
    for (c, &count) in label_counts.iter().enumerate() {
        worst = worst.max((model.nhat() * model.plan().root_probs()[c] - count).abs() / count);
    }
    for j in 0..label {
        let want = truth.pair_histogram(j, label);
        let got = model_gene_label(&model, j);
        for (g, w) in got.iter().zip(&want) {
            assert!(*w > 0.0, "test data should populate every cell");
            worst = worst.max((g - w).abs() / w);
        }
        let one_way = truth.histogram(j);
        for (b, &w) in one_way.iter().enumerate() {
            let g: f64 = (0..3).map(|c| got[b * 3 + c]).sum();
            worst = worst.max((g - w).abs() / w);
        }
    }
    assert!(worst <= 1e-6, "largest relative error {worst}");
}

#[test]
fn sampled_gene_label_tables_match_the_model_within_the_rounding_bound() {
    let (data, schema) = class_data(300, 20, 3, 2);
    let train = TrainFold::from_parts(&data, &schema);
    let model = pgm("").fit_model(&train, &budget(2.0), Noise::from_rng(&Rng::from_seed(3))).unwrap();
    let n = 457;
    let codes = model.sample_codes(n, &mut Rng::from_seed(4)).unwrap();
    let label = codes.attrs() - 1;
    let plan = model.plan();
    let counts = codes.histogram(label);
    for (c, &k) in counts.iter().enumerate() {
        assert!((k - n as f64 * plan.root_probs()[c]).abs() < 1.0, "class {c}: {k}");
    }
    for j in 0..label {
        let cond = plan.conditional(j).unwrap();
        let table = codes.pair_histogram(j, label);
        for (c, &m) in counts.iter().enumerate() {
            let (mut cum, mut want) = (0.0, 0.0);
            let row_sum: f64 = cond[c * 4..c * 4 + 4].iter().sum();
            for b in 0..4 {
                cum += table[b * 3 + c];
                want += m * cond[c * 4 + b] / row_sum;
                assert!((cum - want).abs() < 1.0 + 1e-9, "gene {j} class {c} bin {b}: {cum} vs {want}");
            }
        }
    }
}

#[test]
fn budget_spent_equals_the_budget_for_every_configuration() {
    let (data, schema) = class_data(200, 12, 3, 5);
    let train = TrainFold::from_parts(&data, &schema);
    let configs = [
        ("private-pgm", ""),
        ("private-pgm", "edges = \"dp\"\ndediscretise = \"bin-mean-dp\""),
        ("private-pgm", "edges = \"dp\"\ndediscretise = \"uniform\"\nsplit = { discretisation = 0.2, one_way = 0.3, two_way = 0.5 }"),
        ("private-pgm", "marginals = \"mst\"\niterations = 200"),
        ("private-pgm", "marginals = \"mst\"\ncompress = \"off\"\nedges = \"dp\"\niterations = 200"),
        ("independent", ""),
        ("independent", "mode = \"per-gene\"\nedges = \"dp\""),
    ];
    for (kind, text) in configs {
        let g = build(kind, &text.parse().unwrap()).unwrap();
        let model = g.fit(&train, &budget(1.0), &mut Rng::from_seed(6)).unwrap();
        let r = model.privacy();
        let (total, spent) = (r.rho_budget.unwrap(), r.rho_spent.unwrap());
        assert!((spent - total).abs() <= 1e-12 * total, "{kind} [{text}]: spent {spent} of {total}");
        let ledger: f64 = r.ledger.iter().map(|c| c.rho).sum();
        assert!((ledger - total).abs() <= 1e-12 * total, "{kind} [{text}]");
        let split: f64 = r.split.values().sum();
        assert!((split - total).abs() <= 1e-12 * total, "{kind} [{text}]: split {:?}", r.split);
        assert!((r.epsilon_spent.unwrap() - 1.0).abs() < 1e-6);
        assert!(r.dp && r.fp_caveat);
        let sample = model.sample(200, &mut Rng::from_seed(7)).unwrap();
        assert_eq!(sample.x.rows(), 200);
        assert!(sample.x.first_non_finite().is_none());
        assert!(sample.labels.iter().all(|l| schema.classes.contains(l)));
    }
}

#[test]
fn ledger_and_report_strings_follow_the_spec() {
    let (data, schema) = class_data(200, 12, 3, 8);
    let train = TrainFold::from_parts(&data, &schema);
    let model = pgm("").fit_model(&train, &budget(1.0), Noise::from_rng(&Rng::from_seed(9))).unwrap();
    let r = model.privacy();
    assert_eq!(r.non_private_steps, ["bin_edges:public(train)", "dediscretise:bin_mean(train)", "row_count:n_train"]);
    assert_eq!(r.ledger.len(), 2);
    let rho = r.rho_budget.unwrap();
    for (entry, phase, k) in [(&r.ledger[0], "one_way", 13.0), (&r.ledger[1], "two_way", 12.0)] {
        assert_eq!((entry.phase.as_str(), entry.mechanism.as_str()), (phase, "gaussian"));
        assert_eq!(entry.params["k"], k);
        assert!((entry.params["sigma"] - (k / rho).sqrt()).abs() < 1e-9, "σ = √(k/(2·ρ/2))");
    }
    assert_eq!(r.split.keys().collect::<Vec<_>>(), ["discretisation", "one_way", "two_way"]);

    let dp = pgm("edges = \"dp\"\ndediscretise = \"bin-mean-dp\"\nrows = \"nhat\"\nlabels = \"train\"")
        .fit_model(&train, &budget(1.0), Noise::from_rng(&Rng::from_seed(9)))
        .unwrap();
    let r = dp.privacy();
    assert_eq!(r.non_private_steps, ["label_counts:train"]);
    let phases: Vec<&str> = r.ledger.iter().map(|c| c.phase.as_str()).collect();
    assert_eq!(phases, ["discretisation", "one_way", "two_way", "dediscretise"]);
    // p = 12 genes on 40 cells at ε = 1: the DP edge histograms are noise dominated.
    assert_eq!(r.warnings, ["dp_edges_noise_dominated"]);
    assert_eq!(dp.sample_size(200), dp.nhat().floor() as usize);
    // labels = train copies the train class counts exactly.
    let s = dp.sample(200, &mut Rng::from_seed(1)).unwrap();
    for c in &schema.classes {
        let want = data.labels.iter().filter(|l| *l == c).count();
        assert_eq!(s.labels.iter().filter(|l| *l == c).count(), want);
    }
}

/// Issue "private by default": every DP kind's defaults read the train fold only through the
/// accountant; `preset = "camda2025-entry"` is the challenge entry's non-private configuration
/// and is labelled so; explicit keys override the preset.
#[test]
fn defaults_are_end_to_end_dp_and_the_preset_is_labelled_non_private() {
    let (data, schema) = class_data(200, 6, 3, 21);
    let train = TrainFold::from_parts(&data, &schema);
    for kind in ["private-pgm", "independent", "dp-gaussian"] {
        let g = build(kind, &toml::Table::new()).unwrap();
        let model = g.fit(&train, &budget(1.0), &mut Rng::from_seed(22)).unwrap();
        let r = model.privacy();
        assert!(r.dp && r.non_private_steps.is_empty(), "{kind}: {:?}", r.non_private_steps);
        assert!(model.sample_size(200) != 0);
    }
    let entry = ["bin_edges:public(train)", "dediscretise:bin_mean(train)", "row_count:n_train"];
    for kind in ["private-pgm", "independent"] {
        let g = build(kind, &"preset = \"camda2025-entry\"".parse().unwrap()).unwrap();
        let model = g.fit(&train, &budget(1.0), &mut Rng::from_seed(22)).unwrap();
        assert_eq!(model.privacy().non_private_steps, entry, "{kind}");
        assert_eq!(model.sample_size(200), 200);
        let g = build(kind, &"preset = \"camda2025-entry\"\nrows = \"nhat\"".parse().unwrap()).unwrap();
        let model = g.fit(&train, &budget(1.0), &mut Rng::from_seed(22)).unwrap();
        assert_eq!(model.privacy().non_private_steps, entry[..2], "{kind}: rows overrides the preset");
    }
}

#[test]
fn private_pgm_and_independent_per_class_draw_identical_noise() {
    let (data, schema) = class_data(200, 12, 3, 10);
    let train = TrainFold::from_parts(&data, &schema);
    let rng = Rng::from_seed(11);
    let a = pgm("").fit_model(&train, &budget(1.0), Noise::from_rng(&rng)).unwrap();
    let ind = Independent::from_params(&"preset = \"camda2025-entry\"".parse().unwrap()).unwrap();
    let b = ind.fit_model(&train, &budget(1.0), Noise::from_rng(&rng)).unwrap();
    assert_eq!(a.measurements(), b.measurements());
    assert_eq!(a.privacy().ledger, b.privacy().ledger);
    assert_eq!(a.nhat(), b.nhat());
    // ... and through the Generator trait with the same stream.
    let ga = build("private-pgm", &toml::Table::new()).unwrap();
    let gb = build("independent", &toml::Table::new()).unwrap();
    let pa = ga.fit(&train, &budget(1.0), &mut rng.clone()).unwrap();
    let pb = gb.fit(&train, &budget(1.0), &mut rng.clone()).unwrap();
    assert_eq!(pa.privacy().ledger, pb.privacy().ledger);
    assert_eq!(pa.diagnostics()["nhat"], pb.diagnostics()["nhat"]);
}

#[test]
fn independent_per_class_is_the_normalised_noisy_tables() {
    let (data, schema) = class_data(200, 6, 3, 12);
    let train = TrainFold::from_parts(&data, &schema);
    let ind = Independent::from_params(&toml::Table::new()).unwrap();
    let model = ind.fit_model(&train, &budget(1.0), Noise::from_rng(&Rng::from_seed(13))).unwrap();
    let ms = model.measurements();
    let label_y = &ms.iter().find(|m| m.clique == [6]).unwrap().y;
    let clamped: Vec<f64> = label_y.iter().map(|v| v.max(0.0)).collect();
    let total: f64 = clamped.iter().sum();
    for (c, &p) in model.plan().root_probs().iter().enumerate() {
        assert!((p - clamped[c] / total).abs() < 1e-15);
    }
    let pair = &ms.iter().find(|m| m.clique == [2, 6]).unwrap().y;
    let cond = model.plan().conditional(2).unwrap();
    for c in 0..3 {
        let col: Vec<f64> = (0..4).map(|b| pair[b * 3 + c].max(0.0)).collect();
        let s: f64 = col.iter().sum();
        for b in 0..4 {
            let want = if s > 0.0 { col[b] / s } else { 0.25 };
            assert!((cond[c * 4 + b] - want).abs() < 1e-15);
        }
    }
    let per_gene =
        Independent::from_params(&"mode = \"per-gene\"\npreset = \"camda2025-entry\"".parse().unwrap()).unwrap();
    let m = per_gene.fit_model(&train, &budget(1.0), Noise::from_rng(&Rng::from_seed(13))).unwrap();
    assert_eq!(m.privacy().ledger.len(), 1);
    assert_eq!(m.plan().conditional(0).unwrap().len(), 4, "one unconditional row per gene");
}

/// A Gaussian chain: gene j+1 = 0.7·gene j + noise (standardised), so neighbours are the most
/// dependent pairs while every (bin, bin) cell stays populated; the label is a noisy threshold of
/// gene 0.
fn chain_data(n: usize, p: usize, seed: u64) -> (Labelled, Schema) {
    let mut rng = Rng::from_seed(seed);
    let mut x = Matrix::zeros(n, p);
    let mut labels = Vec::with_capacity(n);
    let a: f64 = 0.7;
    for i in 0..n {
        let mut z = rng.normal();
        labels.push(if z + 0.7 * rng.normal() > 0.0 { "hi".to_string() } else { "lo".to_string() });
        for j in 0..p {
            x.set(i, j, 8.0 + 2.0 * z);
            z = a * z + (1.0 - a * a).sqrt() * rng.normal();
        }
    }
    let schema = Schema {
        gene_ids: (0..p).map(|j| format!("g{j}")).collect(),
        classes: vec!["hi".into(), "lo".into()],
        public_range: (0.0, 20.0),
    };
    (Labelled { x, labels }, schema)
}

#[test]
fn mst_recovers_a_chain_and_fits_its_edge_marginals_exactly() {
    let (data, schema) = chain_data(2000, 6, 14);
    let train = TrainFold::from_parts(&data, &schema);
    let truth = true_table(&data, &schema, 4);
    let model = pgm("marginals = \"mst\"\niterations = 3000").fit_model(&train, &budget(1000.0), Noise::Off).unwrap();
    assert!(model.privacy().warnings.is_empty(), "{:?}", model.privacy().warnings);
    let plan = model.plan();
    let mut edges: Vec<(usize, usize)> =
        plan.conditionals().map(|(c, p, _)| (c.min(p.unwrap()), c.max(p.unwrap()))).collect();
    edges.sort_unstable();
    // The chain g0–g1–…–g5, plus the label attached to g0.
    assert_eq!(edges, vec![(0, 1), (0, 6), (1, 2), (2, 3), (3, 4), (4, 5)]);
    let marginals = plan.attribute_marginals();
    for (child, parent, table) in plan.conditionals() {
        let u = parent.unwrap();
        let (nu, nc) = (plan.sizes()[u], plan.sizes()[child]);
        let want = truth.pair_histogram(u.min(child), u.max(child));
        for xu in 0..nu {
            for xc in 0..nc {
                let got = model.nhat() * marginals[u][xu] * table[xu * nc + xc];
                let w = if u < child { want[xu * nc + xc] } else { want[xc * nu + xu] };
                assert!(w > 0.0, "test data should populate every cell");
                assert!((got - w).abs() <= 1e-6 * w, "edge ({u}, {child}) cell ({xu}, {xc}): {got} vs {w}");
            }
        }
    }
}

#[test]
fn mst_warns_when_compression_collapses_attributes() {
    let (data, schema) = class_data(200, 10, 3, 15);
    let train = TrainFold::from_parts(&data, &schema);
    let model = pgm("marginals = \"mst\"\niterations = 100")
        .fit_model(&train, &budget(0.1), Noise::from_rng(&Rng::from_seed(1)))
        .unwrap();
    assert_eq!(model.privacy().warnings, ["mst_compression_collapsed: 11 of 11 attributes"]);
    let s = model.sample(50, &mut Rng::from_seed(2)).unwrap();
    assert_eq!(s.x.rows(), 50);
    let off = pgm("marginals = \"mst\"\ncompress = \"off\"\niterations = 100")
        .fit_model(&train, &budget(0.1), Noise::from_rng(&Rng::from_seed(1)))
        .unwrap();
    assert!(off.privacy().warnings.is_empty());
}

#[test]
fn fit_and_sample_are_identical_for_any_thread_count() {
    let (data, schema) = class_data(150, 10, 3, 16);
    let train = TrainFold::from_parts(&data, &schema);
    let run = |text: &str| {
        let g = build("private-pgm", &text.parse().unwrap()).unwrap();
        let model = g.fit(&train, &budget(2.0), &mut Rng::from_seed(17)).unwrap();
        model.sample(150, &mut Rng::from_seed(18)).unwrap()
    };
    for text in ["dediscretise = \"uniform\"", "marginals = \"mst\"\niterations = 200"] {
        let many = run(text);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let one = pool.install(|| run(text));
        assert_eq!(many.x, one.x, "{text}");
        assert_eq!(many.labels, one.labels, "{text}");
    }
}

#[test]
fn measurements_dump_round_trips() {
    let (data, schema) = class_data(100, 5, 2, 19);
    let train = TrainFold::from_parts(&data, &schema);
    let model = pgm("iterations = 10").fit_model(&train, &budget(1.0), Noise::from_rng(&Rng::from_seed(20))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.jsonl");
    write_measurements_jsonl(&path, model.measurements()).unwrap();
    assert_eq!(read_measurements_jsonl(&path).unwrap(), model.measurements());
    assert_eq!(model.measurements().len(), 5 + 1 + 5);
}
