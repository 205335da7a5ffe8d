/* shell_int.h - the session's insides, shared by shell.c and shell_cmd.c */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_SHELL_INT_H
#define MTK_SHELL_INT_H

#include "query/query.h"
#include "shell/shell.h"

/* Words for completion, as last read from the store. */
struct shell_words_cache {
	char **v;		/* sorted, NULL-ended */
	size_t n;
	char *metric, *label;	/* what they were asked of */
	int64_t at;		/* when, ms */
};

struct shell {
	struct shell_opts o;
	char *dir;		/* the store, owned */
	char *tenant;		/* owned, or NULL */
	struct query_input in;
	int open;		/* 'in' is */
	size_t told;		/* damaged files of 'in' said so far */
	uint64_t bad;		/* bad records read, damaged files met */
	int instant;		/* instant queries, not a range */
	int64_t range;		/* ms */
	int64_t step;		/* ms; 0: Prometheus graph's */
	int at_set;		/* queries end at 'at', not now */
	int64_t at;
	char at_text[64];	/* as given, for the prompt */
	int format_auto;	/* a chart of a range on a terminal, else a table */
	enum query_format format;
	int quiet;		/* a script: settings changed are not echoed */
	char prompt[192];
	struct shell_words_cache words[3];	/* by enum shell_words */
};

/* Open the store or read the stream, once.  Returns 0, or -1 with 'eb'. */
int shell_input(struct shell *sh, struct errbuf *eb);

/* The time queries end at: \at's, or now (a stream's newest sample). */
int64_t shell_now(const struct shell *sh);

/* Fill 'rq' to answer 'expr' with the session's settings. */
void shell_request(struct shell *sh, struct query_request *rq,
    const char *expr);

/* Run 'rq', telling errors as shell_exec() does.  Returns 0 or -1. */
int shell_run(struct shell *sh, const struct query_request *rq,
    const char *input, const char *where);

/* Tell 'msg', the error of 'input' (shell_exec()). */
void shell_error(struct shell *sh, const char *input, const char *where,
    const char *msg);

/*
 * Label names (QUERY_LABELS) or values of 'label' (QUERY_LABEL_VALUES) of
 * the series of 'selector' (NULL: all), sorted, into a new NULL-ended
 * array of new strings '*out' (the caller frees both), '*n' of them.
 */
int shell_names(struct shell *sh, enum query_what what, const char *selector,
    const char *label, char ***out, size_t *n, struct errbuf *eb);

/* Another store or tenant (both owned now); opened at the next use. */
void shell_reopen(struct shell *sh, char *dir, char *tenant);

/* Run the backslash command 'name' with its argument 'arg' (shell_cmd.c). */
enum shell_status shell_command(struct shell *sh, const char *name,
    const char *arg, const char *where);

#endif
