#!/bin/sh
test_description='mgather listen --auth: tokens name tenants, mquery --tenant sees one, --rate'
. "${0%/*}/tap.sh"

test_have_prog curl || test_skip_all 'curl not installed'
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

TOKA=token-of-team-a-0123456789
TOKB=token-of-team-b-9876543210

# push TOKEN [CURL-ARG...]: POST standard input to /api/v1/push with the
# token ('-' for none); the status line and headers in head, the body
# in body.
push() {
	_t=$1
	shift
	if [ "$_t" = - ]; then
		curl -s -D head -o body --data-binary @- "$@" "$(cat url)/api/v1/push"
	else
		curl -s -D head -o body --data-binary @- \
			-H "Authorization: Bearer $_t" "$@" "$(cat url)/api/v1/push"
	fi
}

# stop_listener: SIGTERM the listener of pid, and wait until it is gone.
stop_listener() {
	kill "$(cat pid)" &&
	_i=0 && while kill -0 "$(cat pid)" 2>/dev/null; do
		_i=$((_i + 1))
		test $_i -lt 50 || return 1
		sleep 0.1
	done
}

test_expect_success 'a tokens file others may read is refused, with why' '
	cat >tokens <<-EOF &&
	# tenant  token
	team-a  $TOKA  rate=1000
	team-b  $TOKB
	EOF
	chmod 644 tokens &&
	test_expect_code 1 mgather listen --http 127.0.0.1:0 --auth tokens 2>err &&
	grep "tokens: others may read or change it (mode 644)" err &&
	chmod 600 tokens
'

test_expect_success 'a bad tokens file is refused at its line' '
	printf "team-a short\n" >bad && chmod 600 bad &&
	test_expect_code 1 mgather listen --http 127.0.0.1:0 --auth bad 2>err &&
	grep "bad:1: a token is 16 to 256 bytes, this one 5" err &&
	printf "team-a %s\nteam-b %s\n" $TOKA $TOKA >bad &&
	test_expect_code 1 mgather listen --http 127.0.0.1:0 --auth bad 2>err &&
	grep "bad:2: this token is given twice" err &&
	printf "team\"a %s\n" $TOKA >bad &&
	test_expect_code 1 mgather listen --http 127.0.0.1:0 --auth bad 2>err &&
	grep "bad:1: .team\"a.: not a tenant name" err &&
	printf "team-a %s rate=fast\n" $TOKA >bad &&
	test_expect_code 1 mgather listen --http 127.0.0.1:0 --auth bad 2>err &&
	grep "bad:1: .rate=fast.: not a positive number" err
'

test_expect_success 'usage: --auth and --rate are of --http, --fsync of --store' '
	test_expect_code 2 mgather listen --statsd 127.0.0.1:0 --auth tokens 2>err &&
	grep "auth and --rate are of --http" err &&
	test_expect_code 2 mgather listen --http 127.0.0.1:0 --burst 5 2>err &&
	grep "burst goes with --rate" err &&
	test_expect_code 2 mgather listen --http 127.0.0.1:0 --fsync never 2>err &&
	grep "fsync goes with --store" err &&
	test_expect_code 2 mgather listen --http 127.0.0.1:0 --store s --fsync often 2>err &&
	test_expect_code 2 mgather listen --http 127.0.0.1:0 --rate -3 2>err &&
	grep "rate: not a positive number of samples" err
'

test_expect_success 'setup: a listener with tokens into a store' '
	{ mgather listen --http :0 --auth tokens --store st >out 2>err &
		echo $! >pid; } &&
	cat pid >>../pids &&
	test_wait_grep err "http on" &&
	sed -n "s/.*http on \(127.0.0.1:[0-9]*\)\$/http:\/\/\1/p" err >url &&
	test -s url
'

