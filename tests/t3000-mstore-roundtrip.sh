#!/bin/sh
test_description='mstore stores a stream and mquery gives it back'
. "${0%/*}/tap.sh"

ALL='{__name__=~".+"}'
# Fixtures carry fixed dates: keep them far longer than the default 24h.
init() {
	mstore init -d "$1" --retention raw=100000d
}
dump() {
	mquery -d "$1" -o jsonl --start 0 --end 4102444800 "$ALL"
}

test_expect_success 'a mixed stream comes back canonical, sorted, last write wins' '
	init s1 &&
	mstore -d s1 "$FIXTURES/store/mixed.jsonl" &&
	dump s1 >actual &&
	test_cmp "$FIXTURES/store/mixed.expect" actual
'

test_expect_success 'the same from standard input, and after sealing into blocks' '
	init s2 &&
	mstore -d s2 <"$FIXTURES/store/mixed.jsonl" &&
	ls s2/raw/*.blk >/dev/null &&
	! ls s2/raw/wal/*.wal 2>/dev/null &&
	dump s2 >actual &&
	test_cmp "$FIXTURES/store/mixed.expect" actual
'

test_expect_success 'a generated stream round-trips exactly' '
	init s3 &&
	now=$(date +%s) &&
	gen -H 3 -n 50000 -i 15s -t $(( (now - 86400) * 1000 )) >in.jsonl &&
	mstore -d s3 <in.jsonl &&
	dump s3 >out.jsonl &&
	sort in.jsonl >a && sort out.jsonl >b && test_cmp a b &&
	test $(wc -l <out.jsonl) -eq 50000
'

test_expect_success 'output is grouped by series and sorted by time' '
	sed "s/\"value\":[^,]*,//; s/,\"ts\":\([0-9]*\)/ \1 /" out.jsonl |
	awk "{ k = \$1 \$3; if (k != last) { if (seen[k]++) exit 1; last = k; t = -1 }
	       if (\$2 <= t) exit 1; t = \$2 }"
'

test_expect_success 'restart and append: both runs are there' '
	init s4 &&
	head -n 4 "$FIXTURES/store/mixed.jsonl" | mstore -d s4 &&
	tail -n +5 "$FIXTURES/store/mixed.jsonl" | mstore -d s4 &&
	dump s4 >actual &&
	test_cmp "$FIXTURES/store/mixed.expect" actual
'

test_expect_success 'mquery -o jsonl | mstore copies a store' '
	init s5 &&
	dump s3 | mstore -d s5 &&
	dump s5 >copy.jsonl &&
	test_cmp out.jsonl copy.jsonl
'

test_expect_success 'a store copied elsewhere reads the same' '
	cp -R s3 moved &&
	dump moved >moved.jsonl &&
	test_cmp out.jsonl moved.jsonl
'

test_expect_success 'the first write creates the store with the defaults' '
	now=$(date +%s) &&
	echo "{\"name\":\"x\",\"value\":1,\"ts\":$((now * 1000))}" | mstore -d fresh &&
	grep "^retention.raw = 1d$" fresh/mtk.conf &&
	test -d fresh/1m && test -d fresh/5m && test -d fresh/1h &&
	mquery -d fresh -o csv x >csv &&
	printf "series,timestamp,value\nx,%s,1\n" $((now * 1000)) >expect &&
	test_cmp expect csv
'

test_expect_success 'MTK_STORE is the default store' '
	MTK_STORE=$PWD/s1 mquery -o jsonl --start 0 --end 4102444800 "$ALL" >actual &&
	test_cmp "$FIXTURES/store/mixed.expect" actual
'

test_expect_success 'mstore stats counts series, samples and bytes' '
	mstore stats -d s3 >stats &&
	grep "^raw  *[0-9][0-9]*  *237  *50000 " stats &&
	awk "\$1 == \"raw\" && \$6 > 0 && \$6 < 2 { ok = 1 } END { exit !ok }" stats
'

test_expect_success 'init changes the retention of an existing store' '
	mstore init -d s3 --retention raw=48h,1h=2y &&
	grep "^retention.raw = 2d$" s3/mtk.conf &&
	grep "^retention.1h = 730d$" s3/mtk.conf &&
	dump s3 >after && test_cmp out.jsonl after
'

test_expect_success 'bad retention and fsync values are usage errors' '
	test_expect_code 2 mstore init -d s3 --retention raw=forever 2>err &&
	grep "invalid retention" err || grep "retention" err &&
	test_expect_code 2 mstore -d s3 --fsync=sometimes </dev/null 2>err &&
	grep "unknown fsync mode" err
'

test_done
