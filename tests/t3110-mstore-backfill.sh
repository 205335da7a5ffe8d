#!/bin/sh
test_description='mstore --backfill: history older than the raw retention lands in the tiers that keep it'
. "${0%/*}/tap.sh"

now=$(date +%s)
day=$(( (now / 86400 - 5) * 86400 ))	# five days ago, at midnight
i=0
while [ $i -lt 1440 ]; do
	printf '{"name":"temp","type":"gauge","value":%s,"ts":%s}\n' \
		$(( i % 50 )) $(( (day + i * 60) * 1000 ))
	i=$((i + 1))
done >history.jsonl

test_expect_success 'setup: raw kept a day, 1m two, 5m ten, 1h thirty' '
	mstore init -d s --retention raw=1d,1m=2d,5m=10d,1h=30d
'

test_expect_success 'without --backfill: refused, ten lines and a count, not a line each' '
	test_expect_code 1 mstore -d s history.jsonl 2>err &&
	test $(grep -c "older than the raw retention" err) = 11 &&
	grep "^mstore: 1430 more lines not shown: sample older than the raw retention$" err &&
	grep "^mstore: 0 bad lines, 1440 samples rejected$" err &&
	! ls s/raw/*.blk 2>/dev/null
'

test_expect_success 'with --backfill: taken into raw blocks' '
	mstore -d s --backfill history.jsonl &&
	ls s/raw/*.blk >blocks && test $(wc -l <blocks) = 12
'

test_expect_success 'mroll rolls them through 1m into 5m and 1h, then lets raw and 1m go' '
	mroll -d s --no-self-metrics &&
	! ls s/raw/*.blk 2>/dev/null &&
	! ls s/1m/*.blk 2>/dev/null &&
	ls s/5m/*.blk && ls s/1h/*.blk
'

test_expect_success 'mquery answers from the rolled tiers: the day, whole' '
	mquery -d s -o csv --start $day --end $((day + 86400)) --step 1h \
		"count_over_time(temp[1h])" >counts &&
	test $(grep -c ",60$" counts) -ge 23 &&
	mquery -d s -o csv --start $day --end $((day + 86400)) --step 1h \
		"max_over_time(temp[1h])" >max &&
	grep ",49$" max
'

test_expect_success 'beyond the longest retention, --backfill refuses too' '
	printf "{\"name\":\"temp\",\"value\":1,\"ts\":%s}\n" $(( (now - 40 * 86400) * 1000 )) >ancient.jsonl &&
	test_expect_code 1 mstore -d s --backfill ancient.jsonl 2>err &&
	grep "older than the longest retention" err
'
test_done
