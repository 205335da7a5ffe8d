# common.sh - what the benchmark scripts share; sourced, not run.

# median: the median of the numbers on standard input, one a line.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# wall FILE, rss FILE: the wall time (s) and peak RSS (KiB) that
# bench/rusage wrote to FILE.
wall() { sed -n 's/.*wall=\([0-9.]*\).*/\1/p' "$1"; }
rss() { sed -n 's/.*maxrss_kib=\([0-9]*\).*/\1/p' "$1"; }

# settle PATH SECONDS: wait until PATH stops growing, looking every
# SECONDS: a writer still running has taken all it was given.
settle() {
	prev=-1
	while :; do
		cur=$(du -sb "$1" | cut -f1)
		[ "$cur" = "$prev" ] && break
		prev=$cur
		sleep "$2"
	done
}

# port: a TCP port of 127.0.0.1 nobody listens on now.
port() {
	perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1,
		LocalAddr => "127.0.0.1:0")->sockport'
}

# node_exporter_body FILE: what a node_exporter, started on a free port
# of 127.0.0.1 and stopped after, serves at /metrics, into FILE.
# Returns 1 when it did not start.
node_exporter_body() {
	_p=$(port)
	prometheus-node-exporter --web.listen-address=127.0.0.1:$_p >/dev/null 2>&1 &
	_pid=$!
	_i=0
	until curl -sf "http://127.0.0.1:$_p/metrics" >"$1"; do
		_i=$((_i + 1))
		[ $_i -lt 50 ] || { kill $_pid; return 1; }
		sleep 0.1
	done
	kill $_pid
	wait $_pid 2>/dev/null || true
}
