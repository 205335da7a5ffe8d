#!/bin/sh
test_description='every program reads times and durations the same way'
. "${0%/*}/tap.sh"

now=$(date +%s)
sample() {	# NAME SECONDS-AGO
	printf '{"name":"%s","value":1,"ts":%s000}\n' "$1" $((now - $2))
}

test_expect_success 'a store with samples of two hours and ten days ago' '
	mstore init -d s --retention raw=100d &&
	{ sample recent 7200 && sample old 864000; } | mstore -d s
'

test_expect_success 'mstore export --since 7d: the last seven days' '
	mstore export -d s --since 7d >week.tar.zst &&
	mstore import -q -d copy <week.tar.zst &&
	mquery -d copy -o csv --since 30d --series "{__name__=~\".+\"}" >series &&
	echo recent >expect && test_cmp expect series
'

test_expect_success 'mstore export --until 1d: up to a day ago' '
	mstore export -d s --until 1d >old.tar.zst &&
	mstore import -q -d copy2 <old.tar.zst &&
	mquery -d copy2 -o csv --since 30d --series "{__name__=~\".+\"}" >series &&
	echo old >expect && test_cmp expect series
'

test_expect_success 'mquery --since: a duration, or a time, as mstore takes it' '
	mquery -d s -o csv --since 7d --series "{__name__=~\".+\"}" >dur &&
	echo recent >expect && test_cmp expect dur &&
	mquery -d s -o csv --since -7d --series "{__name__=~\".+\"}" >rel &&
	test_cmp expect rel &&
	mquery -d s -o csv --since now-7d --series "{__name__=~\".+\"}" >rel2 &&
	test_cmp expect rel2 &&
	mquery -d s -o csv --since $((now - 86400 * 7)) --series "{__name__=~\".+\"}" >secs &&
	printf "old\nrecent\n" >expect && sort secs | test_cmp expect - &&
	mquery -d s -o csv --start 7d --series "{__name__=~\".+\"}" >start &&
	echo recent >expect && test_cmp expect start
'

test_expect_success 'mroll --now takes the same times' '
	mroll -d s -n --now 1h --no-self-metrics &&
	mroll -d s -n --now now-1h --no-self-metrics &&
	test_expect_code 2 mroll -d s --now 1x 2>err &&
	grep "^mroll: --now: invalid time .1x." err
'

test_expect_success 'durations: Prometheus units or seconds, nothing else' '
	mgather -n 2 -i 0.2 -C load >out && test $(wc -l <out) -eq 6 &&
	mquery -d s --lookback 90 -o csv "recent" >/dev/null &&
	for bad in 1e3 0x10 -1s 1.5s 1M inf; do
		test_expect_code 2 mquery -d s --lookback $bad recent 2>err &&
		grep "invalid duration .$bad." err &&
		test_expect_code 2 mgather -i $bad 2>err || exit 1
	done
'

test_done