test_expect_success 'no token, or one not in the file: 401, nothing taken' '
	printf "secret 1\n" | push - -H "Content-Type: text/plain" &&
	grep "^HTTP/1.1 401" head &&
	grep "^WWW-Authenticate: Bearer" head &&
	grep "a token is needed" body &&
	printf "secret 1\n" | push token-nobody-has-0123 -H "Content-Type: text/plain" &&
	grep "^HTTP/1.1 401" head &&
	grep "this token is not known here" body &&
	printf "secret 1\n" | curl -s -o /dev/null -w "%{http_code}\n" \
		--data-binary @- -H "Authorization: Basic $TOKA" \
		"$(cat url)/write" >code &&
	echo 401 >expect && test_cmp expect code
'

test_expect_success 'a token labels its samples with its tenant, over any sent' '
	printf "cpu{host=\"x\",tenant=\"team-b\"} 1\nshared 10\n" |
		push $TOKA -H "Content-Type: text/plain" &&
	grep "^HTTP/1.1 204" head &&
	printf "cpu{host=\"y\"} 2\nshared 20\n" |
		push $TOKB -H "Content-Type: text/plain" &&
	grep "^HTTP/1.1 204" head &&
	printf "disk,host=z used=3i\n" | curl -sf --data-binary @- \
		-H "Authorization: Bearer $TOKB" "$(cat url)/write?db=x"
'

# The listener is still running: what follows reads its store's log.
test_expect_success 'mquery --tenant sees its series only, however asked' '
	mquery -d st --tenant team-a --series >a &&
	cat >expect <<-EOF &&
	{"__name__":"cpu","host":"x","tenant":"team-a"}
	{"__name__":"shared","tenant":"team-a"}
	EOF
	test_cmp expect a &&
	mquery -d st --tenant team-b --series >b &&
	cat >expect <<-EOF &&
	{"__name__":"cpu","host":"y","tenant":"team-b"}
	{"__name__":"disk_used","host":"z","tenant":"team-b"}
	{"__name__":"shared","tenant":"team-b"}
	EOF
	test_cmp expect b &&
	mquery -d st --tenant team-a "sum(shared)" | jq -c .value >v &&
	echo 10 >expect && test_cmp expect v &&
	mquery -d st --tenant team-a "sum({tenant=~\".+\"})" | jq -c .value >v &&
	echo 11 >expect && test_cmp expect v &&
	mquery -d st --tenant team-a "count(shared{tenant=\"team-b\"})" >v &&
	test_must_be_empty v &&
	mquery -d st --tenant team-a --label-values tenant >v &&
	echo team-a >expect && test_cmp expect v &&
	mquery -d st --tenant team-a --label-values host >v &&
	echo x >expect && test_cmp expect v &&
	mquery -d st --tenant team-a --labels >v &&
	printf "__name__\nhost\ntenant\n" >expect && test_cmp expect v &&
	mquery -d st --tenant team-a --latest "{__name__=~\".+\"}" | wc -l >n &&
	echo 2 >expect && test_cmp expect n &&
	mquery -d st --tenant nobody --series >v && test_must_be_empty v &&
	mquery -d st --series | wc -l >n && echo 5 >expect && test_cmp expect n
'

test_expect_success 'mquery --tenant over a stream, and an empty tenant refused' '
	mquery -d st --since 1h -o jsonl "{__name__=~\".+\"}" >all.jsonl &&
	mquery -f all.jsonl --tenant team-b "count({__name__=~\".+\"})" |
		jq -c .value >v &&
	echo 3 >expect && test_cmp expect v &&
	test_expect_code 2 mquery -d st --tenant "" --series 2>err &&
	grep "an empty name" err
'

