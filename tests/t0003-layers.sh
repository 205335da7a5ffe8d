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
test_done
