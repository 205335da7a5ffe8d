#!/bin/sh
test_description='a damaged file is reported by path and passed over: the rest of the store goes on'
. "${0%/*}/tap.sh"

# Three raw windows of data, two hours each, ended long ago: an unrolled
# store, as a user has who never ran mroll.
w0=$(( ($(date +%s) / 7200 - 6) * 7200 ))
mkstore() {
	rm -rf "$1" && mstore init -d "$1" --retention raw=30d &&
	for k in 0 1 2; do
		gen -H 2 -n 3000 -i 10s -t $(( (w0 + k * 7200) * 1000 )) |
		mstore -d "$1" || return 1
	done
}
# flip FILE OFFSET: damage one byte in the middle of a file.
flip() {
	printf 'X' | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
block_of() {
	ls "$1"/raw/$(( ($w0 + $2 * 7200) / 10 ))*.blk 2>/dev/null ||
	for f in "$1"/raw/*.blk; do
		n=${f##*/}; n=${n%%-*}; n=${n#0*}
		[ $(( n / 7200000 )) = $(( (w0 + $2 * 7200) / 7200 )) ] && echo "$f"
	done
}

test_expect_success 'setup: three windows, then one byte of the middle one flipped' '
	mkstore s &&
	ls s/raw/*.blk >blocks && test $(wc -l <blocks) = 3 &&
	mquery -d s -o jsonl --start $w0 --end $((w0 + 3 * 7200)) "{__name__=~\".+\"}" >all &&
	b=$(block_of s 1) && test -n "$b" &&
	size=$(wc -c <"$b") &&
	flip "$b" $((size / 2)) &&
	echo "$b" >damaged
'

test_expect_success 'mquery: the rest of the store, the damaged block named, exit 1' '
	test_expect_code 1 mquery -d s -o jsonl --start $w0 --end $((w0 + 3 * 7200)) \
		"{__name__=~\".+\"}" >some 2>err &&
	grep "^mquery: .*$(cat damaged).*left out of the answer" err &&
	test $(wc -l <some) -gt 0 &&
	test $(wc -l <some) -lt $(wc -l <all) &&
	# What is there is what was there: the other windows, whole.
	sort all >all.sorted && sort some >some.sorted &&
	test "$(comm -13 all.sorted some.sorted | wc -l)" = 0 &&
	test_expect_code 1 mquery -d s -o csv --time $((w0 + 7200 + 100)) \
		"count(node_load1)" >out 2>err &&
	grep "left out of the answer" err &&
	test_expect_code 0 mquery -d s -o csv --time $((w0 + 100)) "count(node_load1)" >out &&
	grep ",2$" out
'

test_expect_success 'mroll rolls every other window, reports the damaged one, exits 1' '
	test_expect_code 1 mroll -d s --no-self-metrics -v >out 2>err &&
	grep "$(cat damaged)" err &&
	grep "^rolled 1m .*$(date -u -d @$w0 +%Y-%m-%dT%H:%M:%S)" out &&
	grep "^rolled 1m .*$(date -u -d @$((w0 + 2 * 7200)) +%Y-%m-%dT%H:%M:%S)" out &&
	! grep "^rolled 1m .*$(date -u -d @$((w0 + 7200)) +%Y-%m-%dT%H:%M:%S)Z\\.\\." out
'

test_expect_success 'a second pass: the same, nothing rolled again' '
	test_expect_code 1 mroll -d s --no-self-metrics -v >out 2>err &&
	grep "$(cat damaged)" err &&
	! grep "^rolled" out
'

test_expect_success 'mstore export: nothing written, the damaged block named' '
	test_expect_code 1 mstore export -d s >backup.tar.zst 2>err &&
	test_must_be_empty backup.tar.zst &&
	grep "$(cat damaged)" err &&
	grep "no archive written" err
'

test_expect_success 'mstore check names the damaged block, a second one and a truncated one' '
	mkstore c &&
	for k in 0 1 2; do block_of c $k; done >cblocks &&
	b0=$(sed -n 1p cblocks) && b1=$(sed -n 2p cblocks) && b2=$(sed -n 3p cblocks) &&
	flip "$b0" 40 && flip "$b1" $(( $(wc -c <"$b1") / 2 )) &&
	head -c $(( $(wc -c <"$b2") - 7 )) "$b2" >t && cat t >"$b2" && rm t &&
	test_expect_code 1 mstore check -d c >out 2>err &&
	grep "^damaged: raw/${b0##*/} " out &&
	grep "^damaged: raw/${b1##*/} " out &&
	grep "^damaged: raw/${b2##*/} " out &&
	grep "^3 damaged files$" out
'

test_expect_success 'mstore check --repair moves them aside, says where, deletes nothing' '
	b0=$(sed -n 1p cblocks) && b1=$(sed -n 2p cblocks) && b2=$(sed -n 3p cblocks) &&
	test_expect_code 1 mstore check -d c --repair >out 2>err &&
	grep "^moved: raw/${b0##*/} to .*c/damaged/raw/${b0##*/}$" out &&
	ls c/damaged/raw/${b0##*/} c/damaged/raw/${b1##*/} c/damaged/raw/${b2##*/} &&
	! ls c/raw/*.blk 2>/dev/null &&
	mstore check -d c >out &&
	grep "^0 blocks" out
'

test_expect_success 'after a repair, mroll goes on and queries are whole again' '
	b=$(cat damaged) &&
	mstore check -d s --repair >out;
	grep "^moved: raw/${b##*/}" out &&
	mroll -d s --no-self-metrics -v >out 2>err &&
	test_must_be_empty err &&
	mquery -d s -o csv --time $((w0 + 100)) "count(node_load1)" >out 2>err &&
	test_must_be_empty err && grep ",2$" out
'
test_done
