"""The toy peer of the benchmark: a model of govsim's shape written the idiomatic-Mesa way and as numpy.

Copied (the parts the benchmark uses: the idiomatic per-agent Mesa model and the numpy kernel) from
the project's shared research folder, ``bench/toy_peer.py`` (December 2026), so that the project's
benchmark runs without that folder. Left out: its mesa_np / mesa_shell / numba / batched variants,
its timing harness and sweeps. The model itself is unchanged.

N states, F=3 forums (UN, G7, BRICS), T steps. Each step (synchronous update):
  1. forum aggregates from the current membership: members, capability share, crowding,
     mean capability and income of each forum;
  2. every state computes utilities u_f = b_cap*share_f + b_align*align[f] - b_crowd*crowd_f
     and draws a forum from softmax(lam*u) (inverse CDF, one uniform per state);
  3. every state updates capability, income and alignment towards its forum's peers;
  4. the Gini of capability and the Herfindahl of forum capability shares are recorded.

It is ~20x simpler per step than govsim (one discrete choice, three updates, two indices), so a
ratio against it overstates govsim's waste; it shows what the same shape costs written each way.
"""

from __future__ import annotations

import math

import numpy as np

F = 3
T_DEFAULT = 100
P = dict(b_cap=0.5, b_align=2.0, b_crowd=3.0, lam=3.0, kappa=0.02, growth=0.01, rho=0.01, eta=0.02)


def initial_state(n, seed):
    rng = np.random.default_rng(seed)
    cap = rng.lognormal(0.0, 1.0, n)
    inc = rng.lognormal(0.0, 0.5, n)
    align = rng.random((n, F))
    forum = rng.integers(0, F, n)
    return cap, inc, align, forum


# ----------------------------------------------------------------------------
# indices (pure python versions for the idiomatic Mesa model)
# ----------------------------------------------------------------------------
def gini_py(values):
    x = sorted(values)
    n = len(x)
    total = sum(x)
    if n == 0 or total == 0:
        return 0.0
    cum = 0.0
    for i, v in enumerate(x, 1):
        cum += i * v
    return 2.0 * cum / (n * total) - (n + 1.0) / n


def gini_np(x):
    xs = np.sort(x)
    n = xs.size
    total = xs.sum()
    i = np.arange(1, n + 1)
    return 2.0 * float(i @ xs) / (n * total) - (n + 1.0) / n


# ----------------------------------------------------------------------------
# (b) numpy kernel
# ----------------------------------------------------------------------------
def numpy_step(cap, inc, align, forum, u, p=P):
    n = cap.size
    cnt = np.bincount(forum, minlength=F)
    capsum = np.bincount(forum, weights=cap, minlength=F)
    incsum = np.bincount(forum, weights=inc, minlength=F)
    total = capsum.sum()
    share = capsum / total
    crowd = cnt / n
    safe = np.maximum(cnt, 1)
    capmean = capsum / safe
    incmean = incsum / safe
    util = p["b_cap"] * share + p["b_align"] * align - p["b_crowd"] * crowd  # (n, F)
    z = p["lam"] * util
    z -= z.max(axis=1, keepdims=True)
    w = np.exp(z)
    cdf = np.cumsum(w, axis=1)
    r = u * cdf[:, -1]
    choice = (cdf <= r[:, None]).sum(axis=1)
    np.minimum(choice, F - 1, out=choice)
    nonempty = cnt[choice] > 0
    cm = np.where(nonempty, capmean[choice], cap)
    im = np.where(nonempty, incmean[choice], inc)
    sh = share[choice]
    cap_new = cap + p["kappa"] * (cm - cap) + p["growth"] * cap
    inc_new = inc + p["rho"] * (im - inc) + p["growth"] * inc * sh
    align *= 1.0 - p["eta"]
    align[np.arange(n), choice] += p["eta"]
    return cap_new, inc_new, align, choice


def numpy_indices(cap, forum):
    capsum = np.bincount(forum, weights=cap, minlength=F)
    s = capsum / capsum.sum()
    return gini_np(cap), float(s @ s)


