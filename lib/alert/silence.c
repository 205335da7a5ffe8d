/* silence.c - silences: alerts muted by matchers for a while */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <jansson.h>

#include "alert/silence.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "promql/promql_parse.h"
#include "stream/jsonl.h"

/* Parse 'text' into the matchers of 's'. */
static int
parse(struct silence *s, const char *text, struct errbuf *eb)
{
	struct promql_node *n = NULL;
	struct buf b = BUF_INIT;
	size_t i;
	int rc;

	if (text[0] != '{')
		buf_addch(&b, '{');
	buf_adds(&b, text);
	if (text[0] != '{')
		buf_addch(&b, '}');
	buf_addch(&b, '\0');
	rc = promql_parse_selector(b.p, &n, eb);
	buf_release(&b);
	if (rc == -1)
		return -1;
	if (n->vs.nmatchers == 0) {
		promql_free(n);
		return errbuf_set(eb, "a silence needs a matcher");
	}
	s->m = xcalloc(n->vs.nmatchers, sizeof(*s->m));
	for (i = 0; i < n->vs.nmatchers; i++) {
		s->m[i] = n->vs.matchers[i];
		memset(&n->vs.matchers[i], 0, sizeof(n->vs.matchers[i]));
	}
	s->nm = n->vs.nmatchers;
	promql_free(n);
	return 0;
}

static void
release(struct silence *s)
{
	size_t i;

	free(s->id);
	free(s->matchers);
	for (i = 0; i < s->nm; i++)
		matcher_release(&s->m[i]);
	free(s->m);
	free(s->comment);
}

void
silences_free(struct silences *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		release(&ss->v[i]);
	free(ss->v);
	memset(ss, 0, sizeof(*ss));
}

int
silences_load(struct silences *ss, const char *path, struct errbuf *eb)
{
	json_error_t je;
	json_t *root;
	size_t i;

	memset(ss, 0, sizeof(*ss));
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	if ((root = json_load_file(path, 0, &je)) == NULL)
		return errbuf_set(eb, "%s:%d: %s", path, je.line, je.text);
	for (i = 0; i < json_array_size(root); i++) {
		json_t *o = json_array_get(root, i);
		const char *id = json_string_value(json_object_get(o, "id"));
		const char *m = json_string_value(json_object_get(o, "matchers"));
		const char *c = json_string_value(json_object_get(o, "comment"));
		struct silence s;
		memset(&s, 0, sizeof(s));
		if (id == NULL || m == NULL || parse(&s, m, eb) == -1) {
			json_decref(root);
			silences_free(ss);
			return errbuf_set(eb, "%s: silence %zu is malformed", path,
			    i + 1);
		}
		s.id = xstrdup(id);
		s.matchers = xstrdup(m);
		s.comment = xstrdup(c ? c : "");
		s.starts_at = json_integer_value(json_object_get(o, "startsAt"));
		s.ends_at = json_integer_value(json_object_get(o, "endsAt"));
		s.ack = json_is_true(json_object_get(o, "ack"));
		ss->v = xgrow(ss->v, &ss->cap, ss->n + 1, sizeof(*ss->v));
		ss->v[ss->n++] = s;
	}
	json_decref(root);
	return 0;
}

int
silences_save(const struct silences *ss, const char *path, struct errbuf *eb)
{
	struct buf b = BUF_INIT;
	size_t i;
	int rc = 0;

	buf_addch(&b, '[');
	for (i = 0; i < ss->n; i++) {
		const struct silence *s = &ss->v[i];
		buf_adds(&b, i ? ",\n {\"id\":" : "\n {\"id\":");
		jsonl_quote(&b, s->id, strlen(s->id));
		buf_adds(&b, ",\"matchers\":");
		jsonl_quote(&b, s->matchers, strlen(s->matchers));
		buf_adds(&b, ",\"comment\":");
		jsonl_quote(&b, s->comment, strlen(s->comment));
		buf_addf(&b, ",\"startsAt\":%lld,\"endsAt\":%lld%s}",
		    (long long)s->starts_at, (long long)s->ends_at,
		    s->ack ? ",\"ack\":true" : "");
	}
	buf_adds(&b, "\n]\n");
	if (fileio_replace(path, b.p, b.len) == -1)
		rc = errbuf_set(eb, "cannot write '%s': %s", path,
		    strerror(errno));
	buf_release(&b);
	return rc;
}

