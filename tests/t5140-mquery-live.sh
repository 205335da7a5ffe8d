#!/bin/sh
test_description='mquery sees what a running mstore has written, in every mode'
. "${0%/*}/tap.sh"

# A writer that is still running (test_writer_start), so its samples
# are in its WAL only, never sealed.

now=$(date +%s)
ms() { echo $(( (now - $1) * 1000 )); }
sample() {
	printf '{"name":"%s","type":"gauge","value":%s,"ts":%s,"labels":{"host":"%s"}}\n' "$@"
}

# wait_lines N CMD...: until CMD prints N lines (at most 20 s).
wait_lines() {
	n=$1
	shift
	i=0
	while :; do
		"$@" >visible 2>&1
		test "$(wc -l <visible)" -ge "$n" && return 0
		i=$((i + 1))
		[ $i -le 200 ] || { echo "never visible: $*" >&2; return 1; }
		sleep 0.1
	done
}

mstore init -d s || exit 1
test_writer_start s

test_expect_success 'setup: samples written by a writer that keeps running' '
	{ sample x 1 $(ms 120) a; sample x 2 $(ms 60) a; sample x 3 $(ms 1) a;
	  sample x 5 $(ms 1) b; } >&9 &&
	wait_lines 4 mquery -d s --tier raw -o jsonl x &&
	test $(wc -l <visible) = 4
'

test_expect_success 'no block yet: the samples are in the WAL only' '
	ls s/raw/wal/*.wal >wals && test $(wc -l <wals) = 1 &&
	! ls s/raw/*.blk 2>/dev/null
'

test_expect_success 'a bare selector, tier chosen by itself' '
	mquery -d s -o jsonl x >out &&
	test $(wc -l <out) = 4 &&
	grep "\"host\":\"b\"" out
'

test_expect_success 'an expression' '
	mquery -d s -o csv "sum(x)" >out &&
	grep ",8$" out
'

test_expect_success 'a range expression with a step' '
	mquery -d s -o csv --since 10m --step 1m "max(x)" >out &&
	grep ",5$" out
'

test_expect_success '--series, --labels, --label-values' '
	mquery -d s --series x >series &&
	test $(wc -l <series) = 2 &&
	mquery -d s --labels >labels &&
	grep -x host labels &&
	mquery -d s --label-values host >values &&
	printf "a\nb\n" >expect && test_cmp expect values
'

test_expect_success '--latest and --stats' '
	mquery -d s -o jsonl --latest x >out &&
	test $(wc -l <out) = 2 &&
	mquery -d s -o csv --stats --since 1h x >out &&
	grep "host=\"\"a\"\"}\",3," out
'

test_expect_success '--follow of an expression gives its value' '
	{ timeout 5 mquery -d s -o csv --follow --step 1s "sum(x)" >out 2>err; test $? = 124; } &&
	grep ",8$" out
'

test_writer_end
test_expect_success 'the writer ends cleanly, the samples in a block' '
	echo 0 >expect && test_cmp expect wstatus &&
	test_must_be_empty werr &&
	ls s/raw/*.blk &&
	mquery -d s -o jsonl x >out && test $(wc -l <out) = 4
'
test_done
