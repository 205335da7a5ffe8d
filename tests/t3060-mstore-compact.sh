#!/bin/sh
test_description='mstore compact merges the blocks of closed windows'
. "${0%/*}/tap.sh"

ALL='{__name__=~".+"}'
dump() {
	mquery -d "$1" -o jsonl --start 0 --end 4102444800 "$ALL"
}
nblocks() {
	ls "$1"/raw/*.blk | wc -l
}

test_expect_success 'three runs into the same old windows leave several blocks' '
	now=$(date +%s) &&
	gen -H 2 -n 30000 -i 60s -t $(( (now - 6 * 3600) * 1000 )) >in.jsonl &&
	split -n r/3 in.jsonl part. &&
	mstore init -d s &&
	for p in part.aa part.ab part.ac; do mstore -d s <$p || exit 1; done &&
	dump s >before &&
	test $(nblocks s) -gt 3
'

test_expect_success 'compact merges them, the data reads the same' '
	mstore compact -d s >out &&
	grep "^[1-9][0-9]* blocks\{0,1\} merged away$" out &&
	dump s >after &&
	test_cmp before after &&
	sort in.jsonl >want && sort after >got && test_cmp want got
'

test_expect_success 'each closed window has one block now; a second run changes nothing' '
	ls s/raw/*.blk | sed "s,.*/,," | cut -c1-13 >mints &&
	for m in $(cat mints); do echo $(( m / 7200000 )); done | sort | uniq -d >dups &&
	test_must_be_empty dups &&
	ls s/raw/*.blk >list1 &&
	mstore compact -d s >out &&
	echo "0 blocks merged away" >expect && test_cmp expect out &&
	ls s/raw/*.blk >list2 && test_cmp list1 list2
'

test_expect_success 'a value written later still wins after compaction' '
	line=$(head -n 1 in.jsonl) &&
	echo "$line" | sed "s/\"value\":[^,]*,/\"value\":12345,/" | mstore -d s &&
	mstore compact -d s >/dev/null &&
	dump s >after2 &&
	grep -c "\"value\":12345," after2 >n && echo 1 >expect && test_cmp expect n &&
	test $(wc -l <after2) -eq 30000
'

test_expect_success 'a running writer'"'"'s samples keep their rank over older blocks' '
	t=$(( ($(date +%s) - 6 * 3600) * 1000 )) &&
	mstore init -d c &&
	echo "{\"name\":\"x\",\"value\":1,\"ts\":$t}" | mstore -d c &&
	mkfifo f &&
	{ mstore -d c --fsync=always <f & } &&
	exec 3>f &&
	sleep 0.1 &&
	echo "{\"name\":\"x\",\"value\":2,\"ts\":$t}" >&3 &&
	i=0 && while ! dump c | grep -q "\"value\":2,"; do
		i=$((i + 1)); test $i -lt 100 || exit 1; sleep 0.1
	done &&
	# A later block in the same window: the WAL is numbered between.
	echo "{\"name\":\"y\",\"value\":5,\"ts\":$((t + 1))}" | mstore -d c &&
	test $(nblocks c) -eq 2 &&
	mstore compact -d c >out &&
	echo "0 blocks merged away" >expect && test_cmp expect out &&
	dump c | grep "\"x\"" >got &&
	grep -q "\"value\":2," got &&
	exec 3>&- && wait &&
	mstore compact -d c >out &&
	echo "3 blocks merged away" >expect && test_cmp expect out &&
	dump c | grep "\"x\"" >got &&
	grep -q "\"value\":2," got
'

test_expect_success 'mstore check is happy with the result' '
	mstore check -d s >out
'

test_done