const char *
silences_add(struct silences *ss, int ack, const char *matchers, int64_t now,
    int64_t ms, const char *comment, struct errbuf *eb)
{
	struct silence s;
	unsigned char r[8];
	char id[17];
	size_t i;

	memset(&s, 0, sizeof(s));
	if (parse(&s, matchers, eb) == -1)
		return NULL;
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* No entropy: the time and the process make it unique enough. */
		uint64_t x = (uint64_t)now ^ ((uint64_t)getpid() << 40);
		memcpy(r, &x, sizeof(r));
	}
	for (i = 0; i < 8; i++)
		snprintf(id + 2 * i, 3, "%02x", r[i]);
	s.id = xstrdup(id);
	s.matchers = xstrdup(matchers);
	s.comment = xstrdup(comment ? comment : "");
	s.starts_at = now;
	s.ends_at = now + ms;
	s.ack = ack;
	ss->v = xgrow(ss->v, &ss->cap, ss->n + 1, sizeof(*ss->v));
	ss->v[ss->n++] = s;
	return ss->v[ss->n - 1].id;
}

int
silences_expire(struct silences *ss, int ack, const char *id, int64_t now)
{
	size_t i, found = 0, at = 0;

	for (i = 0; i < ss->n; i++)
		if (*id && ss->v[i].ack == ack && strncmp(ss->v[i].id, id, strlen(id)) == 0) {
			found++;
			at = i;
		}
	if (found != 1)
		return -1;
	if (ss->v[at].ends_at > now)
		ss->v[at].ends_at = now;
	return 0;
}

/* Whether every matcher of 's' matches labels 'l'. */
static int
matches(const struct silence *s, const struct tmpl_label *l, size_t n)
{
	size_t k, j;
	int all = 1;

	for (k = 0; k < s->nm && all; k++) {
		const char *v = "";
		for (j = 0; j < n; j++)
			if (strcmp(l[j].name, s->m[k].name) == 0) {
				v = l[j].value;
				break;
			}
		all = matcher_matches(&s->m[k], v, strlen(v));
	}
	return all;
}

int
silences_mute(const struct silences *ss, const struct tmpl_label *l, size_t n,
    int64_t now)
{
	size_t i;

	for (i = 0; i < ss->n; i++) {
		const struct silence *s = &ss->v[i];
		if (!s->ack && now >= s->starts_at && now < s->ends_at &&
		    matches(s, l, n))
			return 1;
	}
	return 0;
}

int
silences_acked(const struct silences *ss, const struct tmpl_label *l, size_t n,
    int64_t starts_at, int64_t now)
{
	size_t i;

	for (i = 0; i < ss->n; i++) {
		const struct silence *s = &ss->v[i];
		if (s->ack && now >= s->starts_at && now < s->ends_at &&
		    s->starts_at >= starts_at && matches(s, l, n))
			return 1;
	}
	return 0;
}

void
silences_list(const struct silences *ss, int ack, int64_t now, int all,
    FILE *fp)
{
	char ends[TS_BUFSZ];
	size_t i;

	for (i = 0; i < ss->n; i++) {
		const struct silence *s = &ss->v[i];
		if (s->ack != ack || (!all && s->ends_at <= now))
			continue;
		ts_format_rfc3339(ends, s->ends_at);
		fprintf(fp, "%s\t%s\t%s\t%s\n", s->id, ends, s->matchers,
		    s->comment);
	}
}
