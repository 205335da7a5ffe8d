# fish completion for the mtk programs
# SPDX-License-Identifier: MIT
#
# Installed once per binary name; each copy completes the long options
# that binary prints with --list-options, their values from
# --list-values=NAME, and, for a binary that lists --list-functions, the
# PromQL function names it prints with that.

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

# The values of the option being given, "--opt=..." in the token or
# "--opt" before it: what "prog --list-values=NAME" prints.  Succeeds
# (prints) only when there are some.
function __mtk_complete_values
    set -l cmd (commandline -opc)[1]
    set -l tok (commandline -ct)
    set -l opt
    set -l pre
    if string match -qr -- '^--[^=]+=' $tok
        set opt (string replace -r '=.*' '' -- $tok)
        set pre $opt=
    else
        set opt (commandline -opc)[-1]
        if string match -q -- '--*' $opt
            contains -- $opt= ($cmd --list-options 2>/dev/null); or return 1
        else
            string match -qr -- '^-.$' $opt; or return 1
        end
    end
    # A list: complete the word after the last comma.
    string match -qr -- ',' $tok; and set pre (string replace -r '[^,]*$' '' -- $tok)
    set -l vals ($cmd --list-values=(string replace -r '^--?' '' -- $opt) 2>/dev/null)
    test (count $vals) -gt 0; or return 1
    for v in $vals
        printf '%s%s\n' $pre $v
    end
end

# The first word of a binary with commands: what "prog --list-values="
# prints.
function __mtk_complete_commands
    set -l words (commandline -opc)
    test (count $words) -eq 1; or return 1
    set -l cmds ($words[1] --list-values= 2>/dev/null)
    test (count $cmds) -gt 0; or return 1
    printf '%s\n' $cmds
end

# Only a command first: a binary with commands and no expression.
function __mtk_commands_only
    __mtk_complete_commands >/dev/null; or return 1
    set -l words (commandline -opc)
    not contains -- --list-functions ($words[1] --list-options 2>/dev/null)
end

for c in mgather mpush mstore mroll mquery malert mshell
    complete -c $c -f -n '__mtk_complete_commands >/dev/null' -a '(__mtk_complete_commands)'
    complete -c $c -f -n '__mtk_complete_values >/dev/null' -a '(__mtk_complete_values)'
    complete -c $c -f -n 'not __mtk_complete_values >/dev/null; and string match -q -- "-*" (commandline -ct)' -a '(__mtk_complete_options)'
    complete -c $c -f -n 'not __mtk_complete_values >/dev/null; and not string match -q -- "-*" (commandline -ct)' -a '(__mtk_complete_functions)'
    complete -c $c -F -n 'not __mtk_complete_values >/dev/null; and not __mtk_commands_only'
end
