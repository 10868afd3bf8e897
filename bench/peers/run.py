"""NUTS on the performance suite: ppl against NumPyro and nutpie (PyMC), one core, one run.

Usage (from the repository root, inside a virtual environment with requirements.txt):

    python bench/peers/run.py [--core 0]
                              [--engines ppl,ppl_nutpie,numpyro,nutpie,nutpie_stan_metric]
                              [--numpyro-alt-python PYTHON] [--no-record] [MODEL ...]
    python bench/peers/run.py --report output/peers/results.jsonl

The script pins itself (and every child process, ppl's bench_nuts included) to one CPU core and
limits XLA, BLAS and Numba to one thread before importing them. For each model in turn it runs
ppl (`cargo run --release --example bench_nuts -- nuts MODEL`, built before any timing; engine
`ppl_nutpie` adds `--adaptation nutpie`, ppl's nutpie-like warm-up, docs/nuts.md), then
NumPyro (and NumPyro under a second interpreter, `numpyro_alt`), then nutpie with its default
and with a Stan-like metric, so that the ratios compare runs made minutes apart under the same
load. Every engine uses 4 chains x 1000 warm-up x 1000 draws run one after another, a diagonal
metric, target acceptance 0.8, maximum tree depth 10 and fixed seeds.

Output: a header line (start, core, load, versions) and one JSON line per (engine, model) on
stdout, both also appended to output/peers/results.jsonl (unless --no-record), then the
comparison tables and the agreement summary (`--report FILE` prints them again for the last run
in FILE). Times: `compile_s` (NumPyro: tracing and XLA compilation, the first run of chain 0
minus its timed re-run; nutpie: `compile_pymc_model`; ppl: `build_s`, the model built from its
JSON) is reported apart from `sampling_s` (wall time of warm-up and draws of the 4 chains,
compilation excluded). ESS: minimum over the parameters of ArviZ's rank-normalised bulk ESS (for
ppl: ppl's own implementation of the same estimator, from output/bench/<model>_nuts.csv).
Agreement: every parameter's posterior mean is compared with ppl's,
|difference| / sqrt(MCSE_peer^2 + MCSE_ppl^2) must be at most 5 (MCSE_ppl approximated by
sd / sqrt(bulk ESS)); disagreements are printed, never dropped.
"""

import argparse
import json
import os
import subprocess
import sys
import time

SEED = 20_251_126
NUM_CHAINS = 4
NUM_WARMUP = 1000
NUM_DRAWS = 1000
TARGET_ACCEPT = 0.8
MAX_TREE_DEPTH = 10
AGREEMENT_Z = 5.0


def pin_to_one_core(core):
    """Pins this process (and its future children) to `core` and caps library threads at one."""
    os.sched_setaffinity(0, {core})
    os.environ["XLA_FLAGS"] = (
        "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    )
    os.environ["JAX_PLATFORMS"] = "cpu"
    for variable in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMBA_NUM_THREADS",
        "RAYON_NUM_THREADS",
    ):
        os.environ[variable] = "1"


def load_average():
    """The 1-minute load average (as `uptime` prints it)."""
    return round(os.getloadavg()[0], 2)


# Imported after pinning (see main), because JAX reads XLA_FLAGS at import.
np = None
az = None
models = None


def summarise(flat):
    """ArviZ summaries of `{name: (chains, draws)}`: per-parameter mean, MCSE, bulk/tail ESS, R-hat."""
    dataset = az.convert_to_dataset({name: values for name, values in flat.items()})
    ess_bulk = az.ess(dataset, method="bulk")
    ess_tail = az.ess(dataset, method="tail")
    rhat = az.rhat(dataset)
    mcse = az.mcse(dataset, method="mean")
    rows = {}
    for name, values in flat.items():
        rows[name] = {
            "mean": float(np.mean(values)),
            "sd": float(np.std(values, ddof=1)),
            "mcse_mean": float(mcse[name]),
            "ess_bulk": float(ess_bulk[name]),
            "ess_tail": float(ess_tail[name]),
            "rhat": float(rhat[name]),
        }
    return rows


def ppl_moments(name, path=None):
    """ppl's per-parameter `{mean, sd, ess_bulk, mcse_mean}` from its bench CSV (`path`,
    relative to the repository, default Stan's warm-up at the default seed)."""
    rows = {}
    path = path or os.path.join("output", "bench", f"{name}_nuts.csv")
    with open(os.path.join(models.REPO_ROOT, path)) as handle:
        next(handle)
        for line in handle:
            parameter, mean, sd, ess_bulk, ess_tail, rhat = line.strip().split(",")
            rows[parameter] = {
                "mean": float(mean),
                "sd": float(sd),
                "ess_bulk": float(ess_bulk),
                "ess_tail": float(ess_tail),
                "rhat": float(rhat),
                "mcse_mean": float(sd) / float(ess_bulk) ** 0.5,
            }
    return rows


