#!/usr/bin/env python3
"""A plain PyTorch DRM (METHOD.md section 3), the reference of bench/torch-drm.sh.

Reads a campaign CSV with pandas, z-scores the feature columns, splits the users 60/20/20 (seeded), rescales V and
C by their training standard deviations, and trains a linear scorer s = tanh(w.x + b) with full-batch Adam on
Loss = -g(tau_v, tau_c), g the smooth-abs ratio tau_v / |tau_c|_beta (beta = 40), the per-arm softmax cohort effects of
section 2. Every 50 steps and at the end the validation objective is evaluated and the best parameters kept (the
uplift CLI judges its snapshots at the same steps, by validation AUCC). Prints one line of JSON.

Usage: torch_drm.py CSV --treatment T --value V --cost C [--exclude a,b] [--steps 1500] [--lr 0.01] [--seed 1]
"""
import argparse
import json
import time

t_start = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

BETA = 40.0


def smooth_abs(x):
    return (torch.nn.functional.softplus(BETA * x) + torch.nn.functional.softplus(-BETA * x)) / BETA


def cohort_effects(s, treated, v, c):
    """tau_v, tau_c with the softmax taken separately inside each arm."""
    out = []
    for y in (v, c):
        tau = 0.0
        for arm, sign in ((treated, 1.0), (~treated, -1.0)):
            p = torch.softmax(s[arm], dim=0)
            tau = tau + sign * torch.sum(p * y[arm])
        out.append(tau)
    return out[0], out[1]


def objective(w, b, x, treated, v, c):
    s = torch.tanh(x @ w + b)
    tv, tc = cohort_effects(s, treated, v, c)
    return tv / smooth_abs(tc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--treatment", required=True)
    ap.add_argument("--value", required=True)
    ap.add_argument("--cost", required=True)
    ap.add_argument("--id", default=None)
    ap.add_argument("--exclude", default="")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    df = pd.read_csv(a.csv)
    t_read = time.perf_counter()
    drop = {a.treatment, a.value, a.cost} | {e for e in a.exclude.split(",") if e}
    if a.id:
        drop.add(a.id)
    feats = [col for col in df.columns if col not in drop]
    x_all = df[feats].to_numpy(dtype=np.float64)
    t_all = df[a.treatment].to_numpy().astype(np.int64) != 0
    v_all = df[a.value].to_numpy(dtype=np.float64)
    c_all = df[a.cost].to_numpy(dtype=np.float64)

    rng = np.random.default_rng(a.seed)
    order = rng.permutation(len(df))
    n_tr, n_va = int(0.6 * len(df)), int(0.2 * len(df))
    tr, va = order[:n_tr], order[n_tr:n_tr + n_va]
    mu, sd = x_all[tr].mean(axis=0), x_all[tr].std(axis=0)
    sd[sd == 0] = 1.0
    x_all = (x_all - mu) / sd
    sv, sc = v_all[tr].std() or 1.0, c_all[tr].std() or 1.0

    def tensors(idx):
        return (torch.tensor(x_all[idx], dtype=torch.float32), torch.tensor(t_all[idx]),
                torch.tensor(v_all[idx] / sv, dtype=torch.float32), torch.tensor(c_all[idx] / sc, dtype=torch.float32))

    xtr, ttr, vtr, ctr = tensors(tr)
    xva, tva, vva, cva = tensors(va)
    torch.manual_seed(a.seed)
    d = xtr.shape[1]
    bound = float(np.sqrt(6.0 / (d + 1)))
    w = ((torch.rand(d) * 2 - 1) * bound).requires_grad_()
    b = torch.zeros((), requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=a.lr)
    best, best_g = None, -float("inf")
    t_fit = time.perf_counter()
    for step in range(a.steps):
        opt.zero_grad()
        loss = -objective(w, b, xtr, ttr, vtr, ctr)
        loss.backward()
        opt.step()
        if (step + 1) % a.eval_every == 0 or step == a.steps - 1:
            with torch.no_grad():
                g = float(objective(w, b, xva, tva, vva, cva))
            if np.isfinite(g) and g > best_g:
                best_g, best = g, (w.detach().clone(), b.detach().clone())
    t_end = time.perf_counter()
    print(json.dumps({
        "rows": len(df), "train_rows": int(n_tr), "features": d, "steps": a.steps, "torch": torch.__version__,
        "threads": torch.get_num_threads(), "best_validation_objective": best_g,
        "read_s": round(t_read - t_start, 3), "fit_s": round(t_end - t_fit, 3),
        "ms_per_step": round(1e3 * (t_end - t_fit) / a.steps, 3), "total_in_python_s": round(t_end - t_start, 3),
    }))


if __name__ == "__main__":
    main()
