"""The five performance-suite models (tests/data/bench/models.md) for NumPyro and PyMC.

Each model is written to match the Stan program in models.md exactly: same priors, same
parameterisation (non-centred where the suite says so), same data, and the same constrained
parameters (a positive scale is a `<lower=0>` parameter with a half-distribution prior, which
NumPyro and PyMC both sample on the log scale, as Stan does). Only constants of the log density
may differ (a half-Normal prior is twice a Normal restricted to the positive axis), and constants
do not change the posterior.

`load_data(name)` reads the suite's Stan-style JSON (group indices 1-based, converted here to
0-based for Python indexing). `numpyro_model(name)` returns a NumPyro model function taking the
data dict; `pymc_model(name, data)` returns a `pymc.Model`. `param_names(name, data)` lists the
Stan-style scalar names (`theta_tilde[1]`, ...) in the order ppl prints them.
"""

import json
import os

import numpy as np

SUITE = [
    "eight_schools_noncentered",
    "logistic_regression",
    "hierarchical_regression",
    "correlated_gaussian_100",
    "poisson_glm",
]

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA_DIR = os.path.join(REPO_ROOT, "tests", "data", "bench")


def load_data(name):
    """The suite data of model `name` as numpy arrays (1-based `group` made 0-based)."""
    with open(os.path.join(DATA_DIR, f"{name}.json")) as handle:
        raw = json.load(handle)
    data = {}
    for key, value in raw.items():
        if isinstance(value, list):
            array = np.asarray(value)
            data[key] = array.astype(np.int64 if array.dtype.kind == "i" else np.float64)
        else:
            data[key] = value
    if name == "hierarchical_regression":
        data["group"] = data["group"] - 1
    if name == "correlated_gaussian_100":
        data["L"] = np.linalg.cholesky(data["Sigma"])
    return data


def param_shapes(name, data):
    """`[(parameter, shape)]` in the declaration order of models.md."""
    if name == "eight_schools_noncentered":
        return [("mu", ()), ("tau", ()), ("theta_tilde", (data["J"],))]
    if name in ("logistic_regression", "poisson_glm"):
        return [("alpha", ()), ("beta", (data["D"],))]
    if name == "hierarchical_regression":
        groups = data["G"]
        return [
            ("mu_a", ()),
            ("mu_b", ()),
            ("sigma_a", ()),
            ("sigma_b", ()),
            ("sigma_y", ()),
            ("a_raw", (groups,)),
            ("b_raw", (groups,)),
        ]
    if name == "correlated_gaussian_100":
        return [("x", (data["d"],))]
    raise ValueError(f"unknown model `{name}`")


def param_names(name, data):
    """Stan-style scalar names (`beta[1]`, ...), in declaration order."""
    names = []
    for parameter, shape in param_shapes(name, data):
        if shape == ():
            names.append(parameter)
        else:
            names.extend(f"{parameter}[{i + 1}]" for i in range(shape[0]))
    return names


def flatten_draws(name, data, draws):
    """`{scalar name: array (chains, draws)}` from `{parameter: array (chains, draws, *shape)}`."""
    flat = {}
    for parameter, shape in param_shapes(name, data):
        values = np.asarray(draws[parameter], dtype=np.float64)
        if shape == ():
            flat[parameter] = values
        else:
            for i in range(shape[0]):
                flat[f"{parameter}[{i + 1}]"] = values[..., i]
    return flat


# ---------------------------------------------------------------------------------------------
# NumPyro
# ---------------------------------------------------------------------------------------------