def run_numpy(n, seed=0, T=T_DEFAULT, uniforms=None):
    cap, inc, align, forum = initial_state(n, seed)
    rng = np.random.default_rng(seed + 1)
    out = np.empty((T, 2))
    for t in range(T):
        u = uniforms[t] if uniforms is not None else rng.random(n)
        cap, inc, align, forum = numpy_step(cap, inc, align, forum, u)
        out[t] = numpy_indices(cap, forum)
    return out, cap


# (a) idiomatic Mesa 3.x
# ----------------------------------------------------------------------------
import mesa  # noqa: E402  (note: importing mesa forces multiprocessing start method 'spawn')


class StateAgent(mesa.Agent):
    def __init__(self, model, idx, cap, inc, align, forum):
        super().__init__(model)
        self.idx = idx
        self.capability = cap
        self.income = inc
        self.alignment = align  # python list of F floats
        self.forum = forum

    def step(self):
        m = self.model
        p = m.p
        share, crowd, capmean, incmean, cnt = m.share, m.crowd, m.capmean, m.incmean, m.cnt
        al = self.alignment
        lam = p["lam"]
        utils = [
            lam * (p["b_cap"] * share[f] + p["b_align"] * al[f] - p["b_crowd"] * crowd[f])
            for f in range(F)
        ]
        mx = max(utils)
        w = [math.exp(x - mx) for x in utils]
        u = m.uniforms[m.t][self.idx] if m.uniforms is not None else self.random.random()
        acc = 0.0
        cdf = []
        for x in w:
            acc += x
            cdf.append(acc)
        r = u * acc
        choice = F - 1
        for f in range(F):
            if r < cdf[f]:
                choice = f
                break
        if cnt[choice] > 0:
            cm, im = capmean[choice], incmean[choice]
        else:
            cm, im = self.capability, self.income
        c = self.capability
        y = self.income
        self.capability = c + p["kappa"] * (cm - c) + p["growth"] * c
        self.income = y + p["rho"] * (im - y) + p["growth"] * y * share[choice]
        eta = p["eta"]
        self.alignment = [a * (1.0 - eta) + (eta if f == choice else 0.0) for f, a in enumerate(al)]
        self.forum = choice


def mesa_gini(model):
    return gini_py(model.agents.get("capability"))


def mesa_hhi(model):
    caps = model.agents.groupby("forum", result_type="list").agg("capability", sum)
    total = sum(caps.values())
    return sum((v / total) ** 2 for v in caps.values())


class GovModel(mesa.Model):
    agent_cls = StateAgent

    def __init__(self, n=193, seed=0, uniforms=None, p=None):
        super().__init__(seed=seed)
        self.n = n
        self.p = dict(P if p is None else p)
        self.uniforms = uniforms
        self.t = 0
        cap, inc, align, forum = initial_state(n, seed)
        for i in range(n):
            self.agent_cls(self, i, float(cap[i]), float(inc[i]), align[i].tolist(), int(forum[i]))
        self.datacollector = mesa.DataCollector(model_reporters={"gini": mesa_gini, "hhi": mesa_hhi})

    def compute_forum_stats(self):
        g = self.agents.groupby("forum", result_type="list")
        cnt_d = g.count()
        capsum_d = g.agg("capability", sum)
        incsum_d = g.agg("income", sum)
        cnt = [cnt_d.get(f, 0) for f in range(F)]
        capsum = [capsum_d.get(f, 0.0) for f in range(F)]
        incsum = [incsum_d.get(f, 0.0) for f in range(F)]
        total = sum(capsum)
        self.cnt = cnt
        self.share = [c / total for c in capsum]
        self.crowd = [k / self.n for k in cnt]
        self.capmean = [capsum[f] / max(cnt[f], 1) for f in range(F)]
        self.incmean = [incsum[f] / max(cnt[f], 1) for f in range(F)]

    def step(self):
        self.compute_forum_stats()
        self.agents.shuffle_do("step")
        self.datacollector.collect(self)
        self.t += 1


def run_mesa(n, seed=0, T=T_DEFAULT, uniforms=None, model_cls=GovModel):
    m = model_cls(n=n, seed=seed, uniforms=uniforms)
    for _ in range(T):
        m.step()
    df = m.datacollector.get_model_vars_dataframe()
    caps = np.array([a.capability for a in sorted(m.agents, key=lambda a: a.idx)])
    return df[["gini", "hhi"]].to_numpy(), caps