def agreement(rows, reference):
    """`(max z, [(parameter, z)] with z > AGREEMENT_Z)` of the means of `rows` against `reference`."""
    worst = 0.0
    disagreements = []
    for parameter, row in rows.items():
        ref = reference[parameter]
        combined = (row["mcse_mean"] ** 2 + ref["mcse_mean"] ** 2) ** 0.5
        z = abs(row["mean"] - ref["mean"]) / combined
        worst = max(worst, z)
        if z > AGREEMENT_Z:
            disagreements.append((parameter, round(z, 2), row["mean"], ref["mean"]))
    return worst, disagreements


def result_line(engine, name, d, rows, compile_s, sampling_s, grads, divergences, extra):
    """The JSON record of one (engine, model) run."""
    min_ess_bulk = min(r["ess_bulk"] for r in rows.values())
    record = {
        "engine": engine,
        "model": name,
        "d": d,
        "compile_s": round(compile_s, 3),
        "sampling_s": round(sampling_s, 3),
        "grads": grads,
        "divergences": divergences,
        "min_ess_bulk": round(min_ess_bulk),
        "min_ess_tail": round(min(r["ess_tail"] for r in rows.values())),
        "max_rhat": round(max(r["rhat"] for r in rows.values()), 4),
        "ess_per_s": round(min_ess_bulk / sampling_s, 2),
        "ess_per_1000_grads": (
            round(1000.0 * min_ess_bulk / grads, 2) if grads is not None else None
        ),
        "load_avg": load_average(),
    }
    record.update(extra)
    return record


# ---------------------------------------------------------------------------------------------
# ppl
# ---------------------------------------------------------------------------------------------


def build_ppl():
    """Builds bench_nuts in release mode (not timed)."""
    subprocess.run(
        ["cargo", "build", "--release", "--example", "bench_nuts"],
        cwd=models.REPO_ROOT,
        check=True,
    )


