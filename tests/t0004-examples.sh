#!/bin/sh
test_description='the examples of README.md and of the man pages run'
. "${0%/*}/tap.sh"

# Every "$ command" of README.md and of the man pages' literal blocks
# runs here (t0001 runs the man pages' one-line ".Dl $" examples), in a
# scratch directory, against a store this test fills: it must exit 0,
# and write something unless its output goes to a file or a store.
# A command goes on while a quote is open or a line ends in '\', '|' or
# '&&'.

# Those that cannot run in a test, each with the reason (the command's
# first line, as extracted; an example that changes runs again).
cat >skip <<'EOF'
mgather -C cpu,loadavg,meminfo -l env=prod -i 15s >> metrics.jsonl &	runs until stopped
mgather -i 15s | mstore &	runs until stopped
mgather -i 15s >> metrics.jsonl &	runs until stopped
mgather -i 15s -C -cgroup,+processes | mstore -d /var/lib/mtk	runs until stopped
mquery --follow 'node_load1'                # new samples as they arrive	runs until interrupted
crontab -l	shows the crontab, not mtk
malert lint /etc/mtk/rules.yml      # the verdicts of promtool check rules	names the reader's rule file
malert check --label mountpoint -w 80 -c 90 \	its state is that of the test machine's disks
ssh backup mstore import -d /srv/mtk < day.tar.zst	needs another machine
promtool tsdb create-blocks-from openmetrics day.om \	needs Prometheus
mgather scrape -i 30s --job node http://db1:9100/metrics \	runs until stopped, scrapes other machines
mgather scrape --ca-file /etc/mtk/ca.pem --relabel relabel.yml \	runs until stopped, scrapes other machines
curl -s http://127.0.0.1:9100/metrics | mgather read | mstore	needs a node_exporter on its port
mgather scrape --job node http://db1:9100/metrics http://web1:9100/metrics | mstore	runs until stopped, scrapes other machines
mgather scrape --job node --targets /etc/mtk/targets.json --store /var/lib/mtk	runs until stopped, scrapes other machines
curl -s http://127.0.0.1:9100/metrics | mgather read --format prometheus	needs a node_exporter on its port
mgather exec -- /usr/lib/nagios/plugins/check_load -w 5 -c 10 \	runs until stopped
mgather listen --statsd 127.0.0.1:8125 | mstore	runs until stopped
mgather listen --statsd 127.0.0.1:8125 --http 127.0.0.1:9091 | mstore	runs until stopped
mgather listen --http 127.0.0.1:9091 --statsd 127.0.0.1:8125 \	runs until stopped
echo '{"name":"backup_done","value":1}' |	needs the listener of the example before
mgather exec -- /usr/lib/nagios/plugins/check_disk -w 20% -c 10% -p / | mstore	runs until stopped
curl -H "Authorization: Bearer $TOKEN" --data-binary @batch.jsonl \	needs a listener with tokens
mquery --tenant web 'sum(rate(http_requests_total[5m]))'	needs a tenant's samples
mgather -i 15s | mpush --to http://db1:9091/api/v1/push &	sends to another machine
mgather -i 15s | mpush --to remote-write+http://vm:8428/api/v1/write &	runs until stopped, sends to another machine
mpush counter --to http://db1:9091/api/v1/push backups_done_total 1 host=web1	sends to another machine
mquery serve --listen 127.0.0.1:9090 &	runs until stopped (t5170 tests it)
promtool query instant http://127.0.0.1:9090 'node_load1'	needs the server of the example before
mquery serve --auth /etc/mtk/tokens --listen 127.0.0.1:9090	runs until stopped (t5172 tests it)
export MTK_PUSH_URL=http://db1:9091/api/v1/push	sends to another machine
mpush counter jobs_done_total 1 queue=mail	needs the listener of the line before
mgather -n 1 |	sends to another machine
mgather -i 15s |	sends to another machine
mgather listen --http 0.0.0.0:9091 --auth /etc/mtk/tokens --rate 50000 --store /var/lib/mtk	runs until stopped
mquery --tenant web 'sum by (job) (rate(http_requests_total[5m]))'	needs a tenant's samples
EOF

