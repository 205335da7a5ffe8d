#!/bin/sh
test_description='mstore keeps its log short and its blocks few while it runs'
. "${0%/*}/tap.sh"

now=$(date +%s)
sample() {
	printf '{"name":"x","type":"gauge","value":%s,"ts":%s,"labels":{"i":"%s"}}\n' "$@"
}

# wait_wal N: until the WAL holds N samples (mstore stats), at most 30 s.
wait_wal() {
	i=0
	until mstore stats -d s >stats 2>&1 && grep -Eq "\($1 samples? in 1 WAL" stats; do
		i=$((i + 1))
		[ $i -le 300 ] || { cat stats >&2; return 1; }
		sleep 0.1
	done
}

mstore init -d s --retention raw=3d || exit 1
test_writer_start s

test_expect_success 'a sample a few hours ahead of the clock is taken' '
	sample 1 $(( (now + 3 * 3600) * 1000 )) ahead >&9 &&
	wait_wal 1
'

test_expect_success 'then one batch at a time: no block written for any of them' '
	i=0 &&
	while [ $i -lt 40 ]; do
		sample $i $(( (now - 40 + i) * 1000 )) a >&9 &&
		i=$((i + 1)) &&
		sleep 0.05 || return 1
	done &&
	wait_wal 41 &&
	! ls s/raw/*.blk 2>/dev/null
'

test_expect_success 'a sample more than two days ahead is refused, line-numbered' '
	sample 1 $(( (now + 3 * 86400) * 1000 )) far >&9 &&
	sample 2 $(( now * 1000 )) b >&9 &&
	wait_wal 42 &&
	grep "^mstore: <stdin>:42: sample too far ahead of the clock" werr
'

test_writer_end

test_expect_success 'at the end: one block per window, the refused sample counted' '
	echo 1 >expect && test_cmp expect wstatus &&
	ls s/raw/*.blk >blocks &&
	test $(wc -l <blocks) -le 2 &&
	grep "1 samples\? rejected" werr &&
	mquery -d s -o jsonl --start $((now - 60)) --end $((now + 4 * 3600)) x >out &&
	test $(wc -l <out) = 42
'
test_done
