#!/bin/sh
# mshell.sh - how soon mshell shows its prompt, and completes a name from
# a store of 100,000 series.
# SPDX-License-Identifier: MIT
#
# usage: sh bench/mshell.sh [BUILD_DIR]
#
#  - start: from exec to the first prompt on a pseudo-terminal (what a
#    user waits for), RUNS runs (median), beside /bin/true's exec on the
#    same pty (what starting any program costs here) and 'mquery -V';
#    target 20 ms;
#  - completion: a store of SERIES series (2,000 metrics m_NNNN_total of
#    HOSTS hosts each, two samples), the first Tab of a shell (store
#    opened, names read: bench/complete) for a metric name, a label name
#    and a label value, and the next (held); beside 'mquery
#    --label-values __name__' listing the same names (a process, start
#    included); target 50 ms.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
runs=${RUNS:-50}
series=${SERIES:-100000}
hosts=$((series / 2000))
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-mshell.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
XDG_STATE_HOME=$tmp/state
export XDG_STATE_HOME

# prompt CMD...: ms from fork to the first "> " on a pty, RUNS times, median.
prompt() {
	python3 - "$runs" "$@" <<'PYEOF' | median
import os, pty, select, subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]
master, slave = pty.openpty()
for _ in range(runs):
    t = time.monotonic()
    p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave)
    out = b""
    while b"> " not in out:
        r, _, _ = select.select([master], [], [], 5)
        if not r:
            break
        out += os.read(master, 4096)
    print("%.2f" % ((time.monotonic() - t) * 1000))
    os.write(master, b"\x04")
    p.wait()
    while select.select([master], [], [], 0.05)[0]:
        os.read(master, 4096)
PYEOF
}

now=$(date +%s)
awk -v n="$series" -v h="$hosts" -v t="$now" 'BEGIN {
	for (k = 0; k < 2; k++)
		for (i = 0; i < n; i++)
			printf "{\"name\":\"m_%04d_total\",\"type\":\"counter\",\"value\":%d,\"ts\":%d000,\"labels\":{\"host\":\"h%05d\",\"job\":\"j\"}}\n",
			    i % 2000, k, t - 60 + k * 15, int(i / 2000)
}' | "$build/bin/mstore" -d "$tmp/s" --max-series 0
"$build/bin/mstore" flush -d "$tmp/s" 2>/dev/null || true

echo "start (to the first prompt, pty, median of $runs):"
printf '#!/bin/sh\necho "> "\nexec cat\n' >"$tmp/sh"
chmod +x "$tmp/sh"
t_sh=$(prompt /bin/sh "$tmp/sh")
t_ms=$(prompt "$build/bin/mshell" -d "$tmp/s")
echo "  mshell $t_ms ms (target 20); /bin/sh printing a prompt $t_sh ms"
echo "completion over $series series ($hosts hosts x 2,000 metrics), medians:"
for line in 'm_19' 'm_0042_total{h' 'm_0042_total{host="h000'; do
	printf '  %-28s %s\n' "$line" "$(taskset -c 0 "$build/bench/complete" "$tmp/s" "$line")"
done
for i in $(seq 1 11); do
	a=$(date +%s%N)
	taskset -c 0 "$build/bin/mquery" -d "$tmp/s" --label-values __name__ >/dev/null
	echo $(( ($(date +%s%N) - a) / 1000 ))
done | median | awk '{ printf "  mquery --label-values __name__ (a process): %.1f ms\n", $1 / 1000 }'
