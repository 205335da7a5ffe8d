#!/bin/sh
test_description='mstore reports bad input, stores the good, and exits 1'
. "${0%/*}/tap.sh"

ALL='{__name__=~".+"}'
now=$(( $(date +%s) * 1000 ))

test_expect_success 'setup' '
	mstore init -d s &&
	cat >in.jsonl <<-EOF
	{"name":"a","value":1,"ts":$now}
	{"name":"b","value":}
	{"name":"c","value":3,"ts":$now,"type":"summary"}

	not json
	{"name":"d","value":4,"ts":$now}
	EOF
	printf "{\"name\":\"e\",\"value\":5,\"ts\":$now}" >>in.jsonl
'

test_expect_success 'each bad line is reported with file and line, good lines stored' '
	test_expect_code 1 mstore -d s in.jsonl 2>err &&
	cat >expect <<-EOF &&
	mstore: in.jsonl:2: invalid JSON: unexpected token near '"'"'}'"'"' (column 21)
	mstore: in.jsonl:3: unknown type '"'"'summary'"'"'
	mstore: in.jsonl:5: invalid JSON: '"'"'{'"'"' expected near '"'"'not'"'"' (column 3)
	mstore: 3 bad lines, 0 samples rejected
	EOF
	test_cmp expect err &&
	mquery -d s -o csv --series "$ALL" >series &&
	printf "a\nd\ne\n" >expect &&
	test_cmp expect series
'

test_expect_success '--quiet keeps only the summary' '
	test_expect_code 1 mstore -q -d s in.jsonl 2>err &&
	echo "mstore: 3 bad lines, 0 samples rejected" >expect &&
	test_cmp expect err
'

test_expect_success '--strict stops at the first bad line, keeping what came before' '
	mstore init -d strict &&
	test_expect_code 1 mstore --strict -d strict in.jsonl 2>err &&
	grep "^mstore: in.jsonl:2: " err &&
	mquery -d strict -o csv --series "$ALL" >series &&
	echo a >expect &&
	test_cmp expect series
'

test_expect_success 'a sample older than the raw retention is refused and counted' '
	old=$(( now - 25 * 3600 * 1000 )) &&
	printf "{\"name\":\"old\",\"value\":1,\"ts\":$old}\n{\"name\":\"new\",\"value\":1,\"ts\":$now}\n" >old.jsonl &&
	test_expect_code 1 mstore -d s old.jsonl 2>err &&
	grep "^mstore: old.jsonl:1: sample older than the raw retention$" err &&
	mquery -d s -o csv --series "{__name__=~\"old|new\"}" >series &&
	echo new >expect && test_cmp expect series
'

test_expect_success '--max-series refuses new series but keeps known ones flowing' '
	for i in 1 2 3; do
		echo "{\"name\":\"m\",\"value\":$i,\"ts\":$((now + i)),\"labels\":{\"i\":\"$i\"}}"
		echo "{\"name\":\"m\",\"value\":$i,\"ts\":$((now + 10 + i)),\"labels\":{\"i\":\"1\"}}"
	done >card.jsonl &&
	mstore init -d c &&
	test_expect_code 1 mstore -d c --max-series 2 card.jsonl 2>err &&
	grep "^mstore: card.jsonl:5: new series over the limit of 2 (--max-series)$" err &&
	mquery -d c -o jsonl --since 1d m >out &&
	test $(grep -c "\"i\":\"1\"" out) -eq 4 &&
	test $(grep -c "\"i\":\"2\"" out) -eq 1 &&
	! grep "\"i\":\"3\"" out
'

test_expect_success 'a missing input file is reported; the others are still stored' '
	mstore init -d m &&
	test_expect_code 1 mstore -d m nosuch.jsonl in.jsonl 2>err &&
	grep "^mstore: cannot open '"'"'nosuch.jsonl'"'"': No such file or directory$" err &&
	mquery -d m -o csv --series "$ALL" >series &&
	test $(wc -l <series) -eq 3
'

test_expect_success 'a store that cannot be written is an error, not a crash' '
	mkdir ro && mstore init -d ro/s && chmod -R a-w ro &&
	if [ "$(id -u)" = 0 ]; then
		# root writes anyway: make the WAL directory a file instead
		chmod -R u+w ro && rm -rf ro/s/raw/wal && echo >ro/s/raw/wal
	fi &&
	test_expect_code 1 mstore -d ro/s in.jsonl 2>err &&
	grep "^mstore: cannot " err
'

test_expect_success 'mquery without a store says so' '
	test_expect_code 1 mquery -d nostore x 2>err &&
	grep "^mquery: no store in '"'"'nostore'"'"'" err
'

test_done