def numpyro_model(name):
    """The NumPyro model function of suite model `name`; call it with `**data`."""
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist

    def eight_schools_noncentered(J, y, sigma):
        mu = numpyro.sample("mu", dist.Normal(0.0, 5.0))
        tau = numpyro.sample("tau", dist.HalfCauchy(5.0))
        theta_tilde = numpyro.sample("theta_tilde", dist.Normal(0.0, 1.0).expand([J]).to_event(1))
        numpyro.sample("y", dist.Normal(mu + tau * theta_tilde, sigma).to_event(1), obs=y)

    def logistic_regression(N, D, x, y):
        alpha = numpyro.sample("alpha", dist.Normal(0.0, 5.0))
        beta = numpyro.sample("beta", dist.Normal(0.0, 2.5).expand([D]).to_event(1))
        numpyro.sample("y", dist.BernoulliLogits(alpha + x @ beta).to_event(1), obs=y)

    def hierarchical_regression(N, G, group, x, y):
        mu_a = numpyro.sample("mu_a", dist.Normal(0.0, 5.0))
        mu_b = numpyro.sample("mu_b", dist.Normal(0.0, 5.0))
        sigma_a = numpyro.sample("sigma_a", dist.HalfNormal(2.5))
        sigma_b = numpyro.sample("sigma_b", dist.HalfNormal(2.5))
        sigma_y = numpyro.sample("sigma_y", dist.HalfNormal(2.5))
        a_raw = numpyro.sample("a_raw", dist.Normal(0.0, 1.0).expand([G]).to_event(1))
        b_raw = numpyro.sample("b_raw", dist.Normal(0.0, 1.0).expand([G]).to_event(1))
        a = mu_a + sigma_a * a_raw
        b = mu_b + sigma_b * b_raw
        numpyro.sample("y", dist.Normal(a[group] + b[group] * x, sigma_y).to_event(1), obs=y)

    def correlated_gaussian_100(d, Sigma, L):
        numpyro.sample("x", dist.MultivariateNormal(jnp.zeros(d), scale_tril=L))

    def poisson_glm(N, D, x, y):
        alpha = numpyro.sample("alpha", dist.Normal(0.0, 5.0))
        beta = numpyro.sample("beta", dist.Normal(0.0, 1.0).expand([D]).to_event(1))
        # Poisson with log rate alpha + x beta (Stan's poisson_log).
        numpyro.sample("y", dist.Poisson(jnp.exp(alpha + x @ beta)).to_event(1), obs=y)

    models = {
        "eight_schools_noncentered": eight_schools_noncentered,
        "logistic_regression": logistic_regression,
        "hierarchical_regression": hierarchical_regression,
        "correlated_gaussian_100": correlated_gaussian_100,
        "poisson_glm": poisson_glm,
    }
    if name not in models:
        raise ValueError(f"unknown model `{name}`")
    return models[name]


# ---------------------------------------------------------------------------------------------
# PyMC (sampled with nutpie)
# ---------------------------------------------------------------------------------------------


def pymc_model(name, data):
    """The `pymc.Model` of suite model `name` with its data."""
    import pymc as pm

    with pm.Model() as model:
        if name == "eight_schools_noncentered":
            mu = pm.Normal("mu", 0.0, 5.0)
            tau = pm.HalfCauchy("tau", 5.0)
            theta_tilde = pm.Normal("theta_tilde", 0.0, 1.0, shape=data["J"])
            pm.Normal("y", mu + tau * theta_tilde, data["sigma"], observed=data["y"])
        elif name == "logistic_regression":
            alpha = pm.Normal("alpha", 0.0, 5.0)
            beta = pm.Normal("beta", 0.0, 2.5, shape=data["D"])
            pm.Bernoulli("y", logit_p=alpha + pm.math.dot(data["x"], beta), observed=data["y"])
        elif name == "hierarchical_regression":
            mu_a = pm.Normal("mu_a", 0.0, 5.0)
            mu_b = pm.Normal("mu_b", 0.0, 5.0)
            sigma_a = pm.HalfNormal("sigma_a", 2.5)
            sigma_b = pm.HalfNormal("sigma_b", 2.5)
            sigma_y = pm.HalfNormal("sigma_y", 2.5)
            a_raw = pm.Normal("a_raw", 0.0, 1.0, shape=data["G"])
            b_raw = pm.Normal("b_raw", 0.0, 1.0, shape=data["G"])
            a = mu_a + sigma_a * a_raw
            b = mu_b + sigma_b * b_raw
            group = data["group"]
            pm.Normal("y", a[group] + b[group] * data["x"], sigma_y, observed=data["y"])
        elif name == "correlated_gaussian_100":
            pm.MvNormal("x", mu=np.zeros(data["d"]), chol=data["L"])
        elif name == "poisson_glm":
            alpha = pm.Normal("alpha", 0.0, 5.0)
            beta = pm.Normal("beta", 0.0, 1.0, shape=data["D"])
            # Poisson with log rate alpha + x beta (Stan's poisson_log).
            pm.Poisson("y", pm.math.exp(alpha + pm.math.dot(data["x"], beta)), observed=data["y"])
        else:
            raise ValueError(f"unknown model `{name}`")
    return model
