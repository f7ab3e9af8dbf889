#!/bin/sh
# SPDX-License-Identifier: MIT
# A short, repeatable fuzz run for the suite: RUNS inputs with seed 1,
# starting from the seed corpus SEEDS (left unchanged: new inputs go to a
# temporary directory). Usage: run.sh FUZZER SEEDS RUNS
set -eu
fuzzer=$1 seeds=$2 runs=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$fuzzer" -runs="$runs" -seed=1 -max_len=4096 -artifact_prefix="$work/" "$work" "$seeds"
