#!/bin/sh
test_description='lib/ layers include only downwards (lib/*/README.md)'
. "${0%/*}/tap.sh"

# Each layer's README names the layers it may use.
for readme in "$SRC_DIR"/lib/*/README.md; do
	layer=${readme%/README.md}
	layer=${layer##*/}
	test_expect_success "lib/$layer: includes only its own and allowed layers" "
		allowed=\$(sed -n 's/^may use: *//p' '$readme' | tr -d ',') &&
		test -n \"\$(sed -n '/^may use:/p' '$readme')\" &&
		: >bad &&
		for f in '$SRC_DIR'/lib/$layer/*.[ch]; do
			grep -o '^#include \"[a-z_]*/' \"\$f\" | sed 's/.*\"//; s|/||' |
			while read -r used; do
				ok=0
				for a in $layer \$allowed; do
					[ \"\$a\" = \"\$used\" ] && ok=1
				done
				[ \$ok = 1 ] || echo \"\${f#$SRC_DIR/}: includes \$used/\" >>bad
			done
		done &&
		test_must_be_empty bad
	"
done

test_expect_success 'every lib/ source is in a layer folder' '
	ls "$SRC_DIR"/lib/*.[ch] >flat 2>/dev/null;
	test_must_be_empty flat
'

test_expect_success 'includes name their layer: "layer/file.h"' '
	grep -n "^#include \"[a-z_]*\.h\"" "$SRC_DIR"/lib/*/*.[ch] "$SRC_DIR"/cmd/*.c >flat;
	test_must_be_empty flat
'

# A module is a .c and its .h (with its internal x_int.h): one that
# includes another's header uses it.  No module may use itself through
# others: tsort(1) finds such a loop.
test_expect_success 'no include closes a circle between modules' '
	for f in "$SRC_DIR"/lib/*/*.[ch]; do
		from=$(printf "%s" "${f#$SRC_DIR/lib/}" | sed "s/\.[ch]\$//; s/_int\$//")
		grep -o "^#include \"[a-z_]*/[a-z_0-9]*\.h\"" "$f" |
			sed "s/^#include \"//; s/\.h\"\$//; s/_int\$//" |
			while read -r to; do
				[ "$to" = "$from" ] || echo "$from $to"
			done
	done | sort -u >edges &&
	test -s edges &&
	tsort edges >/dev/null 2>loops;
	test_must_be_empty loops
'

test_expect_success 'every header compiles on its own' '
	: >bad &&
	for h in "$SRC_DIR"/lib/*/*.h; do
		printf "#include \"%s\"\n" "${h#$SRC_DIR/lib/}" >one.c &&
		${CC:-cc} -std=c11 -D_GNU_SOURCE -fsyntax-only -Wall -Werror \
			-I"$SRC_DIR/lib" one.c 2>>bad || echo "$h" >>bad
	done &&
	test_must_be_empty bad
'
test_done
