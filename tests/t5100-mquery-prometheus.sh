#!/bin/sh
test_description='mquery answers PromQL as Prometheus 2.42 does'
. "${0%/*}/tap.sh"

# The same samples go to a Prometheus (through promtool's OpenMetrics
# import) and to an mtk store; every query of the corpus is then run
# through both, as instant queries at three times (mid-range, near the
# start, just after the data ends) and as a range query with an odd
# step, and the answers must agree (scripts/promcompare.pl).

test_have_prog prometheus && test_have_prog promtool && test_have_prog curl &&
	test_have_prog jq ||
	test_skip_all 'prometheus, promtool, curl or jq not installed (Debian: prometheus)'
perl -MJSON::PP -e 1 2>/dev/null || test_skip_all 'perl JSON::PP missing'

QUERIES=$FIXTURES/promql/queries.txt
COMPARE="perl $SRC_DIR/scripts/promcompare.pl"
PROM_PID=
stop_prometheus() {
	if [ -n "$PROM_PID" ]; then
		kill "$PROM_PID" 2>/dev/null
		wait "$PROM_PID" 2>/dev/null
		PROM_PID=
	fi
}
trap 'stop_prometheus; test_cleanup' EXIT

test_expect_success 'a data set, in a store and as OpenMetrics' '
	perl "$FIXTURES/promql/gen.pl" >data.jsonl &&
	mstore init -d store --retention raw=100000d &&
	mstore -d store <data.jsonl &&
	mquery -d store -o openmetrics --start 0 --end 4102444800 "{__name__=~\".+\"}" >data.om &&
	tail -n 1 data.om >last && echo "# EOF" >expect && test_cmp expect last &&
	test $(grep -vc "^#" data.om) -eq $(wc -l <data.jsonl)
'

test_expect_success 'promtool imports the OpenMetrics export' '
	promtool tsdb create-blocks-from openmetrics data.om promdb >import.out 2>&1 &&
	ls promdb/*/meta.json
'

# An ephemeral port: bind to 0, read what the kernel gave, let go.
PORT=$(perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0") or exit 1;
	print $s->sockport')
printf 'global:\n  scrape_interval: 1m\n' >prometheus.yml
prometheus --config.file=prometheus.yml --storage.tsdb.path=promdb \
	--web.listen-address=127.0.0.1:$PORT >prometheus.log 2>&1 &
PROM_PID=$!
URL=http://127.0.0.1:$PORT

test_expect_success 'prometheus starts and sees the data' '
	i=0 &&
	until curl -sf "$URL/-/ready" >/dev/null; do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || { cat prometheus.log; exit 1; }
	done &&
	curl -s "$URL/api/v1/query?query=count(node_temp_celsius)&time=1700003000" >count &&
	grep "\"6\"" count
'

# Instant times: mid-range, mid-range on a multiple of the 15s interval
# (windows that start and end on samples), near the start (partial
# windows), and 115s after the last sample (inside the lookback).  One
# range query's step divides nothing evenly, the other's is aligned.
compare() {
	$COMPARE -v -u "$URL" -t 1700003233,1700003100,1699999300,1700006500 \
		-r 1699999250,1700006700,97 -r 1699999500,1700006400,60 -- -d store
}

# Under valgrind, every tenth query only, and under the sanitizers every
# third: the whole corpus, run by 'make check', would take long there.
if [ "${VALGRIND:-}" = 1 ]; then
	awk "/^#/ || NR % 10 == 0" "$QUERIES" >queries.txt
elif [ "${SAN:-}" = 1 ]; then
	awk "/^#/ || NR % 3 == 0" "$QUERIES" >queries.txt
else
	cp "$QUERIES" queries.txt
fi

test_expect_success 'every query of the corpus gives the same answer' '
	compare <queries.txt >report 2>&1; rc=$?
	cat report >&2
	grep "^# [0-9]* queries" report >summary
	test $rc -eq 0
'
cat summary 2>/dev/null

test_expect_success 'the same over the stream, evaluated in memory (a sample)' '
	grep -v "^#" "$QUERIES" | awk "NR % 7 == 0" >sample.txt &&
	$COMPARE -u "$URL" -t 1700003233 -- -f data.jsonl <sample.txt >report2 2>&1 ||
	{ cat report2; false; }
'

# Short expressions: Prometheus' prettifier breaks only past 100 characters.
cat >formats.txt <<'EOF'
sum(rate(x{a="b"}[5m]))by(job)
node_temp_celsius>bool 20
a / on(job) group_left(x) b
rate(x[1h:5m] offset -1m @ 1700000000)
-(2^3)*foo unless bar
topk(3,  sum by  (host) (node_temp_celsius))
{__name__=~"a.*",job!="x"}[90s]
sum by (job, instance) (rate(http_requests_total{code=~"5..",handler!="/metrics"}[5m])) / ignoring (code) group_left sum by (job, instance) (rate(http_requests_total[5m])) > 0.05
histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket{job="api",handler=~"/v1/.*"}[5m])))
topk(5, max_over_time(avg without (cpu) (rate(node_cpu_seconds_total{mode!="idle",instance=~"web.*"}[5m]))[1h:1m]))
-(sum(rate(node_network_receive_bytes_total{device!~"lo|veth.*|docker.*"}[5m])) - sum(rate(node_network_transmit_bytes_total[5m])))
label_replace(up{job="api-server",service="a:c",instance="a-very-long-instance-name:9100"}, "foo", "$1", "service", "(.*):.*")
(node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay"} * 100 < 10) and on (instance, device) predict_linear(node_filesystem_avail_bytes[6h], 86400) < 0
count_values("version", build_info{job="some-really-long-job-name", instance=~"host-[0-9]+.example.com:9100"} offset 5m)
EOF

test_expect_success 'format_query: as Prometheus writes an expression' '
	test_serve mquery serve -d store --listen 127.0.0.1:@PORT@ &&
	S=$SERVE_URL && echo $SERVE_PID >spid &&
	while IFS= read -r q; do
		# Go escapes < > & in JSON strings: compare what they say.
		curl -s "$URL/api/v1/format_query" --data-urlencode "query=$q" |
		jq -c . >want &&
		curl -s "$S/api/v1/format_query" --data-urlencode "query=$q" |
		jq -c . >got &&
		grep -q "\"status\":\"success\"" want &&
		test_cmp want got || { kill $(cat spid); return 1; }
	done <formats.txt &&
	curl -s "$S/api/v1/format_query?query=sum(" | grep -q "\"errorType\":\"bad_data\"" &&
	kill $(cat spid)
'

stop_prometheus
test_done
