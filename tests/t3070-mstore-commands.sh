#!/bin/sh
test_description='mstore commands: after options, near misses, files of the same name'
. "${0%/*}/tap.sh"

now=$(date +%s)000
sample() {
	printf '{"name":"%s","value":1,"ts":%s}\n' "$1" "$now"
}

test_expect_success 'a command after the options is the command' '
	mstore init -d s &&
	sample a | mstore -d s &&
	mstore -d s stats >stats &&
	grep "^raw " stats &&
	mstore -d s check >check &&
	grep "^1 block, 1 sample: ok$" check &&
	mstore -d s -- stats >stats2 &&
	test_cmp stats stats2
'

test_expect_success 'a command after options does not create a store' '
	test_expect_code 1 mstore -d nostore stats >out 2>err &&
	grep "no store in .nostore." err &&
	test_must_be_empty out &&
	! test -e nostore
'

test_expect_success 'a word close to a command: a hint, exit 2, no store' '
	test_expect_code 2 mstore -d s2 stat 2>err &&
	grep "^mstore: .stat. is not a command or a file: did you mean .stats.?$" err &&
	grep "^usage: mstore" err &&
	! test -e s2 &&
	test_expect_code 2 mstore exprot -d s2 2>err &&
	grep "did you mean .export.?$" err &&
	test_expect_code 2 mstore -d s2 chek 2>err &&
	grep "did you mean .check.?$" err &&
	! test -e s2
'

test_expect_success 'an existing file of such a name is read as a file' '
	sample from_stat >stat &&
	mstore -d s stat &&
	mquery -d s -o csv --series from_stat >series &&
	echo from_stat >expect && test_cmp expect series
'

test_expect_success 'a file named as a command is read as ./name' '
	sample from_stats >stats &&
	mstore -d s ./stats &&
	mquery -d s -o csv --series from_stats >series &&
	echo from_stats >expect && test_cmp expect series &&
	mstore -d s stats >out &&
	grep "^tier " out
'

test_expect_success 'a word far from every command is a file that is not there' '
	test_expect_code 1 mstore -d s nosuchfile 2>err &&
	grep "nosuchfile" err &&
	! grep "did you mean" err
'

test_expect_success 'an option of another form is a usage error' '
	test_expect_code 2 mstore -d s stats --strict 2>err &&
	grep "^mstore: .mstore stats. takes no --strict$" err &&
	test_expect_code 2 mstore init -d s --until now 2>err &&
	grep "^mstore: --since and --until go with .mstore export.$" err &&
	test_expect_code 2 mstore -d s --retention raw=1d </dev/null 2>err &&
	grep "^mstore: --retention goes with .mstore init.$" err &&
	test_expect_code 2 mstore -d s stats extra 2>err &&
	grep "^mstore: .mstore stats. takes no argument: .extra.$" err
'

test_expect_success 'options before and after the command of import' '
	mstore export -d s >all.tar.zst &&
	mstore -q import -d copy <all.tar.zst 2>err &&
	test_must_be_empty err &&
	mquery -d copy -o csv --series from_stats >series &&
	echo from_stats >expect && test_cmp expect series
'

test_done
