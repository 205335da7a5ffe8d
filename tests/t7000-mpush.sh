#!/bin/sh
test_description='mpush: samples and streams to a listener, nothing lost when it is away'
. "${0%/*}/tap.sh"

test_have_prog curl || test_skip_all 'curl not installed'
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

XDG_STATE_HOME=$TRASH/state
export XDG_STATE_HOME

# until_true CMD: until the shell command CMD succeeds (30 s at most).
until_true() {
	_i=0
	until eval "$1"; do
		_i=$((_i + 1))
		test $_i -lt 300 || return 1
		sleep 0.1
	done
}

# free_port: a TCP port of 127.0.0.1 nobody listens on (now).
free_port() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(Listen => 1,
		    LocalAddr => "127.0.0.1:0") or exit 1;
		print $s->sockport'
}

# listener PORT STORE: start mgather listen --http on PORT into STORE;
# its PID in lpid.
listener() {
	: >lerr &&
	{ mgather listen --http 127.0.0.1:$1 --store $2 >/dev/null 2>lerr 3>&- &
		echo $! >lpid; } &&
	cat lpid >>../pids &&
	test_wait_grep lerr "http on"
}

stop_listener() {
	kill "$(cat lpid)" &&
	_i=0 && while kill -0 "$(cat lpid)" 2>/dev/null; do
		_i=$((_i + 1)); test $_i -lt 50 || return 1; sleep 0.1
	done
}

# The samples are of the last hour, one ms apart from BASE.
BASE=$(( ($(date +%s) - 3600) * 1000 ))

# samples N [FIRST]: N stream lines of seq_total, values FIRST.., one ms apart.
samples() {
	awk -v n="$1" -v f="${2:-0}" -v b="$BASE" 'BEGIN {
		for (i = f; i < f + n; i++)
			printf "{\"name\":\"seq_total\",\"type\":\"counter\",\"value\":%d,\"ts\":%.0f,\"labels\":{\"src\":\"t\"}}\n", i, b + i
	}'
}

# count STORE: the samples of seq_total in STORE, and how many distinct.
count() {
	mquery -d "$1" --start $((BASE / 1000 - 1)) --end $((BASE / 1000 + 100)) \
		-o jsonl 'seq_total' >got.jsonl &&
	wc -l <got.jsonl | tr -d " " &&
	jq -r .ts got.jsonl | sort -u | wc -l | tr -d " "
}

test_expect_success 'one sample without --to: its stream line' '
	mpush gauge temperature_celsius 21.5 room=kitchen >out &&
	jq -c "[.name, .type, .value, .labels.room, (.ts > 1700000000000)]" out >got &&
	echo "[\"temperature_celsius\",\"gauge\",21.5,\"kitchen\",true]" >expect &&
	test_cmp expect got &&
	mpush timing job_seconds 250 -l host=a >out &&
	jq -c "[.type, .value, .labels.host]" out >got &&
	echo "[\"histogram\",0.25,\"a\"]" >expect && test_cmp expect got
'

test_expect_success 'usage: a bad value, a bad label, no destination for a stream' '
	test_expect_code 2 mpush gauge x notanumber 2>err &&
	grep "not a number" err &&
	test_expect_code 2 mpush gauge x 1 nolabel 2>err &&
	grep "not NAME=VALUE" err &&
	test_expect_code 2 mpush counter -- x -1 2>err &&
	grep "increment is 0 or more" err &&
	test_expect_code 2 mpush </dev/null 2>err &&
	grep "where to" err &&
	test_expect_code 2 mpush --to ftp://x/ </dev/null 2>err &&
	grep "URLs" err
'

test_expect_success 'a stream to a listener: every batch delivered, the spool empty' '
	P=$(free_port) && echo $P >port &&
	listener $P st &&
	samples 2500 | mpush --to http://127.0.0.1:$P/api/v1/push --batch 1000 2>err &&
	test_must_be_empty err &&
	printf "2500\n2500\n" >expect && count st >got && test_cmp expect got &&
	mpush --to http://127.0.0.1:$P/api/v1/push --spool-status >status &&
	grep "^batches 0\$" status &&
	mpush --to http://127.0.0.1:$P/api/v1/push gauge one_shot 7 &&
	mquery -d st --series one_shot | grep -q one_shot
'

