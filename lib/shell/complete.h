/* complete.h - what the word being typed in mshell may become */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_COMPLETE_H
#define MTK_COMPLETE_H

#include <stddef.h>

#include "shell/shell.h"

/*
 * What kind of word ends at the cursor, read from the line alone (no
 * store needed: a unit table and a fuzz target try it).
 */
enum complete_kind {
	COMPLETE_NONE,		/* nothing to offer (inside a number, a comment) */
	COMPLETE_COMMAND,	/* "\ra": a backslash command */
	COMPLETE_EXPR,		/* a metric name, function, aggregation, keyword */
	COMPLETE_METRIC,	/* a metric name only (\metrics) */
	COMPLETE_LABEL,		/* a label name: inside {}, by (...), on (...) */
	COMPLETE_VALUE,		/* a label value, inside its quotes */
	COMPLETE_DURATION,	/* inside [...], after \range, \step, \watch */
	COMPLETE_FORMAT,	/* after \format */
	COMPLETE_TOPIC,		/* after \help */
	COMPLETE_TIME,		/* after \at */
	COMPLETE_FILE		/* after \store: file names */
};

#define COMPLETE_NAME_MAX 256

struct complete_ctx {
	enum complete_kind kind;
	size_t start;		/* where the word begins in the line */
	/* LABEL and VALUE: the metric named before '{', or "" */
	char metric[COMPLETE_NAME_MAX];
	/* VALUE: the label whose value it is; the quote it is inside */
	char label[COMPLETE_NAME_MAX];
	char quote;
};

/*
 * Read the word that ends at byte 'point' of 'line' (its first 'len'
 * bytes are the line) into 'c'.
 */
void complete_context(const char *line, size_t len, size_t point,
    struct complete_ctx *c);

/* The words offered for a word: see complete_line(). */
struct completion {
	char **v;		/* new strings, sorted, each once */
	size_t n;
	size_t start;		/* the word they replace begins here */
	int space;		/* a single match is followed by a space */
	int files;		/* none: complete file names instead */
};

/*
 * The words the word ending at 'point' of 'line' may become, in 'out':
 * its kind's words (metric and label names and values from the
 * session's store, shell_words()) that begin with what is typed.  A
 * label value is quoted as PromQL needs and followed by its closing
 * quote; a function by '('.  Release with completion_release().
 */
void complete_line(struct shell *sh, const char *line, size_t point,
    struct completion *out);
void completion_release(struct completion *c);

#endif
