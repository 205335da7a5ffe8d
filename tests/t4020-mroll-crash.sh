#!/bin/sh
test_description='mroll killed at any point, run twice at once, or beside mstore and mquery'
. "${0%/*}/tap.sh"

ALL='{__name__=~".+"}'
NOW=2026-01-05T00:00:00Z
# snapshot DIR: the rows of every tier, as two aggregates.
snapshot() {
	for t in 1m 5m 1h; do
		for a in avg p99 counter; do
			mquery -d "$1" --tier $t --agg $a -o jsonl --start 0 \
			    --end 4102444800 "$ALL" || return 1
		done
	done
}

test_expect_success 'a store with four days of raw data, rolled once' '
	gen -H 1 -i 60s -n 340000 -t 1767225600000 >in.jsonl &&
	mstore init -d base --retention raw=100000d,1m=100000d,5m=100000d,1h=100000d &&
	mstore -d base <in.jsonl &&
	cp -a base ref &&
	mroll -d ref --now $NOW --no-self-metrics &&
	snapshot ref >ref.rows &&
	test $(wc -l <ref.rows) -gt 100000
'

# Kill a pass after 0, 20, 40 ... ms: the next pass finishes the job and
# the tiers hold what one uninterrupted pass made.
for ms in 0 15 30 45 60 80 100 130 160 200 250 300; do
	test_expect_success "killed after ${ms} ms, the next pass gives the same rows" "
		rm -rf k && cp -a base k &&
		{ mroll -d k --now $NOW --no-self-metrics & pid=\$!; } &&
		sleep \$(echo $ms | awk '{ printf \"%.3f\", \$1 / 1000 }') &&
		kill -9 \$pid; wait \$pid;
		mroll -d k --now $NOW --no-self-metrics &&
		snapshot k >k.rows && test_cmp ref.rows k.rows &&
		mstore check -d k >out &&
		find k -name \".tmp*\" >left && test_must_be_empty left
	"
done

test_expect_success 'a killed mtk.conf writer'"'"'s file goes, a running one'"'"'s stays' '
	rm -rf k && cp -a base k &&
	dead=$(sh -c "echo \$\$") &&
	echo "format = 1" >k/.tmp-mtk.conf-$dead &&
	echo "format = 1" >k/.tmp-import.conf-$dead &&
	echo "format = 1" >k/.tmp-mtk.conf-$$ &&
	mroll -d k --now $NOW --no-self-metrics &&
	! test -e k/.tmp-mtk.conf-$dead && ! test -e k/.tmp-import.conf-$dead &&
	test -e k/.tmp-mtk.conf-$$
'

test_expect_success 'a second mroll exits at once with status 75' '
	flock base/.roll sleep 3 &
	pid=$! &&
	sleep 0.3 &&
	test_expect_code 75 mroll -d base --now $NOW 2>err &&
	grep "another mroll is working on" err &&
	wait $pid
'

test_expect_success 'mroll --wait waits for it instead' '
	flock base/.roll sleep 1 &
	pid=$! &&
	sleep 0.3 &&
	mroll -d base --wait --now $NOW --no-self-metrics &&
	wait $pid &&
	snapshot base >base.rows && test_cmp ref.rows base.rows
'

test_expect_success 'mroll beside mstore (late data) and mquery: the same end result' '
	mstore init -d c --retention raw=100000d,1m=100000d,5m=100000d,1h=100000d &&
	# Parts of the input arrive in a scrambled order of time.
	split -n l/6 in.jsonl part. &&
	for p in part.ac part.aa part.af part.ab part.ae part.ad; do
		mstore -d c <$p &
		w=$! &&
		mroll -d c --now $NOW --no-self-metrics --wait || exit 1
		mquery -d c -o csv --start 2026-01-01T00:00:00Z --end $NOW \
		    --step 1h "sum(node_load1)" >/dev/null || exit 1
		wait $w || exit 1
	done &&
	mroll -d c --now $NOW --no-self-metrics &&
	snapshot c >c.rows && test_cmp ref.rows c.rows
'

test_done