# Those that fail for a known reason, to be fixed, with the reason: "not
# ok # TODO" until they pass, then to be taken out of this list.
: >broken

MTK_STORE=$TRASH/store
export MTK_STORE
# The directories the examples name, made local.
paths="s|/var/lib/mtk|$MTK_STORE|g; s|/backup/store|$TRASH/backup|g"

# examples FILE: the commands of the "$ " lines of FILE, NUL-separated.
examples() {
	case $1 in
	*.md)
		sed 's/^    //; t; s/.*//' "$1" ;;
	*)
		sed -n '/^\.Bd -literal/,/^\.Ed/p' "$1" |
			sed '/^\.Bd/d; /^\.Ed/s/.*//; s/\\e/\\/g; s/\\-/-/g' ;;
	esac | awk '
		function flush() { if (cmd != "") printf "%s%c", cmd, 0; cmd = "" }
		cont { cmd = cmd "\n" $0 }
		!cont && /^[$] / { flush(); cmd = substr($0, 3) }
		!cont && !/^[$] / { flush() }
		{
			n = gsub(/'\''/, "'\''", cmd)
			cont = cmd != "" && (n % 2 == 1 || cmd ~ /(\\|[|]|&&)$/)
		}
		END { flush() }'
}

now=$(date +%s)
# requests: two hours of a request counter, a sample every 15 seconds.
requests() {
	t=$((now - 7200))
	while [ $t -le $now ]; do
		printf '{"name":"http_requests_total","type":"counter","value":%d,"ts":%d000,"labels":{"job":"api"}}\n' \
		    $(( (t - now + 7200) * 3 )) $t
		t=$((t + 15))
	done
}

# silent EXAMPLE: whether EXAMPLE writes its output to a file or a store.
silent() {
	case $(printf '%s' "$1" | tr -s ' \\\n' '   ') in
	*">"* | *"| mstore"* | *"mstore import"* | *"mstore --backfill <"*) return 0 ;;
	esac
	return 1
}

# The series the examples name: this machine's, three days of a host
# with a latency histogram (rolled up too; every 5 minutes, then every
# 15 seconds for the last two hours), and a request counter.
test_expect_success 'a store with the metrics the examples name' '
	mstore init --retention raw=30d &&
	mgather -n 3 -i 1s | mstore &&
	gen -b -H 1 -i 5m -n $(( 840 * 93 )) -t $(( (now - 3 * 86400) * 1000 )) | mstore &&
	gen -b -H 1 -i 15s -n $(( 480 * 93 )) -t $(( (now - 7200) * 1000 )) | mstore &&
	requests | mstore &&
	mroll --no-self-metrics &&
	mgather -n 2 -i 1s >"$TRASH/metrics.jsonl"
'

for f in "$SRC_DIR"/README.md "$SRC_DIR"/man/man*/*.[1-9]; do
	examples "$f" | tr '\0' '\036' | tr '\n' '\037' | tr '\036' '\n' >list
	while IFS= read -r ex; do
		ex=$(printf '%s' "$ex" | tr '\037' '\n')
		first=$(printf '%s' "$ex" | head -n 1)
		name="${f##*/}: $(printf '%s' "$first" | sed 's/ *#.*//')"
		why=$(awk -F '\t' -v ex="$first" '$1 == ex { print $2 }' skip)
		if [ -n "$why" ]; then
			test_skip "$name" "$why"
			continue
		fi
		if ! test_have_prog "${first%% *}"; then
			test_skip "$name" "${first%% *} not installed"
			continue
		fi
		expect=test_expect_success
		awk -F '\t' -v ex="$first" '$1 == ex { f = 1 } END { exit !f }' broken &&
			expect=test_expect_failure
		ex=$(printf '%s' "$ex" | sed "$paths")
		$expect "$name" '
			mkdir -p ex && cd ex && cp "$TRASH/metrics.jsonl" . &&
			timeout 60 sh -c "$ex" >out 2>err ||
				{ cat err; exit 1; }
			{ silent "$ex" || test -s out; }
		'
	done <list
done

test_done
