/* collect.c - reading, parsing and emitting helpers for the collectors */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/gather_int.h"
#include "stream/metric.h"
#include "stream/utf8.h"
#include "base/xalloc.h"

const char *
collect_path(struct gather *g, enum collect_root root, const char *rel)
{
	snprintf(g->path, sizeof(g->path), "%s/%s", g->root[root], rel);
	return g->path;
}

int
collect_read(struct gather *g, enum collect_root root, const char *rel,
    struct buf *b)
{
	const char *path = collect_path(g, root, rel);
	int fd, saved;
	ssize_t n;

	buf_reset(b);
	/*
	 * Files under /proc are generated on read, so their size says
	 * nothing: read until EOF into a buffer that keeps its size from
	 * pass to pass.  No stdio: one open, two or three reads, a close.
	 */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		if (b->cap - b->len < 4096)
			buf_grow(b, b->cap < 8192 ? 8192 : b->cap);
		n = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b->len += (size_t)n;
	}
	saved = errno;
	close(fd);
	b->p[b->len] = '\0';
	if (n == -1) {
		errno = saved;
		return -1;
	}
	return 0;
}

const char *
collect_read_stat(struct gather *g)
{
	if (g->stat_pass != g->pass) {
		g->stat_pass = g->pass;
		g->stat_errno = 0;
		if (collect_read(g, COLLECT_PROC, "stat", &g->stat) == -1)
			g->stat_errno = errno ? errno : EIO;
	}
	if (g->stat_errno) {
		errno = g->stat_errno;
		return NULL;
	}
	return g->stat.p;
}

static void __attribute__((format(printf, 2, 0)))
vwarn_collector(struct gather *g, const char *fmt, va_list ap)
{
	char msg[1024];
	int n;

	if (g->o.warn == NULL)
		return;
	n = snprintf(msg, sizeof(msg), "%s: ", gather_collector_name(g->cur));
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	g->o.warn(g->o.warn_arg, msg);
}

void
collect_warn(struct gather *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_collector(g, fmt, ap);
	va_end(ap);
}

int
collect_off(struct gather *g, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	collect_warn(g, "%s; collector disabled", msg);
	return -1;
}

/*
 * Sample 's' (its labels in g->lab) as a reader of the stream would have
 * it: label values' bytes that are not UTF-8 as U+FFFD, then checked.
 * Whether it passed; one that does not is told (a collector's bug).
 */
static int
checked(struct gather *g, struct sample *s)
{
	struct errbuf eb = ERRBUF_INIT;
	size_t off[METRIC_LABELS_MAX], i;

	buf_reset(&g->fixed);
	for (i = 0; i < s->nlabels; i++) {
		off[i] = SIZE_MAX;
		if (utf8_invalid_count(g->lab[i].value, g->lab[i].value_len)) {
			off[i] = g->fixed.len;
			utf8_repair(&g->fixed, g->lab[i].value,
			    g->lab[i].value_len);
			g->lab[i].value_len = (uint32_t)(g->fixed.len - off[i]);
		}
	}
	/* The bytes moved as they grew: pointers now. */
	for (i = 0; i < s->nlabels; i++)
		if (off[i] != SIZE_MAX)
			g->lab[i].value = g->fixed.p + off[i];
	if (metric_check(s, &eb) == 0)
		return 1;
	collect_warn(g, "%s: %s", s->name, eb.msg);
	return 0;
}

void
collect_emit(struct gather *g, const char *name, enum metric_type type,
    double value, const struct label *labels, size_t n)
{
	struct sample s;
	size_t i = 0, j = 0, k = 0;
	int cmp;

	if (g->failed)
		return;
	/*
	 * Merge the collector's labels with the common ones, both sorted,
	 * into one sorted list; on a tie the collector's label is kept.
	 */
	while ((i < n || j < g->ncommon) && k < METRIC_LABELS_MAX) {
		if (i == n)
			cmp = 1;
		else if (j == g->ncommon)
			cmp = -1;
		else
			cmp = strcmp(labels[i].name, g->common[j].name);
		if (cmp <= 0) {
			/*
			 * Too long to be written, once each byte that is not
			 * UTF-8 has become U+FFFD (three bytes; jsonl.h).
			 */
			if (labels[i].value_len > METRIC_LABEL_VALUE_MAX / 3 &&
			    labels[i].value_len + 2 * utf8_invalid_count(
			    labels[i].value, labels[i].value_len) >
			    METRIC_LABEL_VALUE_MAX)
				return;
			g->lab[k++] = labels[i++];
			if (cmp == 0)
				j++;
		} else {
			g->lab[k++] = g->common[j++];
		}
	}
	memset(&s, 0, sizeof(s));
	s.name = name;
	s.name_len = strlen(name);
	s.type = type;
	s.value = value;
	s.has_ts = 1;
	s.ts = g->ts;
	s.labels = g->lab;
	s.nlabels = k;
	if (g->o.check && !checked(g, &s))
		return;
	/* A sample the sink refuses (a store's limit) is its own. */
	if (g->sink->add(g->sink->ctx, &s, g->eb) == -1)
		g->failed = 1;
}

uint64_t
collect_u64(const char **pp)
{
	const char *p = *pp;
	uint64_t v = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9') {
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		*pp = p;
		return 0;
	}
	/* Kernel counters are at most 64 bits; wrap like the kernel would. */
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	*pp = p;
	return v;
}

const char *
collect_line(const char *p)
{
	const char *nl = strchr(p, '\n');

	return nl && nl[1] ? nl + 1 : NULL;
}

uint64_t
counter_extend(struct counter *c, uint64_t raw, int first)
{
	if (first)
		c->ext = raw;
	else if (raw >= c->raw)
		c->ext += raw - c->raw;
	else if (c->raw <= UINT32_MAX)
		c->ext += raw + ((uint64_t)UINT32_MAX - c->raw) + 1;
	else
		c->ext = raw;
	c->raw = raw;
	return c->ext;
}

struct devtab_entry *
devtab_get(struct devtab *t, const char *name, uint64_t pass, size_t *hint)
{
	struct devtab_entry *e = NULL;
	size_t i;

	if (*hint < t->n && strcmp(t->v[*hint].name, name) == 0) {
		e = &t->v[*hint];
	} else {
		for (i = 0; i < t->n; i++) {
			if (strcmp(t->v[i].name, name) == 0) {
				e = &t->v[i];
				break;
			}
		}
	}
	if (e == NULL) {
		t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
		e = &t->v[t->n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%s", name);
		e->fresh = 1;
	} else {
		e->fresh = e->seen + 1 != pass;
	}
	e->seen = pass;
	*hint = (size_t)(e - t->v) + 1;
	return e;
}

void
devtab_sweep(struct devtab *t, uint64_t pass)
{
	size_t i, k = 0;

	for (i = 0; i < t->n; i++)
		if (t->v[i].seen == pass)
			t->v[k++] = t->v[i];
	t->n = k;
}

uint64_t
devtab_update(struct devtab_entry *e, int i, uint64_t raw)
{
	e->prev[i] = e->c[i].ext;
	return counter_extend(&e->c[i], raw, e->fresh);
}

void
collect_devtab_release(void *state)
{
	struct devtab *t = state;

	if (t == NULL)
		return;
	free(t->v);
	free(t);
}
