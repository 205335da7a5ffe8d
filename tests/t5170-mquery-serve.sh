#!/bin/sh
test_description='mquery serve: Prometheus HTTP API, read by promtool'
. "${0%/*}/tap.sh"

test_have_prog promtool || test_skip_all 'promtool not installed'
test_have_prog curl || test_skip_all 'curl not installed'
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

# An hour of x{s=a} rising 0..60, x{s=b} falling, a minute apart.
awk 'BEGIN {
	for (i = 0; i <= 60; i++) {
		t = 1700000000 + i * 60
		printf "{\"name\":\"x\",\"value\":%d,\"ts\":%d000,\"labels\":{\"job\":\"j\",\"s\":\"a\"}}\n", i, t
		printf "{\"name\":\"x\",\"value\":%d,\"ts\":%d000,\"labels\":{\"job\":\"j\",\"s\":\"b\"}}\n", 60 - i, t
		printf "{\"name\":\"up\",\"value\":1,\"ts\":%d000,\"labels\":{\"job\":\"j\"}}\n", t
	}
}' >s.jsonl
T=1700001830

# promtool's "name{a="b", c="d"} => V @[T]" as "name{a="b",c="d"} V".
from_promtool() {
	sed -n 's/, /,/g; s/^\(.*\) => \([^ ]*\) @\[.*\]$/\1 \2/p'
}

test_expect_success 'setup: a store and mquery serve on it' '
	mstore init -d store --retention raw=100000d &&
	mstore -d store <s.jsonl &&
	test_serve mquery serve -d store --listen 127.0.0.1:@PORT@ &&
	echo $SERVE_PID >>"$TRASH/pids" && echo $SERVE_URL >url
'
URL=$(cat url 2>/dev/null)

test_expect_success 'promtool query instant: what mquery answers' '
	for q in x "sum by (job) (x)" "rate(x[5m]) * 60" "x{s=\"a\"} > 25"; do
		promtool query instant --time=$T "$URL" "$q" |
		from_promtool | sort >got &&
		mquery -d store --time $T -o csv "$q" |
		sed "1d; s/^\"\(.*\)\",[0-9]*,\(.*\)$/\1 \2/; s/\"\"/\"/g; s/^\([^\"{ ]*\),[0-9]*,\(.*\)$/\1 \2/" |
		sort >want &&
		test -s want && test_cmp want got || return 1
	done
'

test_expect_success 'promtool query range: the same points' '
	promtool query range --start=1700000000 --end=1700003600 --step=5m \
		"$URL" "x{s=\"a\"} * 2" >got &&
	mquery -d store --start 1700000000 --end 1700003600 --step 5m -o csv \
		"x{s=\"a\"} * 2" | sed 1d | cut -d, -f4 >want &&
	grep " @\[" got | sed "s/ @.*//" >gotv &&
	test_cmp want gotv &&
	test $(wc -l <gotv) = 13
'

test_expect_success 'promtool query labels and series' '
	# promtool asks for the last year unless told: these are of 2023.
	promtool query labels --start=1699999000 --end=1700009000 "$URL" s >got &&
	printf "a\nb\n" >want && test_cmp want got &&
	promtool query labels "$URL" s >got && test_must_be_empty got &&
	promtool query series --start=1699999000 --end=1700009000 \
		--match="x{s=\"b\"}" "$URL" >got &&
	echo "{__name__=\"x\", job=\"j\", s=\"b\"}" >want && test_cmp want got &&
	{ curl -s "$URL/api/v1/labels"; echo; } >got &&
	echo "{\"status\":\"success\",\"data\":[\"__name__\",\"job\",\"s\"]}" >want &&
	test_cmp want got
'

test_expect_success 'a POST form, as Grafana sends' '
	{ curl -s "$URL/api/v1/query" --data-urlencode "query=sum(x)" \
		--data-urlencode "time=$T"; echo; } >got &&
	echo "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[$T,\"60\"]}]}}" >want &&
	test_cmp want got
'

