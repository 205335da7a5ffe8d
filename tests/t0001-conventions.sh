#!/bin/sh
test_description='every binary follows the common conventions'
. "${0%/*}/tap.sh"

bins=$(cd "$BIN_DIR" && ls)

# check_options BIN: each long option BIN lists is in its -h text and in
# its man page as "Fl \-name".
check_options() {
	page=$SRC_DIR/man/man1/$1.1
	"$1" --list-options >opts && test -s opts && "$1" -h >help &&
	test -f "$page" || return 1
	while read -r o; do
		name=${o%=}
		grep -F -e "$name" help >/dev/null ||
			{ echo "$o missing from $1 -h"; return 1; }
		grep -F -e "Fl \\${name#-}" "$page" >/dev/null ||
			{ echo "$o missing from $page"; return 1; }
	done <opts
}
[ -n "$bins" ] || test_skip_all "no binaries in $BIN_DIR"

for b in $bins; do
	test_expect_success "$b -h: usage and options on stdout, exit 0" "
		$b -h >out 2>err &&
		test_must_be_empty err &&
		head -n 1 out | grep '^usage: $b ' &&
		test \$(wc -l <out) -gt 2
	"
	test_expect_success "$b -V prints the version" "
		$b -V >out &&
		grep -x '$b [0-9][0-9.]*' out
	"
	# malert's checks say UNKNOWN (3) to a monitoring system, not 2.
	usage=2
	[ "$b" = malert ] && usage=3
	test_expect_success "$b: a bad option is a usage error (exit $usage)" "
		test_expect_code $usage $b --no-such-option >out 2>err &&
		test_must_be_empty out &&
		grep 'usage: $b' err
	"
	test_expect_success "$b -h >/dev/full fails (exit 1)" "
		test_expect_code 1 $b -h >/dev/full 2>err &&
		grep 'write error' err
	"
	test_expect_success "$b: every --list-options name is in -h and the man page" "
		check_options $b
	"
done

# usage_words BIN: the usage lines of BIN -h; synopsis_words BIN: the
# SYNOPSIS of its man page; each as words on one line.
words() {
	tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
}
usage_words() {
	"$1" -h | sed '/^  -/,$d; s/^usage://' | words
}
synopsis_words() {
	mandoc -Tascii -O width=1000 "$SRC_DIR/man/man1/$1.1" |
		sed 's/.\x08//g' | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' |
		sed '1d;$d' | words
}

if test_have_prog mandoc; then
	# The usage -h prints is the man page's SYNOPSIS, word for word:
	# both follow the option table, in style(9)'s order.
	for b in $bins; do
		test_expect_success "$b: the usage is the SYNOPSIS of $b(1)" "
			usage_words $b >expect && test -s expect &&
			synopsis_words $b >actual && test_cmp expect actual
		"
	done
	# An example wider than a terminal wraps in the middle of a command:
	# long ones break with '\' (or after '|' or '&&').
	test_expect_success 'no line of a program page is wider than 78 columns' '
		for p in "$SRC_DIR"/man/man1/*.1 "$SRC_DIR"/man/man7/*.7; do
			mandoc -Tascii "$p" | sed "s/.\x08//g" |
				awk -v p="${p##*/}" "length > 78 { print p \": \" \$0; bad = 1 }
				    END { exit bad }" || exit 1
		done
	'
	test_expect_success 'mandoc -Tlint finds nothing in the man pages' '
		mandoc -Tlint -W warning "$SRC_DIR"/man/man*/*.[1-9] >lint 2>&1;
		test_must_be_empty lint
	'
else
	test_skip 'mandoc -Tlint' 'mandoc not installed'
fi

# mdoc(7): "Make sure that examples work properly!"  Every ".Dl $ cmd"
# line of every page runs, in a scratch directory, and must succeed.
sed -n 's/^\.Dl \$ //p' "$SRC_DIR"/man/man*/*.[1-9] >examples
while IFS= read -r ex; do
	test_expect_success "man page example runs: $ex" "
		mkdir -p ex && cd ex &&
		timeout 60 sh -c '$ex' >out 2>err &&
		test -s out
	"
done <examples

test_done
