#!/bin/sh
test_description='mquery --strict stops at a bad record; --local shows tables in TZ'
. "${0%/*}/tap.sh"

T=1795341600	# 2026-11-22T10:00:00Z
ALL='{__name__=~".+"}'

test_expect_success 'a stream with two bad records' '
	printf "{\"name\":\"a\",\"value\":1,\"ts\":${T}000}\n" >in.jsonl &&
	echo "not json" >>in.jsonl &&
	printf "{\"name\":\"b\",\"value\":2,\"ts\":${T}000}\n" >>in.jsonl &&
	printf "{\"name\":\"c\"}\n" >>in.jsonl
'

test_expect_success 'without --strict: each bad record reported, the rest answered' '
	test_expect_code 1 mquery -f in.jsonl -o csv --time $T "$ALL" >out 2>err &&
	test $(grep -c "^mquery: in.jsonl:[24]: " err) -eq 2 &&
	printf "series,timestamp,value\na,${T}000,1\nb,${T}000,2\n" >expect &&
	test_cmp expect out
'

test_expect_success '--strict: the first bad record ends it, exit 1, no result' '
	test_expect_code 1 mquery --strict -f in.jsonl -o csv --time $T "$ALL" >out 2>err &&
	test_must_be_empty out &&
	grep -x "mquery: in.jsonl:2: .*" err &&
	test $(wc -l <err) -eq 1
'

test_expect_success '--strict over a good stream changes nothing' '
	head -n 1 in.jsonl >good.jsonl &&
	mquery --strict -f good.jsonl -o csv --time $T a >out &&
	mquery -f good.jsonl -o csv --time $T a >expect &&
	test_cmp expect out
'

test_expect_success '--strict reads a stream only: a usage error without -f' '
	test_expect_code 2 mquery --strict a 2>err &&
	grep "^mquery: --strict goes with -f$" err
'

test_expect_success 'tables are in UTC whatever TZ says' '
	printf "{\"name\":\"a\",\"value\":1,\"ts\":${T}500}\n" >ms.jsonl &&
	TZ=XXX-1:30 mquery -f ms.jsonl -o table --end $((T + 1)) a >utc &&
	grep "^a  *2026-11-22T10:00:00.500Z  *1$" utc &&
	mquery -f ms.jsonl -o table --end $((T + 1)) a >plain &&
	test_cmp plain utc
'

test_expect_success '--local: tables in TZ, with the offset' '
	TZ=XXX-1:30 mquery --local -f ms.jsonl -o table --end $((T + 1)) a >raw &&
	grep "^a  *2026-11-22T11:30:00.500+01:30  *1$" raw &&
	TZ=XXX5 mquery --local -f ms.jsonl -o table --time $((T + 1)) "a * 2" >expr &&
	grep "^{}  *2026-11-22T05:00:01-05:00  *2$" expr &&
	TZ=UTC0 mquery --local -f ms.jsonl -o table --end $((T + 1)) a >zero &&
	test_cmp utc zero
'

test_expect_success '--local changes tables only: CSV and times given stay UTC' '
	TZ=XXX-1:30 mquery --local -f ms.jsonl -o csv --end 2026-11-22T10:00:01Z a >csv &&
	mquery -f ms.jsonl -o csv --end 2026-11-22T10:00:01Z a >expect &&
	test_cmp expect csv &&
	TZ=XXX-1:30 mquery --local -f ms.jsonl -o csv --time $T "hour()" >hour &&
	grep ",10$" hour
'

test_done
