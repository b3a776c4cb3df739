#!/usr/bin/env bash
# Kill tests: kill -9 a writer of uplift at a random moment and check that no file is lost.
#
#   tests/kill/run-kill-tests.sh [TRIALS] [SEED]       (defaults: 20 trials per scenario, seed 1)
#
# Scenarios (each over an existing output, which must survive or be replaced by a complete new one):
#   train  uplift train --model causal-forest with many trees (a model file of several MB) over an old model
#   score  uplift score of ~1 M rows over an old score file
# Each trial kills at a random delay: odd trials uniformly over the run (up to 15 % past its baseline length, so
# some kills come after the rename), even trials at a random
# moment after the temporary file appeared (so the kill lands in the write itself). After the kill the final path
# must hold the old file (same SHA-256) or a complete new one (the model loads and scores; the score file has
# every row). Then a quick successful write into the same folder must leave no .uplift-*.tmp behind.
# Prints a summary table; exits 1 on any violation. Sizes: KILL_FOREST_ROWS, KILL_TREES, KILL_SCORE_ROWS.
# Not part of 'dotnet test' (it takes a few minutes).
set -u
TRIALS=${1:-20}
SEED=${2:-1}
FOREST_ROWS=${KILL_FOREST_ROWS:-8000}
TREES=${KILL_TREES:-200}
SCORE_ROWS=${KILL_SCORE_ROWS:-1000000}
RANDOM=$SEED

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/uplift-kill.XXXXXX")
CHILD=""
cleanup() {
    if [ -n "$CHILD" ]; then kill -9 "$CHILD" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
START=$(date +%s)

echo "building the CLI once (dotnet build -c Release, copied to a private folder) ..."
if ! dotnet build "$ROOT/src/Uplift.Cli" -c Release --nologo -v quiet >"$WORK/build.log" 2>&1; then
    cat "$WORK/build.log"; echo "build failed"; exit 1
fi
CFG=$(ls "$ROOT"/src/Uplift.Cli/bin/Release/net*/*.runtimeconfig.json | head -1)
cp -r "$(dirname "$CFG")" "$WORK/bin"   # a rebuild during the run does not change the program under test
CFG="$WORK/bin/$(basename "$CFG")"
DLL="${CFG%.runtimeconfig.json}.dll"
up() { dotnet "$DLL" "$@"; }

# A random number in [lo, hi) seconds with millisecond steps, from bash's seeded RANDOM.
rand_between() { awk -v lo="$1" -v hi="$2" -v r1="$RANDOM" -v r2="$RANDOM" 'BEGIN { printf "%.3f", lo + (hi - lo) * ((r1 * 32768 + r2) / 1073741824) }'; }
temps_in() { find "$1" -maxdepth 1 -name '.uplift-*.tmp' | wc -l; }
temp_bytes() { find "$1" -maxdepth 1 -name '.uplift-*.tmp' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
now() { date +%s.%N; }

COLS=(--treatment treatment --value value --cost cost --id user_id --exclude tau_v,tau_c,propensity,oracle_score)
echo "preparing data: $FOREST_ROWS rows for the forest, $SCORE_ROWS rows to score ..."
up simulate --rows "$FOREST_ROWS" --seed 11 --out "$WORK/forest.csv" >/dev/null || exit 1
up simulate --rows 200 --seed 12 --out "$WORK/probe.csv" >/dev/null || exit 1
up simulate --rows "$SCORE_ROWS" --features 6 --seed 13 --out "$WORK/big.csv" >/dev/null || exit 1
up simulate --rows 1000 --features 6 --seed 14 --out "$WORK/small.csv" >/dev/null || exit 1

mkdir -p "$WORK/train" "$WORK/score"
TRAIN=(train --data "$WORK/forest.csv" "${COLS[@]}" --model causal-forest --preset paper --trees "$TREES" --seed 2 --out "$WORK/train/model.json")
# The old model: another seed and fewer trees, so it differs from every new one.
up train --data "$WORK/forest.csv" "${COLS[@]}" --model causal-forest --preset paper --trees 20 --seed 1 --out "$WORK/old-model.json" >/dev/null 2>&1 || exit 1
up train --data "$WORK/small.csv" "${COLS[@]}" --model tlearner --base ridge --out "$WORK/scorer.json" >/dev/null 2>&1 || exit 1
SCORE=(score --model "$WORK/scorer.json" --data "$WORK/big.csv" --out "$WORK/score/scores.csv")
up score --model "$WORK/scorer.json" --data "$WORK/small.csv" --out "$WORK/old-scores.csv" >/dev/null || exit 1
OLD_MODEL_SHA=$(sha256sum "$WORK/old-model.json" | cut -d' ' -f1)
OLD_SCORES_SHA=$(sha256sum "$WORK/old-scores.csv" | cut -d' ' -f1)

# Baseline durations (a complete run of each writer).
t0=$(now); up "${TRAIN[@]}" >/dev/null 2>&1 || { echo "baseline train failed"; exit 1; }; t1=$(now)
TRAIN_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
MODEL_BYTES=$(stat -c %s "$WORK/train/model.json")
t0=$(now); up "${SCORE[@]}" >/dev/null 2>&1 || { echo "baseline score failed"; exit 1; }; t1=$(now)
SCORE_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
SCORE_BYTES=$(stat -c %s "$WORK/score/scores.csv")
echo "setup done after $(( $(date +%s) - START )) s"
echo "baseline: train ${TRAIN_SECONDS} s (model $MODEL_BYTES bytes), score ${SCORE_SECONDS} s (output $SCORE_BYTES bytes)"

VIOLATIONS=0
declare -A N_OLD N_NEW N_BAD N_DURING N_BEFORE N_DONE N_TEMP_AFTER_KILL MAX_TEMP_BYTES N_TEMP_AFTER_NEXT
for s in train score; do
    N_OLD[$s]=0; N_NEW[$s]=0; N_BAD[$s]=0; N_DURING[$s]=0; N_BEFORE[$s]=0; N_DONE[$s]=0
    N_TEMP_AFTER_KILL[$s]=0; MAX_TEMP_BYTES[$s]=0; N_TEMP_AFTER_NEXT[$s]=0
done

# The final path holds the old file or a complete new one: prints old | new | BAD.
check_train() {
    local f="$WORK/train/model.json"
    if [ ! -f "$f" ]; then echo BAD; return; fi
    if [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$OLD_MODEL_SHA" ]; then echo old; return; fi
    if up score --model "$f" --data "$WORK/probe.csv" --out /dev/null >/dev/null 2>&1; then echo new; else echo BAD; fi
}
check_score() {
    local f="$WORK/score/scores.csv"
    if [ ! -f "$f" ]; then echo BAD; return; fi
    if [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$OLD_SCORES_SHA" ]; then echo old; return; fi
    local lines; lines=$(wc -l <"$f")
    if [ "$lines" = "$((SCORE_ROWS + 1))" ] && [ "$(stat -c %s "$f")" = "$SCORE_BYTES" ]; then echo new; else echo BAD; fi
}

trial() { # scenario index
    local s=$1 i=$2
    local dir="$WORK/$s" full old cmd
    if [ "$s" = train ]; then full=$TRAIN_SECONDS; old="$WORK/old-model.json"; cmd=("${TRAIN[@]}")
    else full=$SCORE_SECONDS; old="$WORK/old-scores.csv"; cmd=("${SCORE[@]}"); fi
    local target="$dir/$( [ "$s" = train ] && echo model.json || echo scores.csv )"
    cp "$old" "$target"
    local mode delay phase
    dotnet "$DLL" "${cmd[@]}" >/dev/null 2>&1 &  # not through the function: $! must be the writer itself
    CHILD=$!
    if [ $((i % 2)) -eq 1 ]; then
        mode=uniform
        delay=$(rand_between 0.2 "$(awk -v f="$full" 'BEGIN { print f * 1.15 }')") # some kills land after the rename
        sleep "$delay"
    else
        mode=in-write
        while kill -0 "$CHILD" 2>/dev/null && [ "$(temps_in "$dir")" -eq 0 ]; do sleep 0.01; done
        delay=$(rand_between 0 0.15)
        sleep "$delay"
    fi
    if ! kill -0 "$CHILD" 2>/dev/null; then phase=finished
    elif [ "$(temps_in "$dir")" -gt 0 ]; then phase=writing
    else phase=computing; fi
    kill -9 "$CHILD" 2>/dev/null
    wait "$CHILD" 2>/dev/null
    CHILD=""
    case $phase in finished) N_DONE[$s]=$((N_DONE[$s] + 1)) ;; writing) N_DURING[$s]=$((N_DURING[$s] + 1)) ;; *) N_BEFORE[$s]=$((N_BEFORE[$s] + 1)) ;; esac
    local left bytes verdict after
    left=$(temps_in "$dir"); bytes=$(temp_bytes "$dir")
    [ "$left" -gt 0 ] && N_TEMP_AFTER_KILL[$s]=$((N_TEMP_AFTER_KILL[$s] + 1))
    [ "$bytes" -gt "${MAX_TEMP_BYTES[$s]}" ] && MAX_TEMP_BYTES[$s]=$bytes
    verdict=$( [ "$s" = train ] && check_train || check_score )
    case $verdict in old) N_OLD[$s]=$((N_OLD[$s] + 1)) ;; new) N_NEW[$s]=$((N_NEW[$s] + 1)) ;; *) N_BAD[$s]=$((N_BAD[$s] + 1)); VIOLATIONS=$((VIOLATIONS + 1)) ;; esac
    # The next successful write into the folder removes what the killed one left.
    up simulate --rows 5 --seed "$i" --out "$dir/probe.csv" >/dev/null 2>&1 || { echo "  probe write failed"; VIOLATIONS=$((VIOLATIONS + 1)); }
    after=$(temps_in "$dir")
    if [ "$after" -gt 0 ]; then N_TEMP_AFTER_NEXT[$s]=$((N_TEMP_AFTER_NEXT[$s] + 1)); VIOLATIONS=$((VIOLATIONS + 1)); fi
    printf '  %-5s trial %2d  %-8s kill after %6.3f s  phase %-9s  final %-3s  temps left %d (%d bytes), after next run %d\n' \
        "$s" "$i" "$mode" "$delay" "$phase" "$verdict" "$left" "$bytes" "$after"
}

for i in $(seq 1 "$TRIALS"); do
    trial train "$i"
    trial score "$i"
done

ELAPSED=$(( $(date +%s) - START ))
echo
echo "kill -9 trials: $TRIALS per scenario, seed $SEED, $ELAPSED s in all"
printf '| %-8s | %6s | %9s | %7s | %8s | %8s | %8s | %7s | %16s | %19s | %17s |\n' scenario trials computing writing finished old-file new-file corrupt "temps after kill" "max temp bytes" "temps after next"
printf '|%s|\n' "----------|--------|-----------|---------|----------|----------|----------|---------|------------------|---------------------|-------------------"
for s in train score; do
    printf '| %-8s | %6d | %9d | %7d | %8d | %8d | %8d | %7d | %16d | %19d | %17d |\n' "$s" "$TRIALS" "${N_BEFORE[$s]}" "${N_DURING[$s]}" "${N_DONE[$s]}" \
        "${N_OLD[$s]}" "${N_NEW[$s]}" "${N_BAD[$s]}" "${N_TEMP_AFTER_KILL[$s]}" "${MAX_TEMP_BYTES[$s]}" "${N_TEMP_AFTER_NEXT[$s]}"
done
if [ "$VIOLATIONS" -gt 0 ]; then echo "FAILED: $VIOLATIONS violation(s)"; exit 1; fi
echo "OK: every final path held the old file or a complete new one; no temporary file survived the next run"
