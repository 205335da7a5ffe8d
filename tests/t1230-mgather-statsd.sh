#!/bin/sh
test_description='mgather listen --statsd: StatsD over UDP and TCP, aggregated per flush'
. "${0%/*}/tap.sh"

trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

# send udp|tcp TEXT: TEXT to the listener, \n a newline; over UDP each
# part between two \0 is a datagram of its own.
send() {
	perl -MIO::Socket::INET -e '
		my ($proto, $port, $text) = @ARGV;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
		    Proto => $proto) or die "send: $!\n";
		$text =~ s/\\n/\n/g;
		if ($proto eq "udp") { $s->send($_) for split /\\0/, $text; }
		else { print $s $text; }
		close $s;' "$1" "$(cat port)" "$2"
}

# values NAME: the values of series NAME in out, one a line.
values() {
	grep "^{\"name\":\"$1\"," out | sed 's/.*"value":\([^,]*\),.*/\1/'
}

test_expect_success 'setup: a listener on a free port, flushing every second' '
	{ mgather listen --statsd 127.0.0.1:0 --flush 1s --ttl 3s -l site=a \
		>out 2>err & echo $! >pid; } &&
	cat pid >>../pids &&
	i=0 && until grep -q "statsd on 127.0.0.1:" err; do
		i=$((i + 1)); test $i -lt 50 || exit 1; sleep 0.1
	done &&
	sed -n "s/.*statsd on 127.0.0.1:\([0-9]*\) .*/\1/p" err >port &&
	test -s port
'

test_expect_success 'counters with rates, gauges and their deltas, sets, tags; UDP and TCP' '
	send udp "hits:1|c\0hits:2|c|@0.5\nmem:100|g\nmem:-30|g\0users:bob|s\nusers:amy|s\nusers:bob|s\0req.ok:1|c|#code:200,method:get" &&
	send tcp "hits:3|c\nmem:+5|g\n" &&
	sleep 1.5 &&
	values hits | tail -n 1 >got && echo 8 >expect && test_cmp expect got &&
	values mem | tail -n 1 >got && echo 75 >expect && test_cmp expect got &&
	values users | tail -n 1 >got && echo 2 >expect && test_cmp expect got &&
	grep "^{\"name\":\"hits\",\"type\":\"counter\",.*\"labels\":{\"site\":\"a\"}}\$" out &&
	grep "^{\"name\":\"req_ok\",\"type\":\"counter\",\"value\":1,\"ts\":[0-9]*,\"labels\":{\"code\":\"200\",\"method\":\"get\",\"site\":\"a\"}}\$" out
'

test_expect_success 'timings: each observation a histogram sample in seconds, count and sum cumulative' '
	send udp "lat:320|ms\0lat:100|ms\0lat:5|h" &&
	sleep 1.5 &&
	grep "^{\"name\":\"lat\",\"type\":\"histogram\"," out | sed "s/.*\"value\":\([^,]*\),.*/\1/" | sort >got &&
	printf "0.1\n0.32\n5\n" >expect && test_cmp expect got &&
	test $(grep "^{\"name\":\"lat\",\"type\":\"histogram\"," out | cut -d, -f4 | sort -u | wc -l) = 3 &&
	values lat_count | tail -n 1 >got && echo 3 >expect && test_cmp expect got &&
	values lat_sum | tail -n 1 >got && echo 5.42 >expect && test_cmp expect got
'

test_expect_success 'bad lines counted and said once a flush, the good ones kept' '
	send udp "nocolon\nx:1|q\nok.one:1|c" &&
	sleep 1.5 &&
	grep "statsd: 2 bad lines, the first: not name:value|type" err &&
	values ok_one | tail -n 1 >got && echo 1 >expect && test_cmp expect got &&
	values mtk_statsd_bad_lines_total | tail -n 1 >got && echo 2 >expect && test_cmp expect got
'

test_expect_success 'a series not updated for the ttl is no longer written' '
	sleep 3.5 &&
	: >out.mark && n=$(wc -l <out) &&
	sleep 1.2 &&
	tail -n +$((n + 1)) out >recent &&
	! grep "\"name\":\"hits\"" recent &&
	grep "\"name\":\"mtk_statsd_expired_total\"" recent | grep -v "\"value\":0,"
'

test_expect_success 'SIGTERM: what was sent before it is read and flushed, exit 0' '
	send udp "last.one:7|g" &&
	kill -TERM $(cat pid) &&
	i=0 && while kill -0 $(cat pid) 2>/dev/null; do
		i=$((i + 1)); test $i -lt 50 || exit 1; sleep 0.1
	done &&
	values last_one | tail -n 1 >got && echo 7 >expect && test_cmp expect got
'

test_expect_success 'usage: listen needs --statsd; a bad address is said' '
	test_expect_code 2 mgather listen 2>err &&
	test_expect_code 1 mgather listen --statsd nowhere 2>err &&
	grep "not host:port" err
'

test_done
