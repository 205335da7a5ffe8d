#!/bin/sh
test_description='mgather listen --http: batches pushed over HTTP, exact answers'
. "${0%/*}/tap.sh"

test_have_prog curl || test_skip_all 'curl not installed'
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

# push [CURL-ARG...]: POST standard input to /api/v1/push; the status
# line and X-Mtk-Accepted in head, the body in body.
push() {
	curl -s -D head -o body --data-binary @- "$@" "$(cat url)/api/v1/push"
}

test_expect_success 'setup: a listener for HTTP and StatsD, into one output' '
	{ mgather listen --http 127.0.0.1:0 --statsd 127.0.0.1:0 --flush 1s \
		--max-body 1000 -l via=push >out 2>err & echo $! >pid; } &&
	cat pid >>../pids &&
	i=0 && until grep -q "http on" err; do
		i=$((i + 1)); test $i -lt 50 || exit 1; sleep 0.1
	done &&
	sed -n "s/.*http on \(127.0.0.1:[0-9]*\)\$/http:\/\/\1/p" err >url &&
	test -s url &&
	curl -sf "$(cat url)/healthz" >h && echo ok >expect && test_cmp expect h
'

test_expect_success 'stream lines: 204, the count in X-Mtk-Accepted, the samples out' '
	printf "{\"name\":\"a\",\"value\":1}\n\n{\"name\":\"b\",\"value\":2,\"ts\":1700000000000}\n" | push &&
	grep "^HTTP/1.1 204" head &&
	grep "^X-Mtk-Accepted: 2" head &&
	sleep 0.3 &&
	grep "^{\"name\":\"b\",\"type\":\"gauge\",\"value\":2,\"ts\":1700000000000,\"labels\":{\"via\":\"push\"}}\$" out
'

test_expect_success 'a bad line: 400 naming it, the good lines kept' '
	printf "{\"name\":\"c\",\"value\":1}\nnot json\n{\"name\":\"d\",\"value\":4}\n" | push &&
	grep "^HTTP/1.1 400" head &&
	grep "^line 2: invalid JSON" body &&
	grep "^2 taken, 1 bad line" body &&
	sleep 0.3 && grep "\"name\":\"d\"" out
'

test_expect_success 'the text format by Content-Type, gzip, ?format=' '
	printf "# TYPE e counter\ne{k=\"v\"} 5\n" | gzip |
		push -H "Content-Type: text/plain; version=0.0.4" -H "Content-Encoding: gzip" &&
	grep "^HTTP/1.1 204" head &&
	printf "f 6\n# EOF\n" | curl -sf --data-binary @- \
		"$(cat url)/api/v1/push?format=openmetrics" &&
	sleep 0.3 &&
	grep "^{\"name\":\"e\",\"type\":\"counter\",\"value\":5,\"ts\":[0-9]*,\"labels\":{\"k\":\"v\",\"via\":\"push\"}}\$" out &&
	grep "\"name\":\"f\",\"type\":\"gauge\",\"value\":6," out &&
	printf "x 1\n" | push -H "Content-Encoding: gzip" &&
	grep "^HTTP/1.1 400" head && grep "not gzip" body
'

test_expect_success 'InfluxDB clients: /write with precision, errors as {"error": ...}' '
	printf "disk,dev=sda used=5i 1700000000\n" |
		curl -s -D head -o body --data-binary @- "$(cat url)/write?db=x&precision=s" &&
	grep "^HTTP/1.1 204" head &&
	printf "disk used\n" |
		curl -s -D head -o body --data-binary @- "$(cat url)/write?db=x" &&
	grep "^HTTP/1.1 400" head &&
	grep "^{\"error\":\"line 1: a field without .=.; 0 taken, 1 bad\"}\$" body &&
	sleep 0.3 &&
	grep "^{\"name\":\"disk_used\",\"type\":\"gauge\",\"value\":5,\"ts\":1700000000000,\"labels\":{\"dev\":\"sda\",\"via\":\"push\"}}\$" out
'

test_expect_success 'past --max-body: 413, nothing taken' '
	awk "BEGIN { for (i = 0; i < 100; i++) print \"{\\\"name\\\":\\\"big\\\",\\\"value\\\":1}\" }" | push &&
	grep "^HTTP/1.1 413" head &&
	sleep 0.3 && ! grep "\"name\":\"big\"" out
'

test_expect_success 'other paths and methods: 404, 405; /metrics counts' '
	curl -s -o /dev/null -w "%{http_code}\n" "$(cat url)/nowhere" >code &&
	echo 404 >expect && test_cmp expect code &&
	curl -s -o /dev/null -w "%{http_code}\n" "$(cat url)/api/v1/push" >code &&
	echo 405 >expect && test_cmp expect code &&
	curl -sf "$(cat url)/metrics" >m &&
	grep "^mtk_push_requests_total{code=\"413\"} 1\$" m &&
	grep "^mtk_push_requests_total{code=\"400\"} 3\$" m &&
	grep "^mtk_push_bad_lines_total 2\$" m
'

test_expect_success 'StatsD beside it, into the same output; SIGTERM ends both' '
	port=$(sed -n "s/.*statsd on 127.0.0.1:\([0-9]*\) .*/\1/p" err) &&
	perl -MIO::Socket::INET -e "IO::Socket::INET->new(PeerAddr => \"127.0.0.1:$port\", Proto => \"udp\")->send(\"g.one:3|g\")" &&
	kill -TERM $(cat pid) &&
	i=0 && while kill -0 $(cat pid) 2>/dev/null; do
		i=$((i + 1)); test $i -lt 50 || exit 1; sleep 0.1
	done &&
	grep "\"name\":\"g_one\",\"type\":\"gauge\",\"value\":3," out
'

test_expect_success '--store: a 204 means on disk, whatever happens to the listener after' '
	mstore init -d s --retention raw=100000d &&
	{ mgather listen --http 127.0.0.1:0 --store s 2>serr & echo $! >spid; } &&
	cat spid >>../pids &&
	i=0 && until grep -q "http on" serr; do
		i=$((i + 1)); test $i -lt 50 || exit 1; sleep 0.1
	done &&
	surl=$(sed -n "s/.*http on \(127.0.0.1:[0-9]*\)\$/http:\/\/\1/p" serr) &&
	printf "{\"name\":\"kept\",\"value\":1,\"ts\":1700000000000}\n{\"name\":\"kept\",\"value\":2,\"ts\":1700000060000}\n" |
		curl -s -D head -o body --data-binary @- "$surl/api/v1/push" &&
	grep "^HTTP/1.1 204" head && grep "^X-Mtk-Accepted: 2" head &&
	mquery -d s -o jsonl --start 1700000000 --end 1700000060 --step 60 kept >live &&
	test $(wc -l <live) = 2 &&
	kill -KILL $(cat spid) &&
	mquery -d s -o jsonl --start 1700000000 --end 1700000060 --step 60 kept >after &&
	test_cmp live after
'

test_expect_success 'usage: listen needs an address' '
	test_expect_code 2 mgather listen 2>err &&
	grep "statsd or --http" err
'

test_done
