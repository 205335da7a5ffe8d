#!/bin/sh
test_description='mstore survives SIGKILL and concurrent writers'
. "${0%/*}/tap.sh"

ALL='{__name__=~".+"}'
dump() {
	mquery -d "$1" -o jsonl --start 0 --end 4102444800 "$ALL"
}

test_expect_success 'setup: a stream of unique samples' '
	now=$(date +%s) &&
	gen -H 2 -n 200000 -i 1s -t $(( (now - 7200) * 1000 )) >in.jsonl &&
	sort in.jsonl >in.sorted
'

# Kill mstore at several points while it reads a pipe; the next writer
# recovers, and what is stored must be exactly a prefix of the input
# (WAL records are written in input order), readable and appendable.
for delay in 0.05 0.1 0.2 0.3 0.5 0.7 1 1.5; do
	test_expect_success "SIGKILL after ${delay}s: a prefix survives, the store recovers" "
		rm -rf k && mstore init -d k &&
		{ cat in.jsonl | mstore -d k --fsync=always & } &&
		sleep $delay &&
		pkill -KILL -f 'mstore -d k --fsync=always' ;
		wait ;
		mstore -d k </dev/null &&
		! ls k/raw/wal/*.wal 2>/dev/null &&
		dump k >got &&
		n=\$(wc -l <got) &&
		echo \"# \$n samples survived\" &&
		head -n \$n in.jsonl | sort >want &&
		sort got >got.sorted &&
		test_cmp want got.sorted &&
		tail -n +\$((n + 1)) in.jsonl | mstore -d k &&
		dump k | sort >all &&
		test_cmp in.sorted all
	"
done

# The same, while the writer flushes its log into blocks every 5,000
# samples and merges each window as it closes (three hours of samples
# at 10 s, over two window ends): a kill lands in flushes and merges.
test_expect_success 'setup: a stream across windows' '
	now=$(date +%s) &&
	gen -H 2 -n 200000 -i 10s -t $(( (now - 5 * 3600) * 1000 )) >span.jsonl &&
	sort span.jsonl >span.sorted
'
for delay in 0.1 0.2 0.4 0.6 0.9 1.3; do
	test_expect_success "SIGKILL after ${delay}s while flushing and merging: a prefix survives" "
		rm -rf f && mstore init -d f &&
		{ cat span.jsonl | mstore -d f --flush 5000 --fsync=always & } &&
		sleep $delay &&
		pkill -KILL -f 'mstore -d f --flush 5000' ;
		wait ;
		mstore -d f </dev/null &&
		! ls f/raw/wal/*.wal 2>/dev/null &&
		mstore check -d f >check &&
		dump f >got &&
		n=\$(wc -l <got) &&
		echo \"# \$n samples survived, \$(ls f/raw/*.blk | wc -l) blocks\" &&
		head -n \$n span.jsonl | sort >want &&
		sort got >got.sorted &&
		test_cmp want got.sorted &&
		tail -n +\$((n + 1)) span.jsonl | mstore -d f &&
		dump f | sort >all &&
		test_cmp span.sorted all
	"
done

test_expect_success 'two writers at once: everything from both is stored' '
	rm -rf w && mstore init -d w &&
	split -n l/2 in.jsonl part. &&
	(mstore -d w <part.aa & p1=$!; mstore -d w <part.ab; r=$?;
	 wait $p1 && test $r = 0) &&
	dump w | sort >got &&
	test_cmp in.sorted got
'

test_expect_success 'a reader during writes sees whole samples only' '
	rm -rf r && mstore init -d r &&
	{ mstore -d r <in.jsonl & } &&
	for i in 1 2 3 4 5; do
		dump r >snap.$i || exit 1
		sort snap.$i | comm -23 - in.sorted >extra &&
		test_must_be_empty extra || exit 1
	done &&
	wait &&
	dump r | sort >final && test_cmp in.sorted final
'

test_done
