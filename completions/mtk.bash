# bash completion for the mtk programs                      -*- shell-script -*-
# SPDX-License-Identifier: MIT
#
# One function serves every mtk binary.  Options come from the binary
# itself ("prog --list-options"), asked once per shell and cached, so
# this file never needs to change when an option is added.

_mtk_options()
{
	local cmd=$1 var
	var="_mtk_opts_${cmd//[^a-zA-Z0-9_]/_}"
	if [[ -z ${!var+set} ]]; then
		printf -v "$var" '%s' "$("$cmd" --list-options 2>/dev/null)"
	fi
	printf '%s\n' "${!var}"
}

_mtk()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -s || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
	fi

	case $cur in
	-*)
		local opts
		opts=$(_mtk_options "${COMP_WORDS[0]}")
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
		;;
	esac
	COMPREPLY=($(compgen -f -- "$cur"))
}

complete -F _mtk mgather mpush mstore mroll mquery malert mshell
