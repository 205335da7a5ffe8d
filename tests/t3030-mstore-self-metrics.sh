#!/bin/sh
test_description='mstore --self-metrics stores its own counters'
. "${0%/*}/tap.sh"

now=$(( $(date +%s) * 1000 ))

test_expect_success 'counts of ingested and rejected samples are stored' '
	mstore init -d s &&
	{
		for i in 1 2 3; do echo "{\"name\":\"m\",\"value\":$i,\"ts\":$((now + i))}"; done
		echo "not json"
	} >in.jsonl &&
	test_expect_code 1 mstore -d s --self-metrics --fsync=always in.jsonl 2>err &&
	host=$(uname -n) &&
	mquery -d s -o csv --since 1h "{__name__=~\"mtk_mstore_.+\"}" >out &&
	grep "^\"mtk_mstore_samples_ingested_total{host=\"\"$host\"\"}\",[0-9]*,3$" out &&
	grep "^\"mtk_mstore_samples_rejected_total{host=\"\"$host\"\",reason=\"\"bad_line\"\"}\",[0-9]*,1$" out &&
	grep "^\"mtk_mstore_series{host=\"\"$host\"\"}\",[0-9]*,1$" out &&
	grep "^\"mtk_mstore_fsyncs_total{host=\"\"$host\"\"}\",[0-9]*,[1-9][0-9]*$" out
'

test_expect_success 'without the option, nothing of mstore'"'"'s own is stored' '
	mstore init -d q &&
	head -n 3 in.jsonl | mstore -d q &&
	mquery -d q -o csv --series --since 1h "{__name__=~\".+\"}" >series &&
	echo m >expect &&
	test_cmp expect series
'

test_expect_success '--fsync=never still stores everything on a clean exit' '
	mstore init -d n &&
	head -n 3 in.jsonl | mstore -d n --fsync=never &&
	mquery -d n -o csv --since 1h m >out &&
	test $(wc -l <out) -eq 4
'

test_expect_success 'its own series do not count against --max-series' '
	mstore init -d lim &&
	now=$(date +%s) &&
	i=0 && while [ $i -lt 10 ]; do
		printf "{\"name\":\"u\",\"value\":1,\"ts\":%s,\"labels\":{\"i\":\"%s\"}}\n" $((now * 1000)) $i
		i=$((i + 1))
	done >ten.jsonl &&
	mstore -d lim --self-metrics --max-series 10 ten.jsonl 2>err &&
	test_must_be_empty err &&
	mquery -d lim -o csv --series --since 1h u >series &&
	test $(wc -l <series) = 10
'

test_done
