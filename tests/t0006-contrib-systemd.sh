#!/bin/sh
test_description='the systemd units of contrib/ run as written'
. "${0%/*}/tap.sh"

U=$SRC_DIR/contrib/systemd

# cmd UNIT: its ExecStart, run from the build and on the store "st".
cmd() {
	sed -n "s/^ExecStart=//p" "$U/$1" |
		sed "s|^/usr/local/bin/||; s|/var/lib/mtk/store|st|"
}

test_expect_success 'each unit names one command and man pages that exist' '
	for f in "$U"/*.service; do
		test $(sed -n "/^ExecStart=/p" "$f" | wc -l) = 1 || return 1
	done &&
	for m in $(sed -n "s/^Documentation=//p" "$U"/* | tr " " "\n" | sort -u); do
		p=${m#man:} && s=${p##*(} && s=${s%)} && p=${p%(*} &&
		test -f "$SRC_DIR/man/man$s/$p.$s" || { echo "no $m" >&2; return 1; }
	done &&
	grep -q "^Unit=\|^OnCalendar=" "$U/mroll.timer"
'

test_expect_success 'mgather.service: this machine'"'"'s metrics into the store' '
	cmd mgather.service >run &&
	grep -q "^mgather -i 15s --store st\$" run &&
	mstore init -d st &&
	sed "s/-i 15s/-i 1s -n 2/" run >run2 &&
	sh run2 >out 2>err &&
	test_must_be_empty out &&
	mquery -d st -o csv "count_over_time(node_load1[1m])" >n &&
	grep ",2\$" n
'

test_expect_success 'mroll.service: rolls that store up beside a writer' '
	cmd mroll.service >run &&
	grep -q "^mroll -d st\$" run &&
	{ mgather -i 1s -n 3 --store st & } &&
	sh run >out 2>err &&
	test_must_be_empty err &&
	wait
'

test_done
