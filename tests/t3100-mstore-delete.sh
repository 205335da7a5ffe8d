#!/bin/sh
test_description='mstore delete: gone for readers at once, from the files at the next mroll, beside a running writer'
. "${0%/*}/tap.sh"

now=$(date +%s)
old=$(( (now / 7200 - 3) * 7200 ))	# a closed window, rolled
sample() {
	printf '{"name":"%s","type":"counter","value":%s,"ts":%s,"labels":{"job":"%s"}}\n' "$@"
}
everything() {
	mquery -d s -o jsonl --start $((old - 60)) --end $((now + 600)) "$@" '{__name__=~"a|b"}' |
	sed 's/.*"name":"\([a-z]*\)".*"job":"\([a-z]*\)".*/\1 \2/' | sort | uniq -c
}

mstore init -d s --retention raw=2d || exit 1
i=0
while [ $i -lt 120 ]; do
	t=$(( (old + i * 60) * 1000 ))
	sample a $i $t x; sample a $i $t y; sample b $i $t z
	i=$((i + 1))
done >old.jsonl
mstore -d s old.jsonl && mroll -d s --no-self-metrics || exit 1
test_writer_start s
sample a 1 $(( (now - 30) * 1000 )) x >&9
sample a 1 $(( (now - 30) * 1000 )) y >&9

test_expect_success 'setup: old rows rolled, new samples in a running writer' '
	ls s/1m/*.blk &&
	i=0 && until mquery -d s -o jsonl --since 1m "a" >live && test $(wc -l <live) = 2; do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || exit 1
	done
'

test_expect_success 'a selector that would take every series is refused' '
	test_expect_code 1 mstore delete -d s "{job=\"\"}" 2>err &&
	grep "non-empty matcher" err &&
	! ls s/tombstones/*.tomb 2>/dev/null
'

test_expect_success 'delete a{job="x"}: one series, a tombstone' '
	mstore delete -d s --start $((old - 60)) "a{job=\"x\"}" >out &&
	grep "^deleted a{job=\"x\"} from .*: 1 series" out &&
	ls s/tombstones/*.tomb >tombs && test $(wc -l <tombs) = 1
'

test_expect_success 'gone at once for readers: raw, rolled, the log, labels' '
	everything >counts &&
	! grep " a x$" counts &&
	grep "121 a y$" counts && grep "120 b z$" counts &&
	mquery -d s -o jsonl --tier 1m --start $((old - 60)) --end $now "a" >rows &&
	! grep "\"job\":\"x\"" rows && grep "\"job\":\"y\"" rows &&
	mquery -d s --label-values job --start $((old - 60)) >values &&
	printf "y\nz\n" >expect && test_cmp expect values
'

test_expect_success 'a sample after the deletion, from the running writer, stays' '
	sample a 2 $(( (now + 60) * 1000 )) x >&9 &&
	i=0 && until mquery -d s -o jsonl --start $now --end $((now + 600)) "a{job=\"x\"}" >new &&
		test $(wc -l <new) = 1; do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || exit 1
	done
'

test_expect_success 'mroll rewrites what holds it; the tombstone waits for the running log' '
	mroll -d s --no-self-metrics -v >out &&
	ls s/tombstones/*.tomb &&
	! grep "^deleted" out
'

test_writer_end

test_expect_success 'the writer gone, its window closed, mroll removes the data, then the tombstone' '
	mroll -d s --no-self-metrics -v --now $(( now + 3 * 3600 )) >out &&
	grep "^deleted a{job=\"x\"} " out &&
	! ls s/tombstones/*.tomb 2>/dev/null &&
	everything >counts &&
	grep "1 a x$" counts &&
	grep "121 a y$" counts && grep "120 b z$" counts
'
test_done
