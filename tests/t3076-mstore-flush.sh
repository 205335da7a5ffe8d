#!/bin/sh
test_description='mstore flushes a log past its bound once it is a second old, input or not'
. "${0%/*}/tap.sh"

now=$(date +%s)

# --fsync=never: no sync is owed, so only the flush itself can wake the
# writer once the input pauses.
# samples: 1,000 series, 600 each, 1 ms apart, ending a minute ago:
# 600,000 samples in one window, past the bound of 500,000.
# The writer keeps running (test_writer_start): had its input ended, it
# would flush for that reason.
mstore init -d s || exit 1
test_writer_start s --fsync=never

test_expect_success 'a writer that takes 600,000 samples, then waits for more' '
	genscale -s 1000 -H 10 -n 600 -i 1 -t $(( (now - 60) * 1000 - 600 )) >in.jsonl &&
	test $(wc -l <in.jsonl) -eq 600000 &&
	cat in.jsonl >&9
'

test_expect_success 'its log is written into blocks within seconds, though no input comes' '
	i=0 &&
	until ls s/raw/*.blk >/dev/null 2>&1; do
		i=$((i + 1)) && test $i -le 100 || { mstore stats -d s; exit 1; }
		sleep 0.1
	done &&
	mstore stats -d s >stats &&
	! grep "600000 samples in 1 WAL" stats &&
	kill -0 "$(cat wpid)"
'

test_expect_success 'every sample is read once, from blocks and log' '
	mquery -d s -o jsonl --start $(( now - 120 )) --end $now "{__name__=\"x\"}" | wc -l >n &&
	echo 600000 >expect &&
	test_cmp expect n
'

test_writer_end

test_expect_success 'the writer ends cleanly' '
	test_must_be_empty werr
'

test_done
