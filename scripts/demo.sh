#!/bin/sh
# demo.sh - run the mtk pipeline on this machine: gather, store, query.
#
# usage: sh scripts/demo.sh BINDIR
#
# Gathers three passes of real system metrics one second apart into the
# default store ($MTK_STORE, else ~/.local/share/mtk/store), queries a few
# series back as a table, runs one mroll pass and prints the store's
# statistics.
set -eu
bindir=${1:-build/bin}
PATH=$bindir:$PATH

echo "== mgather -n 3 -i 1s --rates | mstore    ($(uname -n), $(date -u +%Y-%m-%dT%H:%M:%SZ))"
mgather -n 3 -i 1s --rates | mstore
echo
echo "== mquery -o table --since 1m '{__name__=~\"node_load1|node_memory_MemAvailable_bytes|mtk_cpu_busy_percent\",mode=~\"|user|system\"}'"
mquery -o table --since 1m \
    '{__name__=~"node_load1|node_memory_MemAvailable_bytes|mtk_cpu_busy_percent",mode=~"|user|system"}'
echo
echo "== mroll -v    (run it from cron: rolls closed windows into 1m, 5m and 1h, applies retention)"
mroll -v
echo
echo "== mstore stats"
mstore stats