def run_ppl(name, adaptation="stan"):
    """ppl's NUTS line for model `name` (bench_nuts's own timing) with the warm-up `adaptation`
    (`stan`, engine `ppl`; `nutpie`, engine `ppl_nutpie`), with its moments."""
    completed = subprocess.run(
        [
            "cargo", "run", "--quiet", "--release", "--example", "bench_nuts", "--",
            "nuts", name, "--adaptation", adaptation,
        ],
        cwd=models.REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(
        json.loads(text)
        for text in completed.stdout.splitlines()
        if text.startswith("{") and '"engine":"nuts"' in text
    )
    rows = ppl_moments(name, line.get("moments"))
    record = {
        "engine": "ppl" if adaptation == "stan" else f"ppl_{adaptation}",
        "model": name,
        "d": line["d"],
        "compile_s": line["build_s"],
        "sampling_s": line["sampling_s"],
        "grads": line["grads"],
        "divergences": line["divergences"],
        "min_ess_bulk": line["min_ess_bulk"],
        "min_ess_tail": line["min_ess_tail"],
        "max_rhat": line["max_rhat"],
        "ess_per_s": round(line["min_ess_bulk"] / line["sampling_s"], 2),
        "ess_per_1000_grads": line["ess_per_1000_grads"],
        "load_avg": load_average(),
        "grad_over_f64": line["grad_over_f64"],
    }
    return record, rows


# ---------------------------------------------------------------------------------------------
# NumPyro
# ---------------------------------------------------------------------------------------------


def numpyro_chain(mcmc, chain, data):
    """One NumPyro chain (warm-up then draws) with seed `SEED + chain`.

    Returns `(seconds, draws, gradient evaluations (warm-up and draws), divergences)`.
    """
    import jax

    fields = ("num_steps", "diverging")
    key_warmup, key_draws = jax.random.split(jax.random.PRNGKey(SEED + chain))
    start = time.perf_counter()
    mcmc.warmup(key_warmup, collect_warmup=True, extra_fields=fields, **data)
    warmup_steps = int(np.sum(mcmc.get_extra_fields()["num_steps"]))
    mcmc.run(key_draws, extra_fields=fields, **data)
    draws = jax.block_until_ready(mcmc.get_samples())
    seconds = time.perf_counter() - start
    extra = mcmc.get_extra_fields()
    return (
        seconds,
        {k: np.asarray(v) for k, v in draws.items()},
        warmup_steps + int(np.sum(extra["num_steps"])),
        int(np.sum(extra["diverging"])),
    )


def run_numpyro(name, data):
    """NumPyro NUTS on model `name`: the record and per-parameter summaries.

    The chains run one after another, as `chain_method="sequential"` does, but each through its
    own `warmup` and `run` call on one `MCMC(num_chains=1)` object so that each is timed. Chain 0
    is run once more beforehand: that first run traces and compiles (the compiled functions are
    cached on the object), and its time minus chain 0's timed run is the compile time. Both runs
    of chain 0 must give the same draws.
    """
    import jax.numpy as jnp
    from numpyro.infer import MCMC, NUTS

    model = models.numpyro_model(name)
    jax_data = {k: (jnp.asarray(v) if isinstance(v, np.ndarray) else v) for k, v in data.items()}
    kernel = NUTS(
        model,
        target_accept_prob=TARGET_ACCEPT,
        max_tree_depth=MAX_TREE_DEPTH,
        dense_mass=False,
    )
    mcmc = MCMC(
        kernel,
        num_warmup=NUM_WARMUP,
        num_samples=NUM_DRAWS,
        num_chains=1,
        progress_bar=False,
    )
    first_s, first_draws, _, _ = numpyro_chain(mcmc, 0, jax_data)
    chains = [numpyro_chain(mcmc, chain, jax_data) for chain in range(NUM_CHAINS)]
    sampling_s = sum(c[0] for c in chains)
    identical = all(np.array_equal(first_draws[k], chains[0][1][k]) for k in first_draws)
    draws = {k: np.stack([c[1][k] for c in chains]) for k in first_draws}
    rows = summarise(models.flatten_draws(name, data, draws))
    record = result_line(
        "numpyro",
        name,
        len(rows),
        rows,
        max(first_s - chains[0][0], 0.0),
        sampling_s,
        sum(c[2] for c in chains),
        sum(c[3] for c in chains),
        {"first_chain_s": round(first_s, 3), "repeat_identical": identical},
    )
    return record, rows


def run_numpyro_alt(name, python):
    """NumPyro on model `name` run by this script under another interpreter `python` (another
    virtual environment, e.g. other NumPyro/JAX versions), on the same core: its record."""
    completed = subprocess.run(
        [
            python,
            os.path.abspath(__file__),
            "--engines",
            "numpyro",
            "--core",
            str(min(os.sched_getaffinity(0))),
            "--no-record",
            name,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    lines = [json.loads(t) for t in completed.stdout.splitlines() if t.startswith("{")]
    versions_used = next(line["versions"] for line in lines if "versions" in line)
    record = next(line for line in lines if line.get("engine") == "numpyro")
    record["engine"] = "numpyro_alt"
    record["versions"] = {k: versions_used[k] for k in ("numpyro", "jax", "jaxlib")}
    return record


# ---------------------------------------------------------------------------------------------
# nutpie (PyMC models)
# ---------------------------------------------------------------------------------------------


def run_nutpie(name, data, engine="nutpie"):
    """nutpie NUTS on the PyMC form of model `name`: the record and per-parameter summaries.

    Engine `nutpie` is nutpie as its users run it (its default diagonal mass matrix, estimated
    from the variances of draws and gradients); `nutpie_stan_metric` estimates the diagonal mass
    matrix from draw variances only (`use_grad_based_mass_matrix=False`, "more similar to PyMC
    and Stan" in nutpie's words), which separates the effect of the adaptation from the cost per
    gradient.
    """
    import nutpie

    start = time.perf_counter()
    compiled = nutpie.compile_pymc_model(models.pymc_model(name, data))
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    trace = nutpie.sample(
        compiled,
        draws=NUM_DRAWS,
        tune=NUM_WARMUP,
        chains=NUM_CHAINS,
        cores=1,
        seed=SEED,
        target_accept=TARGET_ACCEPT,
        maxdepth=MAX_TREE_DEPTH,
        save_warmup=True,
        progress_bar=False,
        use_grad_based_mass_matrix=(engine == "nutpie"),
    )
    sampling_s = time.perf_counter() - start
    draws = {
        parameter: trace.posterior[parameter].values
        for parameter, _ in models.param_shapes(name, data)
    }
    rows = summarise(models.flatten_draws(name, data, draws))
    grads = int(trace.sample_stats["n_steps"].sum()) + int(
        trace.warmup_sample_stats["n_steps"].sum()
    )
    divergences = int(trace.sample_stats["diverging"].sum())
    record = result_line(
        engine, name, len(rows), rows, compile_s, sampling_s, grads, divergences, {})
    return record, rows


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def ratio(numerator, denominator):
    """`numerator / denominator`, or None if either is missing."""
    if numerator is None or denominator in (None, 0):
        return None
    return numerator / denominator


def cell(value, digits=2):
    """A table cell."""
    return "–" if value is None else f"{value:.{digits}f}"


ENGINES = ("ppl", "ppl_nutpie", "numpyro", "numpyro_alt", "nutpie", "nutpie_stan_metric")
LABELS = {
    "ppl": "ppl",
    "ppl_nutpie": "ppl (nutpie-like warm-up)",
    "numpyro": "NumPyro",
    "numpyro_alt": "NumPyro (alt. env.)",
    "nutpie": "nutpie",
    "nutpie_stan_metric": "nutpie (Stan-like metric)",
}


def print_table(records, suite):
    """The comparison tables (markdown) of the records of one run, models in `suite` order."""
    by_key = {(r["engine"], r["model"]): r for r in records}
    names = [n for n in suite if any((e, n) in by_key for e in ENGINES)]

    def get(engine, name, key):
        record = by_key.get((engine, name))
        return None if record is None else record.get(key)

    engines = [e for e in ENGINES if any((e, n) in by_key for n in names)]
    peers = [e for e in engines if not e.startswith("ppl")]
    header = ["model"] + [f"{LABELS[e]} ESS/s" for e in engines]
    header += [f"ppl / {LABELS[e]}" for e in peers]
    if "ppl_nutpie" in engines and "nutpie" in engines:
        header += ["ppl (nutpie-like) / nutpie"]
    header += [f"{LABELS[e]} ESS/1000 grads" for e in engines]
    print()
    print("| " + " | ".join(header) + " |")
    print("| --- |" + " ---: |" * (len(header) - 1))
    for name in names:
        ess_per_s = {e: get(e, name, "ess_per_s") for e in engines}
        cells = [name] + [cell(ess_per_s[e]) for e in engines]
        cells += [cell(ratio(ess_per_s.get("ppl"), ess_per_s[e])) for e in peers]
        if "ppl_nutpie" in engines and "nutpie" in engines:
            cells += [cell(ratio(ess_per_s["ppl_nutpie"], ess_per_s["nutpie"]))]
        cells += [cell(get(e, name, "ess_per_1000_grads")) for e in engines]
        print("| " + " | ".join(cells) + " |")
    print()
    print(
        "| model | engine | compile (s) | sampling (s) | gradients | µs / gradient | divergences "
        "| min bulk ESS | min tail ESS | max R-hat | max mean z vs ppl | load |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in names:
        for engine in ENGINES:
            record = by_key.get((engine, name))
            if record is None:
                continue
            per_gradient = ratio(1e6 * record["sampling_s"], record["grads"])
            print(
                f"| {name} | {engine} | {cell(record['compile_s'], 3)} "
                f"| {cell(record['sampling_s'], 2)} | {record['grads']} "
                f"| {cell(per_gradient, 1)} | {record['divergences']} "
                f"| {record['min_ess_bulk']} | {record['min_ess_tail']} "
                f"| {cell(record['max_rhat'], 3)} "
                f"| {cell(record.get('max_mean_z_vs_ppl'), 2)} | {cell(record['load_avg'], 1)} |"
            )


def print_agreement(records):
    """One line per (engine, model) whose posterior means disagree with ppl's (z > AGREEMENT_Z)."""
    print()
    checked = [r for r in records if "max_mean_z_vs_ppl" in r]
    disagreeing = [r for r in checked if r.get("mean_disagreements")]
    for record in disagreeing:
        print(
            f"DISAGREEMENT {record['engine']} {record['model']}: "
            + ", ".join(
                f"{parameter} z = {z} (peer {peer:.4g}, ppl {ref:.4g})"
                for parameter, z, peer, ref in record["mean_disagreements"]
            )
        )
    if checked:
        worst = max(checked, key=lambda r: r["max_mean_z_vs_ppl"])
        print(
            f"Means against ppl's: {len(checked)} (engine, model) pairs checked, "
            f"{len(disagreeing)} with a parameter beyond {AGREEMENT_Z} combined MCSE; largest z "
            f"{worst['max_mean_z_vs_ppl']} ({worst['engine']}, {worst['model']})."
        )


def read_records(path):
    """The (engine, model) records of the last run in JSONL file `path` (other lines skipped)."""
    records = []
    with open(path) as handle:
        for line in handle:
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            if "run_start" in record:
                records = []
            elif "engine" in record:
                records.append(record)
    return records


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="suite models (default: all five)")
    parser.add_argument("--core", type=int, default=0, help="the CPU core to run on")
    parser.add_argument(
        "--engines",
        default=",".join(e for e in ENGINES if e != "numpyro_alt"),
        help="comma-separated, from: "
        + ", ".join(ENGINES)
        + " (default: all but numpyro_alt, which --numpyro-alt-python adds)",
    )
    parser.add_argument(
        "--numpyro-alt-python",
        metavar="PYTHON",
        help="also run NumPyro under this interpreter (engine numpyro_alt), e.g. the python of "
        "a virtual environment with other NumPyro/JAX versions",
    )
    parser.add_argument(
        "--no-record",
        action="store_true",
        help="do not append to output/peers/results.jsonl",
    )
    parser.add_argument(
        "--report",
        metavar="JSONL",
        help="only print the tables of the last run recorded in this results file",
    )
    args = parser.parse_args()
    if args.report:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from models import SUITE

        records = read_records(args.report)
        print_table(records, SUITE)
        print_agreement(records)
        return
    pin_to_one_core(args.core)

    global np, az, models
    import numpy
    import arviz

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import models as suite_models

    np, az, models = numpy, arviz, suite_models
    engines = args.engines.split(",")
    if args.numpyro_alt_python and "numpyro_alt" not in engines:
        engines.append("numpyro_alt")
    if "numpyro_alt" in engines and not args.numpyro_alt_python:
        parser.error("engine numpyro_alt needs --numpyro-alt-python")
    names = args.models or models.SUITE
    for name in names:
        if name not in models.SUITE:
            parser.error(f"unknown model `{name}`; expected one of {', '.join(models.SUITE)}")
    if "numpyro" in engines:
        import numpyro

        numpyro.enable_x64()
        numpyro.set_host_device_count(1)

    out_dir = os.path.join(models.REPO_ROOT, "output", "peers")
    os.makedirs(out_dir, exist_ok=True)
    out_path = os.path.join(out_dir, "results.jsonl")
    header = json.dumps(
        {
            "run_start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "core": args.core,
            "affinity": sorted(os.sched_getaffinity(0)),
            "load_avg": load_average(),
            "versions": versions(engines),
        }
    )
    print(header, flush=True)
    if not args.no_record:
        with open(out_path, "a") as handle:
            handle.write(header + "\n")
    if any(e.startswith("ppl") for e in engines):
        build_ppl()
    records = []
    runners = {
        "ppl_nutpie": lambda name, data: run_ppl(name, "nutpie"),
        "numpyro": run_numpyro,
        "nutpie": run_nutpie,
        "nutpie_stan_metric": lambda name, data: run_nutpie(name, data, "nutpie_stan_metric"),
    }
    for name in names:
        data = models.load_data(name)
        reference = None
        results = []
        if "ppl" in engines:
            record, reference = run_ppl(name)
            results.append(record)
        else:
            try:
                reference = ppl_moments(name)
            except FileNotFoundError:
                reference = None
        for engine in ENGINES[1:]:
            if engine not in engines:
                continue
            if engine == "numpyro_alt":
                results.append(run_numpyro_alt(name, args.numpyro_alt_python))
                continue
            record, rows = runners[engine](name, data)
            if reference is not None:
                worst, disagreements = agreement(rows, reference)
                record["max_mean_z_vs_ppl"] = round(worst, 2)
                record["mean_disagreements"] = disagreements
            results.append(record)
        for record in results:
            line = json.dumps(record)
            print(line, flush=True)
            if not args.no_record:
                with open(out_path, "a") as handle:
                    handle.write(line + "\n")
        records.extend(results)
    print_table(records, models.SUITE)
    print_agreement(records)


def versions(engines):
    """Versions of the Python packages used and of rustc."""
    from importlib.metadata import version

    packages = ["numpy", "arviz"]
    if "numpyro" in engines:
        packages += ["numpyro", "jax", "jaxlib"]
    if any(e.startswith("nutpie") for e in engines):
        packages += ["nutpie", "pymc", "pytensor", "numba"]
    found = {package: version(package) for package in packages}
    found["python"] = sys.version.split()[0]
    if any(e.startswith("ppl") for e in engines):
        found["rustc"] = subprocess.run(
            ["rustc", "--version"], capture_output=True, text=True
        ).stdout.strip()
    return found


if __name__ == "__main__":
    main()
