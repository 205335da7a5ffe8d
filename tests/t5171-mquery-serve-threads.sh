#!/bin/sh
test_description='mquery serve --threads: slow queries hold up neither a fast one nor a writer'
. "${0%/*}/tap.sh"

test_have_prog curl || test_skip_all 'curl not installed'
test -d /proc/self/task || test_skip_all 'no /proc/PID/task to count threads'
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

# A day of 100 series y, 30 s apart: a median over 12 h at each minute
# of it takes the server seconds.
awk 'BEGIN {
	for (i = 0; i < 2880; i++) {
		t = 1700000000 + i * 30
		for (s = 0; s < 100; s++)
			printf "{\"name\":\"y\",\"value\":%d,\"ts\":%d000,\"labels\":{\"s\":\"%d\"}}\n", (i * 7 + s * 13) % 1000, t, s
	}
}' >y.jsonl
SLOW='sum(quantile_over_time(0.5, y[12h]))'
RANGE='--start 1700000000 --end 1700086400 --step 60'

# The connections process $1 (a server) has: each has a thread of
# libmicrohttpd's, named so.
connections() {
	cat /proc/$1/task/*/comm | grep -c "^MHD-connection" || :
}

test_expect_success 'setup: a store, a writer appending to it, the server' '
	mstore init -d store --retention raw=100000d &&
	mstore -d store <y.jsonl &&
	{
		i=0
		while :; do
			echo "{\"name\":\"w\",\"value\":$i}" || exit 0
			i=$((i + 1))
			sleep 0.05
		done | mstore -d store &
	} &&
	echo $! >>"$TRASH/pids" &&
	i=0 && until mquery -d store --latest w | grep -q .; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done &&
	test_serve mquery serve -d store --threads 4 --listen 127.0.0.1:@PORT@ &&
	echo $SERVE_PID >>"$TRASH/pids" && echo $SERVE_PID >pid &&
	echo $SERVE_URL >url
'
URL=$(cat url 2>/dev/null)
PID=$(cat pid 2>/dev/null)

test_expect_success 'a fast query is answered while three slow ones run' '
	# No connection is left of test_serve asking whether it is up.
	i=0 && while test $(connections $PID) != 0; do
		i=$((i + 1)); test $i -lt 50 || return 1; sleep 0.1
	done &&
	for n in 1 2 3; do
		{
			curl -s -o slow$n "$URL/api/v1/query_range" \
				--data-urlencode "query=$SLOW" -d start=1700000000 \
				-d end=1700086400 -d step=60 && echo slow$n >>order
		} &
		echo $! >>slowpids
	done &&
	# A thread for each connection: all three are being answered.
	i=0 && while test $(connections $PID) -lt 3; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done &&
	curl -s -o fast "$URL/api/v1/query?query=count(w)" && echo fast >>order &&
	echo fast >want && test_cmp want order &&
	grep -q "\"value\":\[[0-9.]*,\"1\"\]" fast &&
	wait $(cat slowpids) &&
	test $(wc -l <order) = 4 &&
	{
		printf "{\"status\":\"success\",\"data\":" &&
		mquery -d store $RANGE -o prom-json "$SLOW" | tr -d "\n" &&
		echo "}"
	} >want &&
	for n in 1 2 3; do
		echo >>slow$n && test_cmp want slow$n || return 1
	done
'

# The value of w the server answers now.
w_now() {
	curl -s "$URL/api/v1/query?query=w" |
	sed -n "s/.*\"value\":\[[0-9.]*,\"\([0-9]*\)\"\].*/\1/p"
}

test_expect_success 'the writer goes on, and the server sees it at once' '
	a=$(w_now) && test -n "$a" &&
	i=0 && until test "$(w_now)" -gt "$a"; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done
'

test_expect_success '--threads takes 1 to 256' '
	test_expect_code 2 mquery serve -d store --threads 0 2>err &&
	grep "threads: from 1 to 256" err
'

test_done