test_expect_success 'the listener away: the stream is spooled, sent by the next mpush' '
	P=$(cat port) && stop_listener &&
	samples 300 3000 | mpush --to http://127.0.0.1:$P/api/v1/push \
		--batch 100 2>err &&
	grep "kept in .* for the next mpush" err &&
	mpush --to http://127.0.0.1:$P/api/v1/push --spool-status >status &&
	grep "^samples 300\$" status &&
	mpush --to http://127.0.0.1:$P/api/v1/push gauge while_away 1 2>err &&
	grep "spooled in" err &&
	listener $P st &&
	mpush --to http://127.0.0.1:$P/api/v1/push </dev/null 2>err &&
	test_must_be_empty err &&
	printf "2800\n2800\n" >expect && count st >got && test_cmp expect got &&
	mquery -d st --series while_away | grep -q while_away &&
	mpush --to http://127.0.0.1:$P/api/v1/push --spool-status >status &&
	grep "^batches 0\$" status
'

test_expect_success 'the listener stops mid-stream and comes back: each sample once' '
	P=$(cat port) && mkfifo in &&
	{ mpush --to http://127.0.0.1:$P/api/v1/push --linger 200ms \
		--retry-max 500ms <in 2>err & echo $! >mpid; } &&
	exec 3>in &&
	samples 200 10000 >&3 &&
	until_true "test \"\$(count st | head -1)\" = 3000" &&
	stop_listener &&
	samples 200 10200 >&3 &&
	test_wait_grep err "trying again" &&
	listener $P st &&
	samples 200 10400 >&3 && exec 3>&- &&
	wait $(cat mpid) &&
	printf "3400\n3400\n" >expect && count st >got && test_cmp expect got
'

test_expect_success 'SIGKILL: what mpush read is in its journal, sent by the next' '
	P=$(cat port) &&
	{ { samples 500 20000; sleep 30; } |
		mpush --to http://127.0.0.1:$P/api/v1/push --linger 1h \
		--batch 1000000 2>err & echo $! >mpid; } &&
	i=0 && until mpush --to http://127.0.0.1:$P/api/v1/push --spool-status |
		grep -q "^samples 500\$"; do
		i=$((i + 1)); test $i -lt 100 || exit 1; sleep 0.1
	done &&
	pkill -KILL -f "mpush --to http://127.0.0.1:$P/api/v1/push --linger 1h" &&
	printf "3400\n3400\n" >expect && count st >got && test_cmp expect got &&
	mpush --to http://127.0.0.1:$P/api/v1/push </dev/null &&
	printf "3900\n3900\n" >expect && count st >got && test_cmp expect got
'

test_expect_success 'SIGTERM: what was read is sent before mpush exits' '
	P=$(cat port) &&
	{ { samples 300 40000; sleep 30; } |
		mpush --to http://127.0.0.1:$P/api/v1/push --linger 1h \
		--batch 1000000 2>err & echo $! >mpid; } &&
	i=0 && until mpush --to http://127.0.0.1:$P/api/v1/push --spool-status |
		grep -q "^samples 300\$"; do
		i=$((i + 1)); test $i -lt 100 || exit 1; sleep 0.1
	done &&
	kill -TERM $(cat mpid) &&
	wait $(cat mpid) &&
	test_must_be_empty err &&
	printf "4200\n4200\n" >expect && count st >got && test_cmp expect got &&
	mpush --to http://127.0.0.1:$P/api/v1/push --spool-status >status &&
	grep "^batches 0\$" status
'

