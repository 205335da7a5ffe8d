#!/bin/sh
test_description='mquery serve: /api/v1/metadata, as Prometheus answers it'
. "${0%/*}/tap.sh"

test_have_prog curl || test_skip_all 'curl not installed'
test_have_prog jq || test_skip_all 'jq not installed'
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

# An exposition: a counter of two series (its help said once), gauges,
# a help with a quote, a backslash, a newline and UTF-8.
cat >metrics <<'EOF2'
# HELP req_total Requests "served", with a \\ backslash.
# TYPE req_total counter
req_total{code="200"} 5
req_total{code="500"} 1
# HELP temp_celsius The temperature.
# TYPE temp_celsius gauge
temp_celsius{room="a"} 21.5
temp_celsius{room="b"} 19
# HELP build_info A metric with \n a newline and é.
# TYPE build_info gauge
build_info{version="1"} 1
EOF2

# meta URL [ARGS]: the answer of URL/api/v1/metadata?ARGS, sorted by jq.
meta() {
	curl -s "$1/api/v1/metadata${2:+?$2}" | jq -S .
}

test_expect_success 'setup: the exposition in a store, and mquery serve on it' '
	mstore init -d st &&
	mgather read --format prometheus <metrics | mstore -d st &&
	test_serve mquery serve -d st --listen 127.0.0.1:@PORT@ &&
	echo $SERVE_PID >>"$TRASH/pids" && echo $SERVE_URL >url
'
URL=$(cat url 2>/dev/null)

test_expect_success 'each name once, with its type, help and unit' '
	curl -s "$URL/api/v1/metadata" >got &&
	cat >want <<-\EOF &&
	{"status":"success","data":{"build_info":[{"type":"gauge","help":"A metric with \n a newline and é.","unit":""}],"req_total":[{"type":"counter","help":"Requests \"served\", with a \\ backslash.","unit":""}],"temp_celsius":[{"type":"gauge","help":"The temperature.","unit":""}]}}
	EOF
	echo >>got && test_cmp want got
'

if test_have_prog prometheus; then
	test_expect_success 'the same as Prometheus scraping the exposition' '
		perl -MIO::Socket::INET -e "
			my \$s = IO::Socket::INET->new(Listen => 5,
			    LocalAddr => \"127.0.0.1:0\", ReuseAddr => 1) or die;
			open(my \$p, \">\", \"port.tmp\") or die;
			print \$p \$s->sockport, \"\n\"; close \$p;
			rename \"port.tmp\", \"port\";
			while (my \$c = \$s->accept) {
				while (my \$l = <\$c>) { last if \$l =~ /^\r?\n\$/ }
				open(my \$f, \"<\", \"metrics\") or die;
				local \$/; my \$b = <\$f>; close \$f;
				print \$c \"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n\" .
				    \"Content-Length: \" . length(\$b) . \"\r\nConnection: close\r\n\r\n\$b\";
				close \$c;
			}" &
		echo $! >>"$TRASH/pids" &&
		i=0 && until test -s port; do
			i=$((i + 1)); test $i -lt 50 || return 1; sleep 0.1
		done &&
		cat >prometheus.yml <<-EOF &&
		global:
		  scrape_interval: 1s
		scrape_configs:
		  - job_name: m
		    static_configs:
		      - targets: ["127.0.0.1:$(cat port)"]
		EOF
		test_serve prometheus --config.file=prometheus.yml \
			--storage.tsdb.path=promdb \
			--web.listen-address=127.0.0.1:@PORT@ &&
		echo $SERVE_PID >>"$TRASH/pids" && P=$SERVE_URL &&
		i=0 && until meta $P | jq -e ".data | length == 3" >/dev/null; do
			i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
		done &&
		for a in "" limit=0 limit=-1 metric=req_total metric=nothing \
		    "metric=temp_celsius&limit=5"; do
			meta $P "$a" >want && meta $URL "$a" >got &&
			test_cmp want got || return 1
		done &&
		curl -s "$P/api/v1/metadata?limit=x" >want &&
		curl -s "$URL/api/v1/metadata?limit=x" >got &&
		test_cmp want got
	'
else
	test_skip 'the same as Prometheus scraping the exposition' 'prometheus not installed'
fi

test_expect_success 'units, observations, and two helps of one name' '
	cat >more.jsonl <<-\EOF &&
	{"name":"lat_seconds","type":"histogram","value":0.2,"unit":"seconds","help":"Latency."}
	{"name":"disk_bytes","value":5,"unit":"bytes","labels":{"d":"a"}}
	{"name":"disk_bytes","value":5,"labels":{"d":"b"}}
	{"name":"two","value":1,"help":"One help.","labels":{"x":"1"}}
	{"name":"two","value":1,"help":"Another.","labels":{"x":"2"}}
	EOF
	mstore -d st <more.jsonl &&
	meta $URL "metric=lat_seconds" | jq -c .data >got &&
	echo "{\"lat_seconds\":[{\"help\":\"Latency.\",\"type\":\"unknown\",\"unit\":\"seconds\"}]}" >want &&
	test_cmp want got &&
	meta $URL "metric=disk_bytes" | jq -c .data >got &&
	echo "{\"disk_bytes\":[{\"help\":\"\",\"type\":\"gauge\",\"unit\":\"bytes\"}]}" >want &&
	test_cmp want got &&
	meta $URL "metric=two" | jq -c ".data.two | map(.help)" >got &&
	echo "[\"Another.\",\"One help.\"]" >want && test_cmp want got &&
	meta $URL "metric=two&limit_per_metric=1" | jq -c ".data.two | map(.help)" >got &&
	echo "[\"Another.\"]" >want && test_cmp want got
'

test_expect_success 'limit: the first names; bad numbers refused' '
	meta $URL "limit=2" | jq -c ".data | keys" >got &&
	echo "[\"build_info\",\"disk_bytes\"]" >want && test_cmp want got &&
	meta $URL "limit=0" | jq -c ".data" >got &&
	echo "{}" >want && test_cmp want got &&
	meta $URL | jq -c ".data | keys" >got &&
	echo "[\"build_info\",\"disk_bytes\",\"lat_seconds\",\"req_total\",\"temp_celsius\",\"two\"]" >want &&
	test_cmp want got &&
	for a in limit=1.5 limit= limit=x limit_per_metric=2x; do
		curl -s -o body -w "%{http_code}" "$URL/api/v1/metadata?$a" >code &&
		case $a in
		limit=) echo 200 >want ;;
		*) echo 400 >want ;;
		esac &&
		echo >>code && test_cmp want code || return 1
	done &&
	grep -q "limit_per_metric must be a number" body
'

test_expect_success 'a stream keeps no metadata' '
	mgather read --format prometheus <metrics >s.jsonl &&
	test_serve mquery serve -f s.jsonl --listen 127.0.0.1:@PORT@ &&
	echo $SERVE_PID >>"$TRASH/pids" &&
	curl -s "$SERVE_URL/api/v1/metadata" >got &&
	echo "{\"status\":\"success\",\"data\":{}}" >want &&
	echo >>got && test_cmp want got
'

test_done
