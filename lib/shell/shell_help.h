/* shell_help.h - mshell's \help: its commands, PromQL's functions and operators */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_SHELL_HELP_H
#define MTK_SHELL_HELP_H

#include "shell/shell.h"

/*
 * \help: with no topic, the settings and the commands; with one, the
 * command (with or without its backslash), function, aggregation,
 * operator or keyword of that name: its synopsis, what it does and an
 * example; "functions" lists every function with its synopsis.  An
 * unknown topic is an error that names the closest known ones.
 */
enum shell_status shell_help(struct shell *sh, const char *topic,
    const char *where);

#endif
