#!/bin/sh
test_description='mstore export and import back a store up and restore it'
. "${0%/*}/tap.sh"

ALL='{__name__=~".+"}'
init() {
	mstore init -d "$1" --retention "${2:-raw=100000d}"
}
dump() {
	mquery -d "$1" -o jsonl --start 0 --end 4102444800 "$ALL"
}
# The lines of standard input with a "ts" in [$1, $2] (milliseconds).
in_range() {
	awk -v a="$1" -v b="$2" '{ t = $0; sub(/.*"ts":/, "", t);
		sub(/[^0-9].*/, "", t); if (t + 0 >= a && t + 0 <= b) print }'
}

now=$(date +%s)
start=$(( (now - 3 * 86400) / 7200 * 7200 ))

test_expect_success 'setup: blocks over several windows, and a live WAL' '
	init s &&
	gen -H 2 -n 20000 -i 5m -t $((start * 1000)) >blocks.jsonl &&
	mstore -d s <blocks.jsonl &&
	gen -H 1 -n 2000 -i 15s -t $(( (now - 600) * 1000 )) |
		sed "s/host-000/walhost/" >wal.jsonl &&
	mkfifo fifo &&
	{ mstore -d s <fifo & echo $! >pid; } &&
	exec 3>fifo &&
	cat wal.jsonl >&3 &&
	i=0 && while [ $i -lt 100 ]; do
		dump s >orig.jsonl &&
		test $(wc -l <orig.jsonl) -eq 22000 && break
		i=$((i + 1)) && sleep 0.1
	done &&
	test $(wc -l <orig.jsonl) -eq 22000 &&
	ls s/raw/wal/*.wal >/dev/null &&
	mstore export -d s >all.tar.zst &&
	kill -9 $(cat pid) && exec 3>&- &&
	sort blocks.jsonl wal.jsonl >want && sort orig.jsonl >got &&
	test_cmp want got
'

test_expect_success 'the archive is a tar.zst of mtk.conf and raw blocks' '
	if tar --zstd -tf all.tar.zst >list 2>/dev/null; then :
	elif test_have_prog zstd; then zstd -dc all.tar.zst | tar -tf - >list
	else echo "# no tar --zstd and no zstd: listing not checked"; exit 0
	fi &&
	test "$(sed -n 1p list)" = mtk.conf &&
	grep -v "^mtk.conf$" list >blocks &&
	! grep -v "^raw/[0-9]*-[0-9a-f]*\.blk$" blocks &&
	test $(wc -l <blocks) -ge 4
'

test_expect_success 'import into a new store: the same samples and settings' '
	mstore import -q -d new <all.tar.zst &&
	grep "^retention.raw = 100000d$" new/mtk.conf &&
	dump new >new.jsonl &&
	test_cmp orig.jsonl new.jsonl &&
	! ls new/raw/wal/*.wal 2>/dev/null &&
	! ls -a new/raw | grep "^\.tmp"
'

test_expect_success 'import into a store with other data: both, its settings kept' '
	init other raw=99999d &&
	mstore -d other <"$FIXTURES/store/mixed.jsonl" &&
	dump other >before.jsonl &&
	mstore import -d other <all.tar.zst 2>err &&
	grep "^mstore: imported [0-9]* blocks" err &&
	grep "^retention.raw = 99999d$" other/mtk.conf &&
	dump other | sort >got &&
	sort orig.jsonl before.jsonl >want &&
	test_cmp want got
'

test_expect_success 'importing twice changes nothing; imported values win' '
	mstore import -q -d other <all.tar.zst &&
	dump other | sort >got && test_cmp want got &&
	init w &&
	echo "{\"name\":\"x\",\"value\":1,\"ts\":1000000}" | mstore -d w &&
	init w2 &&
	echo "{\"name\":\"x\",\"value\":2,\"ts\":1000000}" | mstore -d w2 &&
	mstore export -d w2 >w2.tar.zst &&
	mstore import -q -d w <w2.tar.zst &&
	dump w >got &&
	echo "{\"name\":\"x\",\"type\":\"gauge\",\"value\":2,\"ts\":1000000}" >want.x &&
	test_cmp want.x got
'

test_expect_success 'a time range export holds exactly the samples in range' '
	since=$((start + 5 * 3600 + 17)) &&
	until=$((start + 14 * 3600 + 3)) &&
	mstore export -d s --since $since \
		--until "$(date -u -d @$until +%Y-%m-%dT%H:%M:%SZ)" >part.tar.zst &&
	mstore import -q -d part <part.tar.zst &&
	dump part >got &&
	in_range $((since * 1000)) $((until * 1000)) <orig.jsonl >want &&
	test -s want && test_cmp want got
'

test_expect_success 'sparse data over years: many passes, gaps skipped' '
	init sparse &&
	for t in -3600001 1000 288000005 288000007 315360000000 1795060800000; do
		echo "{\"name\":\"a\",\"value\":1.5,\"ts\":$t}" &&
		echo "{\"name\":\"b\",\"value\":$t,\"ts\":$((t + 1))}"
	done >sparse.jsonl &&
	mstore -d sparse <sparse.jsonl &&
	# The windows before 1970 count too.
	mquery -d sparse -o jsonl --start -7200 --end 4102444800 "$ALL" >want &&
	test $(wc -l <want) -eq 12 &&
	mstore export -d sparse >sparse.tar.zst &&
	mstore import -q -d sparse2 <sparse.tar.zst &&
	ls sparse2/raw/*.blk >blocks && test $(wc -l <blocks) -eq 5 &&
	mquery -d sparse2 -o jsonl --start -7200 --end 4102444800 "$ALL" >got &&
	test_cmp want got &&
	mstore export -d sparse --since 2 --until 315360000 >range.tar.zst &&
	mstore import -q -d sparse3 <range.tar.zst &&
	dump sparse3 >got &&
	in_range 2000 315360000000 <want >want.range &&
	test $(wc -l <want.range) -eq 5 && test_cmp want.range got
'

test_expect_success 'blocks of the other tiers are copied whole, by range' '
	mkdir -p t1m &&
	init t1m/s raw=100000d,1m=100000d,5m=100000d,1h=100000d &&
	mstore -d t1m/s <sparse.jsonl &&
	mroll -d t1m/s --now 2030-01-01T00:00:00Z --no-self-metrics &&
	# 1m blocks of two hours: the first holds rows from 60000 (the
	# window of 1000 and 1001), the next from 288060000.
	ls t1m/s/1m/0000000060000-*.blk t1m/s/1m/0000288060000-*.blk &&
	mstore export -d t1m/s --since 2 --until 287000 >t1m.tar.zst &&
	mstore import -q -d t1m/copy <t1m.tar.zst &&
	(cd t1m/s/1m && ls 0000000060000-*.blk) >want &&
	(cd t1m/copy/1m && ls) >got.names &&
	test $(wc -l <got.names) -eq 1 &&
	# The same bytes, but for the sequence number (bytes 9 to 16) and
	# the header checksum after the one source (bytes 65 to 72).
	tail -c +17 t1m/s/1m/$(cat want) >a.tail &&
	tail -c +17 t1m/copy/1m/$(cat got.names) >b.tail &&
	cmp -l a.tail b.tail >diffs;
	awk "\$1 < 49 || \$1 > 56 { bad = 1 } END { exit bad }" diffs &&
	head -c 8 t1m/s/1m/$(cat want) >a.head &&
	head -c 8 t1m/copy/1m/$(cat got.names) >b.head &&
	cmp a.head b.head
'

test_expect_success 'an empty store exports an archive that imports as empty' '
	init empty &&
	mstore export -d empty >empty.tar.zst &&
	mstore import -q -d empty2 <empty.tar.zst &&
	dump empty2 >got && test_must_be_empty got
'

test_expect_success 'export: usage errors, a missing store, a full disk' '
	test_expect_code 2 mstore export -d s --since yesterday >out 2>err &&
	grep "invalid time" err &&
	test_expect_code 2 mstore -d s --since 0 </dev/null 2>err &&
	grep "go with .mstore export." err &&
	test_expect_code 2 mstore export -d s --since 100 --until 50 >out 2>err &&
	test_expect_code 1 mstore export -d nosuch >out 2>err &&
	grep "no store in" err &&
	test_expect_code 1 mstore export -d s >/dev/full 2>err &&
	test -s err
'

if ! test_have_prog tar; then
	test_skip 'a corrupt member is refused' 'no tar'
	test_skip 'a member outside the store is refused' 'no tar'
	test_done
	exit
fi

test_expect_success 'a corrupt member: exit 1, named, nothing of it stored' '
	mkdir x && (cd x && zstd -dc ../all.tar.zst 2>/dev/null | tar -xf - ||
		tar --zstd -xf ../all.tar.zst) &&
	blk=$(cd x && ls raw/*.blk | head -n 1) &&
	size=$(wc -c <"x/$blk") &&
	dd if=/dev/zero of="x/$blk" bs=1 seek=$((size / 2)) count=16 \
		conv=notrunc 2>/dev/null &&
	tar -C x -cf bad.tar mtk.conf "$blk" &&
	dump other >before &&
	ls other/raw >blocks.before &&
	test_expect_code 1 mstore import -d other <bad.tar 2>err &&
	grep "archive member .$blk." err &&
	ls other/raw >blocks.after && test_cmp blocks.before blocks.after &&
	dump other >after && test_cmp before after &&
	printf "not a block" >x/raw/junk.blk &&
	tar -C x -cf junk.tar raw/junk.blk &&
	test_expect_code 1 mstore import -d other <junk.tar 2>err &&
	grep "archive member .raw/junk.blk. is not a valid block" err &&
	ls -a other/raw >all && ! grep "^\.tmp" all &&
	# A raw block filed under a rolled tier.
	blk=$(cd sparse/raw && ls 0*.blk | head -n 1) &&
	mkdir -p x/1m && cp "sparse/raw/$blk" "x/1m/$blk" &&
	tar -C x -cf wrongtier.tar "1m/$blk" &&
	test_expect_code 1 mstore import -d other <wrongtier.tar 2>err &&
	grep "a raw block, not one of tier 1m" err &&
	! ls other/1m/*.blk 2>/dev/null &&
	test_expect_code 1 mstore import -d other </dev/null 2>err &&
	grep "cannot read archive: empty input" err &&
	echo garbage >garbage &&
	test_expect_code 1 mstore import -d nostore <garbage 2>err &&
	grep "cannot read archive" err && ! test -e nostore
'

test_expect_success 'a member outside the store is refused' '
	blk=$(cd x && ls raw/*.blk | tail -n 1) &&
	mkdir -p y/z && cp "x/$blk" y/x.blk &&
	(cd y/z && tar -P -cf ../../evil.tar ../x.blk) &&
	tar -tf evil.tar >list && test "$(cat list)" = ../x.blk &&
	rm y/x.blk &&
	test_expect_code 1 mstore import -d y/z/st <evil.tar 2>err &&
	grep "archive member .\.\./x\.blk.: refused" err &&
	! test -e y/x.blk &&
	mkdir -p x/notes && echo hi >x/notes/a.txt &&
	tar -C x -cf notes.tar notes/a.txt &&
	test_expect_code 1 mstore import -d y/z/st <notes.tar 2>err &&
	grep "archive member .notes/a.txt.: refused" err
'

test_done
