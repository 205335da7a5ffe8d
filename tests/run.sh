#!/bin/sh
# run.sh - prove's --exec: one test, under a time limit
# SPDX-License-Identifier: MIT
#
# A test that hangs is killed, with every process it started (timeout(1)
# signals its process group), and fails under its own name instead of
# holding the whole suite until CI gives up on it.  MTK_TEST_TIMEOUT sets
# the limit in seconds; valgrind runs get four times as long.

limit=${MTK_TEST_TIMEOUT:-900}
[ "${VALGRIND:-}" = 1 ] && limit=$((limit * 4))
case $1 in
*.sh)	timeout -k 10 "$limit" sh "$@" ;;
*)	timeout -k 10 "$limit" "$@" ;;
esac
rc=$?
[ $rc -eq 124 ] && echo "run.sh: $1: killed after ${limit}s" >&2
exit $rc
