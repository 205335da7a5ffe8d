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
# "prog --list-functions", cached the same way.  A binary that lists
# --labels and --label-values= reads a store: it is asked (with the -d
# of the command line) for the label names after --label-values, for
# metric names in an expression, for label names inside its braces and
# for the values of a label after "name=" (of the metric before the
# braces, if any).

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

# _mtk_has CMD OPTION: whether CMD lists OPTION ("--labels", "--x=").
_mtk_has()
{
	[[ $'\n'$(_mtk_options "$1")$'\n' == *$'\n'"$2"$'\n'* ]]
}

# _mtk_store CMD ARG...: what CMD prints with ARG... (--labels,
# --label-values=NAME) for the store the command line names with -d,
# or the default one; one word per line.  Not cached: stores change.
_mtk_store()
{
	local cmd=$1 i w d=()
	shift
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-d | --dir)
			# "--dir=x" comes as "--dir" "=" "x".
			[[ ${COMP_WORDS[i+1]} == = ]] && ((i++))
			d=(-d "${COMP_WORDS[i+1]}")
			((i++))
			;;
		-d?*) d=(-d "${w#-d}") ;;
		esac
	done
	[[ ${d[1]-} == \~/* ]] && d[1]=$HOME/${d[1]#\~/}
	"$cmd" "${d[@]}" -o table "$@" 2>/dev/null
}

# _mtk_expr CMD: complete the PromQL expression being typed in $cur:
# inside braces a label name, or after "name=" (or !=, =~, !~) and a
# quote its values; elsewhere the name that ends the word, a metric
# name or a function.
_mtk_expr()
{
	local cmd=$1 in=${cur##*\{} item stem f n=${#COMPREPLY[@]}
	local store=0
	_mtk_has "$cmd" --labels && _mtk_has "$cmd" --label-values= && store=1
	if ((store)) && [[ $cur == *\{* && $in != *\}* ]]; then
		# Of the series of the metric before the braces, if any.
		local sel=${cur%\{*}
		sel=${sel##*[^a-zA-Z0-9_:]}
		item=${in##*,}
		item=${item#"${item%%[! ]*}"}
		if [[ $item =~ ^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)(\"?)(.*)$ ]]; then
			stem=${BASH_REMATCH[4]}
			local head=${cur%"$stem"}
			[[ -z ${BASH_REMATCH[3]} ]] && head=$head\"
			for f in $(compgen -W "$(_mtk_store "$cmd" \
			    --label-values="${BASH_REMATCH[1]}" $sel)" -- "$stem"); do
				COMPREPLY+=("$head$f\"")
			done
		else
			for f in $(compgen -W "$(_mtk_store "$cmd" --labels $sel |
			    grep -vx __name__)" -- "$item"); do
				COMPREPLY+=("${cur%"$item"}$f=")
			done
		fi
	else
		# The name being typed ends the word: "sum(ra" completes "ra".
		stem=${cur##*[^a-zA-Z0-9_:]}
		local words=
		_mtk_has "$cmd" --list-functions &&
			words=$(_mtk_cached "$cmd" --list-functions | sed 's/$/(/')
		((store)) && words+=$'\n'$(_mtk_store "$cmd" --label-values=__name__)
		for f in $(compgen -W "$words" -- "$stem"); do
			COMPREPLY+=("${cur%"$stem"}$f")
		done
	fi
	((${#COMPREPLY[@]} > n)) && compopt -o nospace 2>/dev/null
	return 0
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
	--*) _mtk_has "$cmd" "$opt=" || opt= ;;
	-?) ;;
	*) opt= ;;
	esac
	if [[ -n $opt ]]; then
		opt=${opt#-}
		opt=${opt#-}
		vals=$(_mtk_cached "$cmd" "--list-values=$opt")
		if [[ -n $vals ]]; then
			[[ $cur == *,* ]] && head=${cur%,*}, stem=${cur##*,}
			COMPREPLY=($(compgen -P "$head" -W "$vals" -- "$stem"))
		elif [[ $opt == label-values ]] && _mtk_has "$cmd" --labels; then
			COMPREPLY=($(compgen -W "$(_mtk_store "$cmd" --labels)" -- "$cur"))
		fi
		return
	fi
	# The first word: a command, when the binary has them; for one
	# that also takes an expression (mquery serve), either.
	vals=
	if ((COMP_CWORD == 1)); then
		vals=$(_mtk_cached "$cmd" --list-values=)
		if [[ -n $vals ]] && ! _mtk_has "$cmd" --list-functions; then
			COMPREPLY=($(compgen -W "$vals" -- "$cur"))
			return
		fi
	fi
	[[ -n $cur ]] && _mtk_has "$cmd" --list-functions && _mtk_expr "$cmd"
	[[ -n $vals ]] && COMPREPLY+=($(compgen -W "$vals" -- "$cur"))
	return 0
}

complete -F _mtk mgather mpush mstore mroll mquery malert mshell