test_expect_success 'errors in Prometheus shapes and codes' '
	test "$(curl -s -o body -w "%{http_code}" "$URL/api/v1/query?query=sum(")" = 400 &&
	grep -q "\"errorType\":\"bad_data\",\"error\":\"1:5: parse error" body &&
	test "$(curl -s -o body -w "%{http_code}" "$URL/api/v1/query_range?query=x&start=1&end=2")" = 400 &&
	grep -q "invalid parameter \\\\\"step\\\\\"" body &&
	test "$(curl -s -o body -w "%{http_code}" "$URL/api/v1/query?query=x&time=yesterday")" = 400 &&
	test "$(curl -s -o body -w "%{http_code}" "$URL/api/v1/series")" = 400 &&
	test "$(curl -s -o body -w "%{http_code}" "$URL/api/v1/nothing")" = 404 &&
	test "$(curl -s -o body -w "%{http_code}" -X DELETE "$URL/api/v1/query")" = 405 &&
	curl -s "$URL/api/v1/status/buildinfo" | grep -q "\"version\":\"$(mquery -V | cut -d" " -f2)\""
'

test_expect_success 'samples written while it serves are answered at once' '
	echo "{\"name\":\"x\",\"value\":99,\"ts\":1700003660000,\"labels\":{\"job\":\"j\",\"s\":\"c\"}}" |
	mstore -d store &&
	promtool query instant --time=1700003660 "$URL" "x{s=\"c\"}" >got &&
	grep -q "=> 99 @" got
'

test_expect_success 'a tenant sees its own series only' '
	echo "{\"name\":\"x\",\"value\":7,\"ts\":1700003660000,\"labels\":{\"tenant\":\"t1\"}}" |
	mstore -d store &&
	test_serve mquery serve -d store --tenant t1 \
		--listen 127.0.0.1:@PORT@ &&
	echo $SERVE_PID >>"$TRASH/pids" && U=$SERVE_URL &&
	promtool query instant --time=1700003660 "$U" "{__name__=~\".+\"}" >got &&
	test $(wc -l <got) = 1 && grep -q "tenant=\"t1\"} => 7" got
'

# Four hours of a gauge every 15 s (0..6 over and over), to be rolled
# with the raw samples kept.
awk 'BEGIN {
	for (i = 0; i < 960; i++)
		printf "{\"name\":\"g\",\"value\":%d,\"ts\":%d000}\n", i % 7, 1700000000 + i * 15
}' >g.jsonl

test_expect_success 'over rolled tiers: raw samples by default, as Prometheus answers' '
	mstore init -d rolled \
	    --retention raw=100000d,1m=100000d,5m=100000d,1h=100000d >/dev/null &&
	mstore -d rolled <g.jsonl && mroll -d rolled --no-self-metrics &&
	test -n "$(ls rolled/5m)" &&
	R="--start 1700003600 --end 1700010000 --step 5m" &&
	mquery -d rolled $R --tier raw -o prom-json g | jq -c . >raw &&
	mquery -d rolled $R -o prom-json g | jq -c . >auto &&
	! cmp -s raw auto &&
	test_serve mquery serve -d rolled --listen 127.0.0.1:@PORT@ &&
	echo $SERVE_PID >>"$TRASH/pids" &&
	curl -s "$SERVE_URL/api/v1/query_range?query=g&start=1700003600&end=1700010000&step=300" |
	jq -c .data >got &&
	test_cmp raw got &&
	kill $SERVE_PID &&
	test_serve mquery serve -d rolled --tier auto --listen 127.0.0.1:@PORT@ &&
	echo $SERVE_PID >>"$TRASH/pids" &&
	curl -s "$SERVE_URL/api/v1/query_range?query=g&start=1700003600&end=1700010000&step=300" |
	jq -c .data >got &&
	test_cmp auto got &&
	kill $SERVE_PID
'

test_expect_success 'SIGTERM stops it, status 0' '
	pid=$(head -1 "$TRASH/pids") && kill $pid &&
	i=0 && while kill -0 $pid 2>/dev/null; do
		i=$((i + 1)); test $i -lt 50 || return 1; sleep 0.1
	done
'

test_done
