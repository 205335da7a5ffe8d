#!/bin/sh
test_description='mstore check verifies every block and WAL of a store'
. "${0%/*}/tap.sh"

test_expect_success 'a healthy store checks out' '
	now=$(date +%s) &&
	# 8 minutes of samples inside one two-hour window: one block.
	gen -H 2 -n 5000 -t $(( (now / 7200 - 2) * 7200000 )) >in.jsonl &&
	mstore -d s in.jsonl &&
	mstore check -d s >out &&
	printf "%s\n" "1 block, 5000 samples: ok" "0 WAL files, 0 records: ok" >expect &&
	test_cmp expect out
'

test_expect_success 'a WAL left by a killed writer: torn bytes counted, not an error' '
	mkfifo pipe &&
	{ mstore -d s <pipe & } && pid=$! &&
	exec 3>pipe &&
	head -n 100 in.jsonl >&3 &&
	i=0 &&
	until mstore check -d s >out && grep "^1 WAL file, [1-9]" out; do
		i=$((i + 1)) && test $i -lt 50 && sleep 0.1 || exit 1
	done &&
	kill -KILL $pid && exec 3>&- && wait;
	for f in s/raw/wal/*.wal; do printf "\377\377\0\0torn" >>"$f"; done &&
	mstore check -d s >out &&
	grep "^1 WAL file, [1-9][0-9]* records\{0,1\}: ok (8 bytes of torn records at the end" out
'

test_expect_success 'a damaged block: exit 1, the file named with its window' '
	f=$(ls s/raw/*.blk | head -n 1) &&
	printf XXXX | dd of="$f" bs=1 seek=40 conv=notrunc 2>/dev/null &&
	test_expect_code 1 mstore check -d s >out 2>err &&
	test_must_be_empty err &&
	grep "^damaged: raw/${f##*/} (raw, .*Z \.\. .*Z): " out &&
	grep "^1 damaged file$" out
'

test_expect_success 'a missing store is an error' '
	test_expect_code 1 mstore check -d nostore 2>err &&
	grep "^mstore: no store in" err
'

test_done
