# fish completion for the mtk programs
# SPDX-License-Identifier: MIT
#
# Installed once per binary name; each copy completes the long options
# that binary prints with --list-options, and, for a binary that lists
# --list-functions, the PromQL function names it prints with that.

function __mtk_complete_options
    set -l cmd (commandline -opc)[1]
    # fish's printf takes no "--": the format comes first.
    for o in ($cmd --list-options 2>/dev/null)
        printf '%s\n' (string replace -r '=$' '' -- $o)
    end
end

function __mtk_complete_functions
    set -l cmd (commandline -opc)[1]
    contains -- --list-functions ($cmd --list-options 2>/dev/null); or return
    # The name being typed ends the token: "sum(ra" completes "ra".
    set -l tok (commandline -ct)
    set -l pre (string replace -r '[a-zA-Z0-9_:]*$' '' -- $tok)
    for f in ($cmd --list-functions 2>/dev/null)
        printf '%s%s(\n' $pre $f
    end
end

for c in mgather mpush mstore mroll mquery malert mshell
    complete -c $c -f -n 'string match -q -- "-*" (commandline -ct)' -a '(__mtk_complete_options)'
    complete -c $c -f -n 'not string match -q -- "-*" (commandline -ct)' -a '(__mtk_complete_functions)'
    complete -c $c -F
end
