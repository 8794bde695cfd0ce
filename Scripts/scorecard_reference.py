#!/usr/bin/env python3
"""Independent reference for Cartera's scorecard training (Tests/AnalyticsTests/ScorecardTests.swift).

Reads the raw CSV and the report `cartera scoring train --output REPORT.json` wrote, and recomputes with NumPy,
statsmodels and scikit-learn — none of Cartera's code — everything the classes imply:

- the training/holdout split (SplitMix64 draws, as `ModelMetrics.holdout`);
- every variable's counts, WOE and IV in the report's classes, recounted from the training rows
  (WOE = ln(bad share / good share), a zero count taken as 0.9);
- the logistic regression on the selected variables' WOE (statsmodels `Logit`);
- AUC (scikit-learn `roc_auc_score`), Gini = 2·AUC − 1 and KS (largest gap between the empirical distributions) of the
  model's probabilities on the training and holdout rows;
- the points (600 at odds 19:1, 50 to double them; rounded half away from zero), and the PSI of the holdout's scores
  against the training scores over the training deciles (shares of zero taken as 0.0001).

Usage:
    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install numpy scikit-learn statsmodels
    cartera scoring train --data germancredit.csv --target creditability --bad bad --output /tmp/report.json
    /tmp/refvenv/bin/python Scripts/scorecard_reference.py germancredit.csv /tmp/report.json --target creditability --bad bad
"""
import argparse
import csv
import json
import math

import numpy as np
import statsmodels.api as sm
from sklearn.metrics import roc_auc_score

MASK = (1 << 64) - 1


def holdout(count, share, seed):
    training, held = [], []
    for index in range(count):
        state = (seed + index * 0x9E3779B97F4A7C15) & MASK
        state = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        state = ((state ^ (state >> 27)) * 0x94D049BB133111EB) & MASK
        state ^= state >> 31
        (held if (state >> 11) / float(1 << 53) < share else training).append(index)
    return training, held


def class_of(value, classes):
    for index, c in enumerate(classes):
        if c.get("missing"):
            if value == "":
                return index
            continue
        if value == "":
            continue
        if "categories" in c:
            if value in c["categories"]:
                return index
            continue
        try:
            number = float(value)
        except ValueError:
            return None
        if ("lower" not in c or number >= c["lower"]) and ("upper" not in c or number < c["upper"]):
            return index
    return None


def woe_iv(goods, bads):
    all_goods, all_bads = sum(goods), sum(bads)
    woe, iv = [], 0.0
    for g, b in zip(goods, bads):
        bad_share = (b if b else 0.9) / all_bads
        good_share = (g if g else 0.9) / all_goods
        w = math.log(bad_share / good_share)
        woe.append(w)
        iv += (bad_share - good_share) * w
    return woe, iv


def ks(probabilities, labels):
    order = np.argsort(probabilities, kind="mergesort")
    p, y = probabilities[order], labels[order]
    bads, goods = y.sum(), len(y) - y.sum()
    best, seen_bad, seen_good, i = 0.0, 0, 0, 0
    while i < len(p):
        j = i
        while j < len(p) and p[j] == p[i]:
            seen_bad += y[j]
            seen_good += 1 - y[j]
            j += 1
        best = max(best, abs(seen_bad / bads - seen_good / goods))
        i = j
    return best


def half_away(x):
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def psi(expected, actual, bands=10):
    ordered = sorted(expected)
    cuts = []
    for band in range(1, bands):
        cut = ordered[band * len(ordered) // bands]
        if cut > ordered[0] and (not cuts or cuts[-1] != cut):
            cuts.append(cut)

    def shares(scores):
        counts = [0] * (len(cuts) + 1)
        for s in scores:
            counts[sum(1 for c in cuts if s >= c)] += 1
        return [max(c / len(scores), 0.0001) for c in counts]

    return sum((a - e) * math.log(a / e) for a, e in zip(shares(actual), shares(expected)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("report")
    parser.add_argument("--target", required=True)
    parser.add_argument("--bad", default="1")
    args = parser.parse_args()
    with open(args.data, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    report = json.load(open(args.report, encoding="utf-8"))
    options = report["options"]
    labels = np.array([1 if r[args.target].strip().lower() == args.bad.lower() else 0 for r in rows])
    training, held = holdout(len(rows), options["holdoutShare"], options["seed"])
    print("holdout rows", len(held))

    woes, ivs = {}, {}
    for variable in report["variables"]:
        classes = variable["classes"]
        goods, bads = [0] * len(classes), [0] * len(classes)
        for i in training:
            k = class_of(rows[i][variable["name"]].strip(), classes)
            assert k is not None, (variable["name"], rows[i][variable["name"]])
            if labels[i]:
                bads[k] += 1
            else:
                goods[k] += 1
        assert goods == [c["goods"] for c in classes] and bads == [c["bads"] for c in classes], variable["name"]
        woes[variable["name"]], ivs[variable["name"]] = woe_iv(goods, bads)
    print("information values", json.dumps({k: round(v, 6) for k, v in ivs.items()}, sort_keys=True))

    selected = [v["name"] for v in report["card"]["variables"]]
    classes = {v["name"]: v["classes"] for v in report["variables"]}

    def woe_of(name, value):
        k = class_of(value, classes[name])
        return 0.0 if k is None else woes[name][k]  # a value training did not have counts as neutral, as in Cartera

    def design(indices):
        return np.array([[woe_of(n, rows[i][n].strip()) for n in selected] for i in indices])

    x_train, x_hold = design(training), design(held)
    fit = sm.Logit(labels[training], sm.add_constant(x_train)).fit(disp=0, tol=1e-12, maxiter=200)
    beta = fit.params
    print("selected", json.dumps(selected))
    print("coefficients", json.dumps([round(b, 6) for b in beta]))

    def probabilities(x):
        return 1 / (1 + np.exp(-(beta[0] + x @ beta[1:])))

    metrics = []
    for x, indices in ((x_train, training), (x_hold, held)):
        p, y = probabilities(x), labels[indices]
        metrics += [roc_auc_score(y, p), ks(p, y)]

    factor = options["scaling"]["pointsToDoubleOdds"] / math.log(2)
    offset = options["scaling"]["points"] + factor * math.log(1 / options["scaling"]["goodOdds"])
    base = half_away(offset - factor * beta[0])

    def scores(x):
        return [base + sum(half_away(-factor * b * w) for b, w in zip(beta[1:], row)) for row in x]

    metrics.append(psi(scores(x_train), scores(x_hold)))
    print("base points", base)
    print("metrics (training AUC, training KS, holdout AUC, holdout KS, PSI)", json.dumps([round(m, 6) for m in metrics]))
    print("holdout gini", round(2 * metrics[2] - 1, 6))


if __name__ == "__main__":
    main()