test_expect_success 'over its rate a tenant gets 429 with Retry-After; others do not' '
	stop_listener &&
	{ mgather listen --http 127.0.0.1:0 --auth tokens --rate 2 --burst 3 \
		>out 2>err & echo $! >pid; } &&
	cat pid >>../pids &&
	test_wait_grep err "http on" &&
	sed -n "s/.*http on \(127.0.0.1:[0-9]*\)\$/http:\/\/\1/p" err >url &&
	printf "a 1\nb 2\nc 3\n" | push $TOKB -H "Content-Type: text/plain" &&
	grep "^HTTP/1.1 204" head &&
	printf "d 4\n" | push $TOKB -H "Content-Type: text/plain" &&
	grep "^HTTP/1.1 429" head &&
	grep "^Retry-After: 1" head &&
	grep "over the rate of 2 samples/s" body &&
	printf "e 5\n" | push $TOKA -H "Content-Type: text/plain" &&
	grep "^HTTP/1.1 204" head &&
	sleep 1.2 &&
	printf "f 6\n" | push $TOKB -H "Content-Type: text/plain" &&
	grep "^HTTP/1.1 204" head &&
	test_wait_grep out "\"name\":\"f\"" && ! grep "\"name\":\"d\"" out
'

test_expect_success '/metrics: counters per tenant' '
	curl -sf "$(cat url)/metrics" >m &&
	grep "^mtk_push_samples_total{tenant=\"team-b\"} 4\$" m &&
	grep "^mtk_push_samples_total{tenant=\"team-a\"} 1\$" m &&
	grep "^mtk_push_throttled_requests_total{tenant=\"team-b\"} 1\$" m &&
	grep "^mtk_push_throttled_requests_total{tenant=\"team-a\"} 0\$" m &&
	grep "^mtk_push_requests_total{code=\"429\"} 1\$" m
'

test_expect_success 'with StatsD too, /metrics has its counters as of its last flush' '
	stop_listener &&
	{ mgather listen --http 127.0.0.1:0 --statsd 127.0.0.1:0 --flush 200ms \
		--ttl 300ms >out 2>err & echo $! >pid; } &&
	cat pid >>../pids &&
	test_wait_grep err "http on" &&
	sed -n "s/.*http on \(127.0.0.1:[0-9]*\)\$/http:\/\/\1/p" err >url &&
	sed -n "s/.*statsd on 127.0.0.1:\([0-9]*\) .*/\1/p" err >port &&
	printf "once:1|g" | perl -MIO::Socket::INET -e "
		my \$s = IO::Socket::INET->new(PeerAddr => \"127.0.0.1:\" . \$ARGV[0],
		    Proto => \"udp\") or die; local \$/; \$s->send(<STDIN>)" "$(cat port)" &&
	sleep 1.5 &&
	curl -sf "$(cat url)/metrics" >m &&
	grep "^mtk_statsd_packets_total 1\$" m &&
	grep "^mtk_statsd_expired_total 1\$" m &&
	grep "^mtk_statsd_series 0\$" m &&
	grep "^mtk_push_samples_total 0\$" m
'

test_expect_success 'the systemd unit of contrib/ runs as written' '
	sed -n "s/^ExecStart=//p" "$SRC_DIR/contrib/systemd/mgather-listen.service" >cmd &&
	test $(wc -l <cmd) = 1 &&
	sed "s|^/usr/local/bin/mgather|mgather|; s|127.0.0.1:8125|127.0.0.1:0|; s|127.0.0.1:9091|127.0.0.1:0|; s|/var/lib/mtk/store|unit-store|" cmd >run &&
	grep -q "^mgather listen .*--store unit-store\$" run &&
	{ sh run >out 2>err & echo $! >pid; } &&
	cat pid >>../pids &&
	test_wait_grep err "http on" &&
	sed -n "s/.*http on \(127.0.0.1:[0-9]*\)\$/http:\/\/\1/p" err >url &&
	printf "unit_test 1\n" | push - -H "Content-Type: text/plain" &&
	grep "^HTTP/1.1 204" head &&
	stop_listener &&
	mquery -d unit-store --series >s &&
	grep "\"__name__\":\"unit_test\"" s
'

test_done
