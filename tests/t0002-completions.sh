#!/bin/sh
test_description='shell completion offers the options each binary lists'
. "${0%/*}/tap.sh"

test_have_prog bash || test_skip_all 'bash not installed'
bins=$(cd "$BIN_DIR" && echo *)

for b in $bins; do
	test_expect_success "bash completes $b --<TAB> from --list-options" "
		$b --list-options | sort >expect &&
		bash -c '
			. \"\$SRC_DIR/completions/mtk.bash\"
			COMP_WORDS=($b --) COMP_CWORD=1 COMP_LINE=\"$b --\" COMP_POINT=\${#COMP_LINE}
			_mtk
			printf \"%s\n\" \"\${COMPREPLY[@]}\"
		' | sort >actual &&
		test_cmp expect actual
	"
done

test_expect_success 'the bash file registers every binary' "
	for b in $bins; do
		grep \"^complete -F _mtk \" '$SRC_DIR/completions/mtk.bash' |
			grep -w \"\$b\" || exit 1
	done
"

if test_have_prog zsh; then
	test_expect_success 'zsh completion file parses' '
		zsh -n "$SRC_DIR/completions/_mtk"
	'
fi
if test_have_prog fish; then
	test_expect_success 'fish completion file parses' '
		fish -n "$SRC_DIR/completions/mtk.fish"
	'
fi

test_done
