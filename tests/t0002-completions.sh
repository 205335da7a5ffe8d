#!/bin/sh
test_description='shell completion offers the options each binary lists'
. "${0%/*}/tap.sh"

test_have_prog bash || test_skip_all 'bash not installed'
bins=$(cd "$BIN_DIR" && echo *)
# No store of the user's: names from it would join what is completed.
MTK_STORE=$TRASH/no-store
export MTK_STORE

# bash_complete WORD...: what the bash completion offers for the last
# WORD of the command line WORD..., one per line, sorted.
bash_complete() {
	bash -c '
		. "$SRC_DIR/completions/mtk.bash"
		COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
		COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
		_mtk 2>/dev/null
		printf "%s\n" "${COMPREPLY[@]}"
	' bash "$@" | sort
}

for b in $bins; do
	test_expect_success "bash completes $b --<TAB> from --list-options" "
		$b --list-options | sort >expect &&
		bash_complete $b -- >actual &&
		test_cmp expect actual
	"
done

test_expect_success 'bash completes option values from --list-values' '
	mquery --list-values=tier >tiers &&
	printf "1h\n1m\n5m\nauto\nexact\nraw\n" >expect && sort tiers | test_cmp expect - &&
	bash_complete mquery --tier "" >actual && test_cmp expect actual &&
	printf "1h\n1m\n" >expect &&
	bash_complete mquery --tier = 1 >actual && test_cmp expect actual &&
	printf "p50\np95\np99\n" >expect &&
	bash_complete mquery --agg p >actual && test_cmp expect actual &&
	printf "prom-json\n" >expect &&
	bash_complete mquery -o pr >actual && test_cmp expect actual &&
	bash_complete mquery --output pr >actual && test_cmp expect actual &&
	mquery --list-values=label-values >none && test_must_be_empty none &&
	printf "cpu,meminfo\n" >expect &&
	bash_complete mgather --collectors cpu,me >actual && test_cmp expect actual
'

test_expect_success 'bash completes the commands of mstore first' '
	printf "check\ncompact\n" >expect &&
	bash_complete mstore c >actual && test_cmp expect actual &&
	printf "always\n" >expect &&
	bash_complete mstore --fsync al >actual && test_cmp expect actual &&
	bash_complete mstore init c >actual && ! grep -q compact actual
'

for b in $bins; do
	test_expect_success "$b answers --list-values" "
		$b --list-values=dir >out && test_must_be_empty out
	"
done

test_expect_success 'an option without listed values completes to files' '
	: >somefile &&
	mquery --list-values=start >none && test_must_be_empty none &&
	bash_complete mquery --start som >actual &&
	echo somefile >expect && test_cmp expect actual
'

test_expect_success 'the bash file registers every binary' "
	for b in $bins; do
		grep \"^complete -F _mtk \" '$SRC_DIR/completions/mtk.bash' |
			grep -w \"\$b\" || exit 1
	done
"

test_expect_success 'mquery --list-functions: in order, each once' '
	mquery --list-functions >actual &&
	test $(wc -l <actual) -gt 60 &&
	LC_ALL=C sort -u actual >sorted &&
	test_cmp actual sorted
'

test_expect_success 'mquery(1) documents every function listed, and no other' '
	sed -n "/^\.Ss Functions/,/^\.Sh/s/^\.Fn \([a-z_0-9]*\).*/\1/p" \
		"$SRC_DIR/man/man1/mquery.1" | LC_ALL=C sort -u >documented &&
	mquery --list-functions >listed &&
	test_cmp documented listed
'

test_expect_success 'bash completes a function name, or a file' '
	>rafile &&
	mquery --list-functions | sed -n "s/^ra.*/&(/p" >funcs &&
	test $(wc -l <funcs) -ge 2 &&
	{ cat funcs && echo rafile; } | sort >expect &&
	bash_complete mquery ra >actual &&
	test_cmp expect actual
'

test_expect_success 'bash completes the name at the end of an expression' '
	mquery --list-functions | sed -n "s/^ra.*/sum(&(/p" | sort >expect &&
	bash_complete mquery "sum(ra" >actual &&
	test_cmp expect actual
'

test_expect_success 'bash completes only files after an option that takes one' '
	>rafile &&
	echo rafile >expect &&
	bash_complete mquery -f ra >actual &&
	test_cmp expect actual &&
	bash_complete mquery --since ra >actual &&
	test_cmp expect actual
'

test_expect_success 'bash offers no function names to a binary without them' '
	>rafile &&
	echo rafile >expect &&
	bash_complete mgather read ra >actual &&
	test_cmp expect actual
'

