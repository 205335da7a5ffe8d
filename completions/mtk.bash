# bash completion for the mtk programs                      -*- shell-script -*-
# SPDX-License-Identifier: MIT
#
# One function serves every mtk binary.  Options come from the binary
# itself ("prog --list-options"), asked once per shell and cached, so
# this file never needs to change when an option is added.  The value
# of an option completes from "prog --list-values=NAME" when that prints
# words (the word after the last comma, for lists), else to a file; the
# first word from "prog --list-values=" when that prints commands.  A
# binary that lists --list-functions takes a PromQL expression: the word
# under the cursor then completes to a function name too, from
# "prog --list-functions", cached the same way.

_mtk_cached()
{
	local cmd=$1 flag=$2 var
	var="_mtk${flag//[^a-zA-Z0-9_]/_}_${cmd//[^a-zA-Z0-9_]/_}"
	if [[ -z ${!var+set} ]]; then
		printf -v "$var" '%s' "$("$cmd" "$flag" 2>/dev/null)"
	fi
	printf '%s\n' "${!var}"
}

_mtk_options()
{
	_mtk_cached "$1" --list-options
}

_mtk()
{
	local cur prev words cword cmd=${COMP_WORDS[0]}
	if declare -F _init_completion >/dev/null; then
		_init_completion -s || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
	fi

	case $cur in
	-*)
		local opts
		opts=$(_mtk_options "$cmd")
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
		;;
	esac
	COMPREPLY=($(compgen -f -- "$cur"))
	# After a long option that takes a value, its values or a file;
	# after a short one, a file; elsewhere function names as well, when
	# the binary has them.  Without bash-completion, "--opt=" leaves
	# "=" as the previous word.
	local opt=$prev
	[[ $prev == = && $COMP_CWORD -ge 2 ]] && opt=${COMP_WORDS[COMP_CWORD-2]}
	local vals head= stem=$cur
	case $opt in
	--*)
		[[ $'\n'$(_mtk_options "$cmd")$'\n' == *$'\n'"$opt="$'\n'* ]] ||
			opt=
		;;
	-?) ;;
	*) opt= ;;
	esac
	if [[ -n $opt ]]; then
		opt=${opt#-}
		vals=$(_mtk_cached "$cmd" "--list-values=${opt#-}")
		if [[ -n $vals ]]; then
			[[ $cur == *,* ]] && head=${cur%,*}, stem=${cur##*,}
			COMPREPLY=($(compgen -P "$head" -W "$vals" -- "$stem"))
		fi
		return
	fi
	# The first word: a command, when the binary has them.
	if ((COMP_CWORD == 1)); then
		vals=$(_mtk_cached "$cmd" --list-values=)
		if [[ -n $vals ]]; then
			COMPREPLY=($(compgen -W "$vals" -- "$cur"))
			return
		fi
	fi
	[[ -n $cur && $'\n'$(_mtk_options "$cmd")$'\n' == *$'\n'--list-functions$'\n'* ]] ||
		return
	# The function name being typed ends the word: "sum(ra" completes "ra".
	local stem=${cur##*[^a-zA-Z0-9_:]} f n=${#COMPREPLY[@]}
	for f in $(compgen -W "$(_mtk_cached "$cmd" --list-functions)" -- "$stem"); do
		COMPREPLY+=("${cur%"$stem"}$f(")
	done
	((${#COMPREPLY[@]} > n)) && compopt -o nospace 2>/dev/null
	return 0
}

complete -F _mtk mgather mpush mstore mroll mquery malert mshell
