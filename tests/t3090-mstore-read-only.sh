#!/bin/sh
test_description='a user who may only read a store can read it: stats, export, queries'
. "${0%/*}/tap.sh"

# as_nobody CMD...: run CMD as the unprivileged user 'nobody', with a
# TMPDIR it may write, relative: the trash's parents may be root's alone.
if [ "$(id -u)" != 0 ] || ! test_have_prog setpriv; then
	test_skip_all 'needs root and setpriv to run as another user'
fi
mkdir -m 1777 tmp || exit 1
as_nobody() {
	TMPDIR=tmp setpriv --reuid=65534 --regid=65534 \
		--clear-groups -- "$@"
}

test_expect_success 'setup: a store made by another user, readable, lock files gone' '
	mkdir -m 755 pub && mstore init -d pub/s &&
	gen -H 1 -n 100 -t $(( ($(date +%s) - 3600) * 1000 )) | mstore -d pub/s &&
	rm -f pub/s/*/.lock &&
	chmod -R a+rX pub && chmod -R go-w pub &&
	as_nobody test ! -w pub/s/raw
'

test_expect_success 'mstore stats' '
	as_nobody mstore stats -d pub/s >out 2>err &&
	test_must_be_empty err &&
	grep "^raw  *1 *79 *100 " out
'

test_expect_success 'mstore export: a whole archive' '
	as_nobody mstore export -d pub/s >week.tar.zst 2>err &&
	test_must_be_empty err &&
	mstore import -q -d copy <week.tar.zst &&
	mquery -d copy -o csv --since 2h node_load1 >a &&
	mquery -d pub/s -o csv --since 2h node_load1 >b &&
	test_cmp a b
'

test_expect_success 'mquery' '
	as_nobody mquery -d pub/s -o csv --since 2h "count(node_load1)" >out 2>err &&
	test_must_be_empty err &&
	grep ",1$" out
'
test_done
