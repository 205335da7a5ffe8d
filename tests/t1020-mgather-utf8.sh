#!/bin/sh
test_description='mgather writes valid UTF-8 whatever the system names hold'
. "${0%/*}/tap.sh"

F=$FIXTURES/mgather
ff=$(printf '\377')
fffd=$(printf '\357\277\275')

# valid FILE: FILE is valid UTF-8.
valid() {
	iconv -f UTF-8 -t UTF-8 "$1" >/dev/null
}

test_expect_success 'a -l value that is not UTF-8: U+FFFD, and mstore takes it' '
	mgather --procfs "$F/proc" -C loadavg -l host= -l "site=a${ff}b" >out 2>err &&
	test_must_be_empty err &&
	valid out &&
	test $(grep -c -F "\"site\":\"a${fffd}b\"" out) -eq 3 &&
	mstore init -d store &&
	mstore -d store <out 2>err &&
	test_must_be_empty err
'

test_expect_success 'a mount point that is not UTF-8' '
	mkdir -p proc/1 "root/mnt${ff}x" &&
	printf "tmpfs /mnt${ff}x tmpfs rw 0 0\n" >proc/1/mounts &&
	mgather --procfs "$PWD/proc" --rootfs "$PWD/root" -C filesystem -l host= >out 2>err &&
	test_must_be_empty err &&
	valid out &&
	grep -F "\"mountpoint\":\"/mnt${fffd}x\"" out &&
	mstore -d store <out 2>err &&
	test_must_be_empty err
'

test_expect_success 'a process name that is not UTF-8' '
	mkdir -p proc/77/fd &&
	printf "77 (a${ff}\300b) S 1 77 77 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 1 4096 1 0\n" >proc/77/stat &&
	mgather --procfs "$PWD/proc" -C process -p 77 -l host= >out 2>err &&
	test_must_be_empty err &&
	valid out &&
	grep -F "\"comm\":\"a${fffd}${fffd}b\"" out &&
	mstore -d store <out 2>err &&
	test_must_be_empty err
'

# dump DIR: what a store holds of mgather's series (not mstore's own), times
# left out.
dump() {
	mquery -d "$1" -o jsonl "{__name__=~\".+\",__name__!~\"mtk_mstore_.*\"}" |
		sed "s/,\"ts\":[0-9]*//" | sort
}

test_expect_success '--store: the store holds what mstore reads of the stream' '
	mstore init -d direct && mstore init -d piped &&
	cp "$F/proc/loadavg" proc/ &&
	set -- --procfs "$PWD/proc" -C loadavg,process -p 77 -l host= \
		-l "site=a${ff}b" &&
	mgather "$@" --store direct >out 2>err &&
	test_must_be_empty out && test_must_be_empty err &&
	mgather "$@" | mstore -d piped &&
	dump direct >a && dump piped >b &&
	test_cmp b a &&
	grep -F "\"comm\":\"a${fffd}${fffd}b\"" a &&
	grep -F "\"site\":\"a${fffd}b\"" a
'

test_expect_success 'a -l value too long once written is refused' '
	v=$(awk "BEGIN { while (n++ < 1366) printf \"\\377\" }") &&
	test_expect_code 2 mgather -C loadavg -n 1 -l "v=$v" >out 2>err &&
	grep "value is longer than 4096 bytes" err
'

test_done
