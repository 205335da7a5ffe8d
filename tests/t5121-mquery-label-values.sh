#!/bin/sh
test_description='mquery --labels and --label-values: each name or value once'
. "${0%/*}/tap.sh"

test_expect_success 'setup: series sharing names and label values' '
	mstore init -d store --retention raw=100000d &&
	for n in b a b c a; do
		for h in x y x; do
			printf "{\"name\":\"%s\",\"value\":1,\"ts\":1700000000000,\"labels\":{\"host\":\"%s\",\"%s_only\":\"1\"}}\n" $n $h $n
		done
	done | mstore -d store
'

test_expect_success '--label-values=__name__: sorted, each name once' '
	mquery -d store --start 1699999999 --end 1700000001 --label-values=__name__ >actual &&
	printf "%s\n" a b c >expect &&
	test_cmp expect actual
'

test_expect_success '--label-values of a label, and --labels' '
	mquery -d store --start 1699999999 --end 1700000001 --label-values=host >actual &&
	printf "%s\n" x y >expect &&
	test_cmp expect actual &&
	mquery -d store --start 1699999999 --end 1700000001 --labels "{host=\"x\"}" >actual &&
	printf "%s\n" __name__ a_only b_only c_only host >expect &&
	test_cmp expect actual
'

test_done