test_expect_success 'a store to complete names from' '
	now=$(date +%s)000 &&
	for l in "req_total code=200 job=api" "req_total code=500 job=api" \
	    "rss_bytes job=db"; do
		set -- $l &&
		printf "{\"name\":\"%s\",\"value\":1,\"ts\":%s,\"labels\":{\"%s\":\"%s\",\"%s\":\"%s\"}}\n" \
		    $1 $now ${2%%=*} ${2#*=} ${3%%=*} ${3#*=} || exit 1
	done | sed "s/,\"\":\"\"//" | mstore -d "$TRASH/store"
'

test_expect_success 'bash completes --label-values with the label names of the store' '
	printf "__name__\ncode\njob\n" >expect &&
	bash_complete mquery -d "$TRASH/store" --label-values "" >actual &&
	test_cmp expect actual &&
	echo job >expect &&
	bash_complete mquery --dir = "$TRASH/store" --label-values = j >actual &&
	test_cmp expect actual &&
	MTK_STORE=$TRASH/store bash_complete mquery --label-values j >actual &&
	test_cmp expect actual
'

test_expect_success 'bash completes metric names in an expression' '
	echo req_total >expect &&
	bash_complete mquery -d "$TRASH/store" req >actual &&
	test_cmp expect actual &&
	echo "sum(rate(req_total" >expect &&
	MTK_STORE=$TRASH/store bash_complete mquery "sum(rate(req" >actual &&
	test_cmp expect actual
'

test_expect_success 'bash completes label names and values inside braces' '
	echo "req_total{code=" >expect &&
	bash_complete mquery -d "$TRASH/store" "req_total{c" >actual &&
	test_cmp expect actual &&
	echo "rss_bytes{job=" >expect &&
	bash_complete mquery -d "$TRASH/store" "rss_bytes{" >actual &&
	test_cmp expect actual &&
	printf "%s\n" "req_total{code=\"500\"" >expect &&
	bash_complete mquery -d "$TRASH/store" "req_total{code=\"5" >actual &&
	test_cmp expect actual &&
	printf "%s\n" "{job=~\"api\"" "{job=~\"db\"" >expect &&
	bash_complete mquery -d "$TRASH/store" "{job=~" >actual &&
	test_cmp expect actual &&
	printf "%s\n" "req_total{job=\"api\",code!=\"200\"" >expect &&
	bash_complete mquery -d "$TRASH/store" "req_total{job=\"api\",code!=\"2" >actual &&
	test_cmp expect actual
'

if test_have_prog zsh; then
	test_expect_success 'zsh completion file parses' '
		zsh -n "$SRC_DIR/completions/_mtk"
	'
fi
if test_have_prog fish; then
	# fish keeps history and settings under $HOME: the scratch directory.
	HOME=$TRASH XDG_CONFIG_HOME=$TRASH/.config XDG_DATA_HOME=$TRASH/.local/share
	export HOME XDG_CONFIG_HOME XDG_DATA_HOME
	test_expect_success 'fish completion file parses' '
		fish -n "$SRC_DIR/completions/mtk.fish"
	'
	for b in $bins; do
		test_expect_success "fish completes $b --<TAB> from --list-options" "
			$b --list-options | sed 's/=\$//' | sort >expect &&
			fish -c 'source \$SRC_DIR/completions/mtk.fish; complete -C \"$b --\"' |
				sort >actual &&
			test_cmp expect actual
		"
	done
	test_expect_success 'fish completes option values and mstore'"'"'s commands' '
		printf "1h\n1m\n5m\nauto\nexact\nraw\n" >expect &&
		fish -c "source \$SRC_DIR/completions/mtk.fish; complete -C \"mquery --tier \"" |
			sort >actual &&
		test_cmp expect actual &&
		printf -- "--tier=1h\n--tier=1m\n" >expect &&
		fish -c "source \$SRC_DIR/completions/mtk.fish; complete -C \"mquery --tier=1\"" |
			sort >actual &&
		test_cmp expect actual &&
		printf "compact\n" >expect &&
		fish -c "source \$SRC_DIR/completions/mtk.fish; complete -C \"mstore com\"" >actual &&
		test_cmp expect actual
	'
	test_expect_success 'fish completes a function name in an expression' '
		mquery --list-functions | sed -n "s/^ra.*/'\''sum(&(/p" | sort >expect &&
		fish -c "source \$SRC_DIR/completions/mtk.fish; complete -C \"mquery '\''sum(ra\"" |
			sort >actual &&
		test_cmp expect actual
	'
fi

test_expect_success 'bash completes mquery serve beside expressions' '
	bash_complete mquery ser >actual &&
	grep -qx serve actual
'

test_expect_success 'bash completes the options of mquery serve' '
	printf "%s\n" --auth= >expect &&
	bash_complete mquery serve --au >actual && test_cmp expect actual &&
	printf "%s\n" --threads= >expect &&
	bash_complete mquery serve --thr >actual && test_cmp expect actual
'

test_done