test_expect_success 'one sender a spool: a second is told, and exits 75' '
	P=$(cat port) &&
	{ sleep 3 | mpush --to http://127.0.0.1:$P/api/v1/push & } &&
	sleep 0.5 &&
	test_expect_code 75 mpush --to http://127.0.0.1:$P/api/v1/push </dev/null 2>err &&
	grep "another mpush sends from" err
'

test_expect_success '429 from a listener over its rate: Retry-After waited, all sent' '
	{ mgather listen --http 127.0.0.1:0 --rate 3000 --burst 1000 \
		--store rst >/dev/null 2>rerr & echo $! >rpid; } &&
	cat rpid >>../pids &&
	test_wait_grep rerr "http on" &&
	H=$(sed -n "s/.*http on \(127.0.0.1:[0-9]*\)\$/\1/p" rerr) &&
	samples 4000 30000 | mpush --to http://$H/api/v1/push --batch 1000 \
		--linger 10ms 2>err &&
	grep "HTTP 429: over the rate of 3000 samples/s" err &&
	grep "takes batches again" err &&
	printf "4000\n4000\n" >expect && count rst >got && test_cmp expect got &&
	kill $(cat rpid)
'

test_expect_success 'a rejected batch is said, given up, and exit 1' '
	P=$(cat port) &&
	samples 10 | test_expect_code 1 mpush \
		--to http://127.0.0.1:$P/nowhere 2>err &&
	grep "HTTP 404" err && grep "given up" err &&
	mpush --to http://127.0.0.1:$P/nowhere --spool-status >status &&
	grep "^batches 0\$" status
'

test_expect_success 'counters are increments, added up by a listener or StatsD' '
	test_expect_code 2 mpush counter jobs_done_total 1 2>err &&
	grep "needs a destination that adds it up" err &&
	{ mgather listen --http 127.0.0.1:0 --statsd 127.0.0.1:0 --flush 300ms \
		>sout 2>serr & echo $! >spid; } &&
	cat spid >>../pids &&
	test_wait_grep serr "http on" &&
	H=$(sed -n "s/.*http on \(127.0.0.1:[0-9]*\)\$/\1/p" serr) &&
	U=$(sed -n "s/.*statsd on 127.0.0.1:\([0-9]*\) .*/\1/p" serr) &&
	mpush counter --to http://$H/api/v1/push jobs_done_total 1 queue=a &&
	mpush counter --to http://$H/api/v1/push jobs_done_total 1 queue=a &&
	mpush counter --to statsd://127.0.0.1:$U jobs_done_total 2 queue=a &&
	mpush gauge --to statsd://127.0.0.1:$U room_celsius -- -4.5 &&
	printf "%s\n" "{\"name\":\"c_total\",\"type\":\"counter\",\"value\":10}" \
		"{\"name\":\"c_total\",\"type\":\"counter\",\"value\":15}" \
		"{\"name\":\"c_total\",\"type\":\"counter\",\"value\":22}" |
		mpush --to statsd://127.0.0.1:$U --batch 1 &&
	sleep 1 &&
	jq -c "select(.name == \"jobs_done_total\") | [.type, .value, .labels.queue]" sout |
		tail -n 1 >got &&
	echo "[\"counter\",4,\"a\"]" >expect && test_cmp expect got &&
	jq -c "select(.name == \"room_celsius\") | .value" sout | tail -n 1 >got &&
	echo -4.5 >expect && test_cmp expect got &&
	jq -c "select(.name == \"c_total\") | .value" sout | tail -n 1 >got &&
	echo 12 >expect && test_cmp expect got &&
	kill $(cat spid)
'

test_expect_success 'wrap: a job run, its figures sent, its exit status kept' '
	P=$(cat port) &&
	test_expect_code 3 mpush wrap --to http://127.0.0.1:$P/api/v1/push \
		--job nightly -- sh -c "echo out; echo err >&2; sleep 0.2; exit 3" \
		>out 2>err &&
	echo out >expect && test_cmp expect out &&
	grep "^err\$" err &&
	mpush wrap --to http://127.0.0.1:$P/api/v1/push -- true &&
	mquery -d st --latest "{__name__=~\"job_.*\"}" -o jsonl |
		jq -r "[.labels.job, .name, (.value | tostring)] | join(\" \")" |
		sort >got &&
	grep "^nightly job_exit_status 3\$" got &&
	grep "^true job_exit_status 0\$" got &&
	grep -q "^true job_last_success_timestamp_seconds " got &&
	! grep -q "^nightly job_last_success" got &&
	awk "\$1 == \"nightly\" && \$2 == \"job_duration_seconds\" { exit !(\$3 >= 0.2 && \$3 < 5) }" got
'

test_expect_success 'a Pushgateway: counters and gauges as it serves them again' '
	test_serve prometheus-pushgateway --web.listen-address=127.0.0.1:@PORT@ \
		--persistence.file= &&
	echo $SERVE_PID >>../pids &&
	printf "%s\n" \
		"{\"name\":\"jobs_total\",\"type\":\"counter\",\"value\":5,\"labels\":{\"queue\":\"a\"}}" \
		"{\"name\":\"jobs_total\",\"type\":\"counter\",\"value\":7,\"labels\":{\"queue\":\"b\"}}" \
		"{\"name\":\"temp\",\"value\":-3.5,\"labels\":{\"room\":\"x \\\"y\\\"\"}}" |
		mpush --to "pushgateway+$SERVE_URL/metrics/job/batch" &&
	curl -sf "$SERVE_URL/metrics" | mgather read --format prometheus |
		jq -c "select(.labels.job == \"batch\" and (.name == \"jobs_total\" or .name == \"temp\")) | [.name, .type, .value, (.labels.queue // .labels.room)]" |
		sort >got &&
	cat >expect <<-\EOF &&
	["jobs_total","counter",5,"a"]
	["jobs_total","counter",7,"b"]
	["temp","gauge",-3.5,"x \"y\""]
	EOF
	test_cmp expect got &&
	kill $SERVE_PID
'

test_done
