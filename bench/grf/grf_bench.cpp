// grf's causal_forest (R defaults, grf 2.6.1) on the campaign CSV of `uplift simulate`, through grf's C++ core, the way
// r-package/grf/R/causal_forest.R calls it: Y.hat and W.hat from regression forests (max(50, trees/4) trees,
// ci.group.size 1, OOB predictions), then a causal forest (instrumental_trainer(0, stabilize), ci.group.size 2) on the
// centred outcome, with its OOB predictions (compute.oob.predictions = TRUE). One causal forest for the value V and one
// for the cost C. Prints fit seconds and the OOB MSE of tau against the truth columns tau_v, tau_c.
// Usage: grf_bench CSV TREES THREADS SEED
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>
#include "forest/ForestPredictors.h"
#include "forest/ForestTrainers.h"

using namespace grf;

static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int main(int argc, char** argv) {
  if (argc < 5) { std::cerr << "usage: grf_bench CSV TREES THREADS SEED\n"; return 2; }
  std::ifstream in(argv[1]);
  unsigned trees = std::stoul(argv[2]), threads = std::stoul(argv[3]), seed = std::stoul(argv[4]);
  std::string line, cell;
  std::getline(in, line);
  std::vector<std::string> head;
  { std::stringstream ss(line); while (std::getline(ss, cell, ',')) head.push_back(cell); }
  std::vector<size_t> xcols; int ct = -1, cv = -1, cc = -1, ctv = -1, ctc = -1;
  for (size_t j = 0; j < head.size(); j++) {
    const std::string& h = head[j];
    if (h.size() > 1 && h[0] == 'x' && isdigit((unsigned char)h[1])) xcols.push_back(j);
    else if (h == "T" || h == "treatment") ct = j; else if (h == "V" || h == "value") cv = j;
    else if (h == "C" || h == "cost") cc = j; else if (h == "tau_v") ctv = j; else if (h == "tau_c") ctc = j;
  }
  if (ct < 0 || cv < 0 || cc < 0 || ctv < 0 || ctc < 0 || xcols.empty()) { std::cerr << "missing columns\n"; return 2; }
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::vector<double> r; std::stringstream ss(line);  // non-numeric cells (the user id) read as NaN, unused
    while (std::getline(ss, cell, ',')) {
      char* end; double v = std::strtod(cell.c_str(), &end);
      r.push_back(end == cell.c_str() ? NAN : v);
    }
    rows.push_back(r);
  }
  size_t n = rows.size(), p = xcols.size(), cols = p + 2;  // X..., outcome, treatment (column-major, as R's matrix)
  unsigned mtry = std::min<unsigned>((unsigned)std::ceil(std::sqrt((double)p) + 20), p);
  auto options = [&](unsigned t, size_t ci) {
    return ForestOptions(t, ci, 0.5, mtry, 5, true, 0.5, true, 0.05, 0.0, threads, seed, false, {}, 0);
  };
  unsigned orth = std::max(50u, trees / 4);
  double total = 0;
  for (int outcome = 0; outcome < 2; outcome++) {
    int cy = outcome == 0 ? cv : cc, ctau = outcome == 0 ? ctv : ctc;
    double t0 = now();
    std::vector<double> m(n * cols);
    for (size_t i = 0; i < n; i++) {
      for (size_t j = 0; j < p; j++) m[j * n + i] = rows[i][xcols[j]];
      m[p * n + i] = rows[i][cy];
      m[(p + 1) * n + i] = rows[i][ct];
    }
    std::vector<double> hat[2];
    for (int k = 0; k < 2; k++) {  // Y.hat (outcome column p), W.hat (column p + 1)
      // The nuisance forest sees X and its own outcome only (R's regression_forest(X, Y) and (X, W)): with the other
      // column in the matrix it would split on it (W predicts Y, Y predicts W) and centre the treatment signal away.
      std::vector<double> mk(m.begin(), m.begin() + (p + 1) * n);
      if (k == 1) std::copy(m.begin() + (p + 1) * n, m.end(), mk.begin() + p * n);
      Data d(mk, n, p + 1); d.set_outcome_index(p);
      Forest f = regression_trainer().train(d, options(orth, 1));
      auto pr = regression_predictor(threads).predict_oob(f, d, false);
      hat[k].resize(n);
      for (size_t i = 0; i < n; i++) hat[k][i] = pr[i].get_predictions()[0];
    }
    for (size_t i = 0; i < n; i++) { m[p * n + i] -= hat[0][i]; m[(p + 1) * n + i] -= hat[1][i]; }
    Data d(m, n, cols); d.set_outcome_index(p); d.set_treatment_index(p + 1); d.set_instrument_index(p + 1);
    Forest f = instrumental_trainer(0, true).train(d, options(trees, 2));
    auto pr = instrumental_predictor(threads).predict_oob(f, d, false);
    double secs = now() - t0; total += secs;
    double se = 0;
    for (size_t i = 0; i < n; i++) { double e = pr[i].get_predictions()[0] - rows[i][ctau]; se += e * e; }
    std::printf("grf %s: %u trees, %u threads: fit %.2f s, OOB MSE of tau %.6g\n", outcome == 0 ? "value" : "cost",
                trees, threads, secs, se / n);
  }
  std::printf("grf total: %u trees x 2, %u threads, %zu rows x %zu features: %.2f s\n", trees, threads, n, p, total);
}
