#!/bin/sh
test_description='mstore: summaries that count right, settings that are checked'
. "${0%/*}/tap.sh"

now=$(date +%s)000

test_expect_success 'one bad line and one refused sample: said in the singular' '
	old=$(( $(date +%s) - 2 * 86400 ))000 &&
	{
		echo "not json" &&
		printf "{\"name\":\"old\",\"value\":1,\"ts\":%s}\n" $old &&
		printf "{\"name\":\"new\",\"value\":1,\"ts\":%s}\n" $now
	} >in.jsonl &&
	test_expect_code 1 mstore -q -d s in.jsonl 2>err &&
	echo "mstore: 1 bad line, 1 sample rejected" >expect &&
	test_cmp expect err &&
	mstore check -d s >out &&
	printf "%s\n" "1 block, 1 sample: ok" "0 WAL files, 0 records: ok" >expect &&
	test_cmp expect out
'

test_expect_success 'a retention under an hour is refused, with a hint for m' '
	test_expect_code 2 mstore init -d r --retention 1m=1m 2>err &&
	grep "^mstore: retention .1m. for tier 1m is less than an hour (.m. is minutes: a month is 30d)$" err &&
	test_expect_code 2 mstore init -d r --retention raw=59m59s 2>err &&
	grep "^mstore: retention .59m59s. for tier raw is less than an hour$" err &&
	test_expect_code 2 mstore init -d r --retention 1h=30m 2>err &&
	grep "^mstore: retention .30m. for tier 1h is less than an hour (.m. is minutes: a month is 30d)$" err &&
	test_expect_code 2 mstore init -d r --retention 1m=30s 2>err &&
	grep "^mstore: retention .30s. for tier 1m is less than an hour$" err &&
	! test -e r &&
	mstore init -d r --retention raw=1h,1m=30d &&
	grep "^retention.raw = 1h$" r/mtk.conf &&
	grep "^retention.1m = 30d$" r/mtk.conf
'

test_expect_success 'an unknown setting in mtk.conf: warned with file and line' '
	mstore init -d u &&
	echo "retension.raw = 3d" >>u/mtk.conf &&
	n=$(wc -l <u/mtk.conf) &&
	echo "mstore: u/mtk.conf:$n: unknown setting '"'"'retension.raw'"'"'" >expect &&
	printf "{\"name\":\"a\",\"value\":1,\"ts\":%s}\n" $now | mstore -d u 2>err &&
	test_cmp expect err &&
	mstore stats -d u >/dev/null 2>err &&
	test_cmp expect err &&
	sed "s/^mstore/mquery/" expect >expect.q &&
	mquery -d u -o csv --series a >out 2>err &&
	test_cmp expect.q err && echo a >expect.out && test_cmp expect.out out &&
	sed "s/^mstore/mroll/" expect >expect.r &&
	mroll -d u --no-self-metrics 2>err &&
	test_cmp expect.r err
'

test_expect_success 'init refuses to rewrite an mtk.conf with an unknown setting' '
	cp u/mtk.conf before &&
	test_expect_code 1 mstore init -d u --retention raw=2d 2>err &&
	grep "unknown setting .retension.raw. (init would drop it)$" err &&
	test_cmp before u/mtk.conf
'

test_done
