#!/bin/sh
test_description='every fuzz corpus replays cleanly through its target (tests/fuzz/)'
. "${0%/*}/tap.sh"

# The targets built with the ordinary compiler and tests/fuzz/replay.c
# (make tools): no clang needed.  Under SAN=1 they run with ASan and UBSan.
FUZZ_DIR=$SRC_DIR/tests/fuzz

# No input may make a target allocate absurdly (a block of 1 KiB that
# asks for gigabytes): cap what one replay may take.
case $MTK_BUILD in
*/san)	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}max_allocation_size_mb=512
	export ASAN_OPTIONS ;;
*)	ulimit -v 1048576 ;;
esac

for src in "$FUZZ_DIR"/fuzz_*.c; do
	t=${src##*/fuzz_}
	t=${t%.c}
	test_expect_success "$t: every file of corpus/$t/ replays" "
		ls '$FUZZ_DIR/corpus/$t' >files &&
		test -s files &&
		'$MTK_BUILD/fuzz/$t' '$FUZZ_DIR/corpus/$t' >out &&
		echo \"\$(wc -l <files) inputs replayed\" >expect &&
		test_cmp expect out
	"
done

test_expect_success 'blocks, WALs and CSV the writers of today write replay too' '
	"$MTK_BUILD/fuzz/seeds" seeds &&
	"$MTK_BUILD/fuzz/block" seeds/block >out &&
	"$MTK_BUILD/fuzz/block_sum" seeds/block >>out &&
	"$MTK_BUILD/fuzz/wal" seeds/wal >>out &&
	"$MTK_BUILD/fuzz/wal_sum" seeds/wal >>out &&
	"$MTK_BUILD/fuzz/csv" seeds/csv >>out &&
	printf "2 inputs replayed\n2 inputs replayed\n1 inputs replayed\n1 inputs replayed\n1 inputs replayed\n" >expect &&
	test_cmp expect out
'

test_done
