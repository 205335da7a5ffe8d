# fish completion for the mtk programs
# SPDX-License-Identifier: MIT
#
# Installed once per binary name; each copy completes the long options
# that binary prints with --list-options.

function __mtk_complete_options
    set -l cmd (commandline -opc)[1]
    for o in ($cmd --list-options 2>/dev/null)
        set -l name (string replace -r '^--' '' -- $o)
        if string match -q -- '*=' $name
            printf -- '--%s\n' (string replace -r '=$' '' -- $name)
        else
            printf -- '--%s\n' $name
        end
    end
end

for c in mgather mpush mstore mroll mquery malert mshell
    complete -c $c -f -n 'string match -q -- "-*" (commandline -ct)' -a '(__mtk_complete_options)'
    complete -c $c -F
end
