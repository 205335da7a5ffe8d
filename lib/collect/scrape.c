/* scrape.c - /metrics endpoints scraped as Prometheus scrapes them */
/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/yamldoc.h"
#include "base/xalloc.h"
#include "collect/scrape.h"
#include "net/http.h"
#include "stream/expo.h"
#include "stream/relabel.h"

/* What Prometheus 2.42 asks a target for, in its order of preference. */
static const char accept_header[] = "Accept: application/openmetrics-text;"
    "version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

#define TARGET_LABELS_MAX 32

struct target {
	char *url;
	char *instance;
	char **labels;		/* "NAME=VALUE" of a targets file; owned */
	size_t nlabels;
	char *last_error;	/* the failure last told, or NULL while up */
	long last_refused;	/* samples the sink refused, last told */
};

struct scraper {
	struct scrape_opts o;
	struct http_client *http;
	struct target *t;
	struct http_request *req;
	size_t n;
	const char *const *urls;	/* of the command line */
	size_t nurls;
	struct timespec mtime;		/* of the targets file, as read */
	const char *headers[2];
	/* The target labels, sorted by name: job, instance, -l; instance last set. */
	struct label tl[TARGET_LABELS_MAX];
	size_t ntl, instance_at;
	struct expo_parser *xp[2];	/* text, OpenMetrics */
	struct buf names;		/* exported_ label names of a sample */
	struct relabel_rules *rules;	/* o.relabel when it has rules */
	/*
	 * The samples of a body as its parse left them (labels merged,
	 * relabelled, checked), held until the whole body has parsed and
	 * is within the limit: a scrape gives all its samples or none.
	 */
	struct buf held;
};

/* host:port of 'url', the port the scheme's when it gives none. */
static char *
instance_of(const char *url, struct errbuf *eb)
{
	const char *p, *h, *e;
	int https;
	struct buf b = BUF_INIT;

	if (strncmp(url, "http://", 7) == 0)
		https = 0;
	else if (strncmp(url, "https://", 8) == 0)
		https = 1;
	else {
		errbuf_set(eb, "'%s': not an http or https URL", url);
		return NULL;
	}
	h = url + (https ? 8 : 7);
	e = h + strcspn(h, "/?#");
	/* user:password@ is not part of the instance. */
	if ((p = memchr(h, '@', (size_t)(e - h))) != NULL)
		h = p + 1;
	if (h == e) {
		errbuf_set(eb, "'%s': no host", url);
		return NULL;
	}
	buf_add(&b, h, (size_t)(e - h));
	/* A port after the host (after ']' for an IPv6 address)? */
	p = b.p[0] == '[' ? strchr(b.p, ']') : b.p;
	if (p == NULL || strchr(p, ':') == NULL)
		buf_adds(&b, https ? ":443" : ":80");
	return b.p;
}

static int
cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct label *)a)->name,
	    ((const struct label *)b)->name);
}

/* Put target label 'name' = 'value' (replacing one of that name). */
static void
put_target_label(struct scraper *s, const char *name, size_t nl,
    const char *value)
{
	size_t i;

	for (i = 0; i < s->ntl; i++)
		if (s->tl[i].name_len == nl && memcmp(s->tl[i].name, name, nl) == 0)
			break;
	if (i == s->ntl) {
		if (s->ntl == TARGET_LABELS_MAX)
			return;
		s->ntl++;
		s->tl[i].name = xmemdup(name, nl + 1);
		((char *)s->tl[i].name)[nl] = '\0';
		s->tl[i].name_len = (uint32_t)nl;
	} else {
		free((char *)s->tl[i].value);
	}
	s->tl[i].value = xstrdup(value);
	s->tl[i].value_len = (uint32_t)strlen(value);
}

static void
target_release(struct target *t)
{
	size_t i;

	free(t->url);
	free(t->instance);
	for (i = 0; i < t->nlabels; i++)
		free(t->labels[i]);
	free(t->labels);
	free(t->last_error);
}

/* Add target 'url' with 'labels' (NAME=VALUE, borrowed) to 'v'. */
static int
add_target(struct target **v, size_t *n, size_t *cap, const char *url,
    char *const *labels, size_t nlabels, struct errbuf *eb)
{
	struct target t;
	size_t i;

	memset(&t, 0, sizeof(t));
	if ((t.instance = instance_of(url, eb)) == NULL)
		return -1;
	t.url = xstrdup(url);
	t.labels = xcalloc(nlabels + 1, sizeof(*t.labels));
	for (i = 0; i < nlabels; i++)
		t.labels[t.nlabels++] = xstrdup(labels[i]);
	*v = xgrow(*v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = t;
	return 0;
}

/*
 * The targets of a file as Prometheus' file_sd reads it (JSON, or
 * YAML): [{"targets": ["host:port", ...], "labels": {...}}, ...]; the
 * labels __scheme__ and __metrics_path__ make the URL.  0, or -1 with
 * "file:line:col: why".
 */
static int
read_targets(const char *path, struct target **v, size_t *n, size_t *cap,
    struct errbuf *eb)
{
	struct yamldoc d;
	yaml_node_item_t *it;
	char msg[400];
	int rc = 0;

	if (yamldoc_load(&d, path, msg, sizeof(msg)) == -1)
		return errbuf_set(eb, "%s: %s", path, msg);
	if (d.root && d.root->type != YAML_SEQUENCE_NODE) {
		rc = errbuf_set(eb, "%s:%lu: a list of target groups is needed",
		    path, (unsigned long)d.root->start_mark.line + 1);
		goto out;
	}
	for (it = d.root ? d.root->data.sequence.items.start : NULL;
	    d.root && it < d.root->data.sequence.items.top && rc == 0; it++) {
		yaml_node_t *g = yamldoc_node(&d, *it), *ts, *ls;
		char *labels[64];
		const char *scheme = "http", *mpath = "/metrics";
		size_t nl = 0, i;
		yaml_node_item_t *ti;
		if (g->type != YAML_MAPPING_NODE ||
		    (ts = yamldoc_field(&d, g, "targets")) == NULL ||
		    ts->type != YAML_SEQUENCE_NODE) {
			rc = errbuf_set(eb, "%s:%lu: a group needs \"targets\", a "
			    "list", path, (unsigned long)g->start_mark.line + 1);
			break;
		}
		if ((ls = yamldoc_field(&d, g, "labels")) != NULL &&
		    ls->type == YAML_MAPPING_NODE) {
			yaml_node_pair_t *pr;
			for (pr = ls->data.mapping.pairs.start;
			    pr < ls->data.mapping.pairs.top && nl < 64; pr++) {
				const char *k = yamldoc_scalar(yamldoc_node(&d,
				    pr->key));
				const char *val = yamldoc_scalar(yamldoc_node(&d,
				    pr->value));
				struct buf b = BUF_INIT;
				if (k == NULL || val == NULL)
					continue;
				if (strcmp(k, "__scheme__") == 0)
					scheme = val;
				else if (strcmp(k, "__metrics_path__") == 0)
					mpath = val;
				if (strncmp(k, "__", 2) == 0)
					continue;
				if (!metric_label_name_valid(k, strlen(k))) {
					rc = errbuf_set(eb, "%s:%lu: '%s' is no label "
					    "name", path, (unsigned long)yamldoc_node(&d,
					    pr->key)->start_mark.line + 1, k);
					break;
				}
				buf_addf(&b, "%s=%s", k, val);
				labels[nl++] = b.p;
			}
		}
		for (ti = rc ? ts->data.sequence.items.top :
		    ts->data.sequence.items.start;
		    ti < ts->data.sequence.items.top && rc == 0; ti++) {
			const char *hp = yamldoc_scalar(yamldoc_node(&d, *ti));
			struct buf url = BUF_INIT;
			if (hp == NULL || *hp == '\0' || strchr(hp, '/')) {
				rc = errbuf_set(eb, "%s: a target is host:port, not "
				    "'%s'", path, hp ? hp : "a list");
				break;
			}
			buf_addf(&url, "%s://%s%s", scheme, hp, mpath);
			if (add_target(v, n, cap, url.p, labels, nl, eb) == -1)
				rc = errbuf_prefix(eb, "%s", path);
			buf_release(&url);
		}
		for (i = 0; i < nl; i++)
			free(labels[i]);
	}
out:
	yamldoc_free(&d);
	return rc;
}

/*
 * (Re)make the targets: those of the command line, then the file's
 * when 'o.targets_file' is set and changed since it was read.  A
 * target kept keeps what was told of it.  0, or -1 with 'eb' (the old
 * targets stay).
 */
static int
load_targets(struct scraper *s, struct errbuf *eb)
{
	struct target *v = NULL;
	size_t n = 0, cap = 0, i, k;
	struct stat st;

	if (s->t && s->o.targets_file == NULL)
		return 0;
	if (s->o.targets_file) {
		if (stat(s->o.targets_file, &st) == -1)
			return errbuf_set(eb, "%s: %s", s->o.targets_file,
			    strerror(errno));
		if (s->t && st.st_mtim.tv_sec == s->mtime.tv_sec &&
		    st.st_mtim.tv_nsec == s->mtime.tv_nsec)
			return 0;
	}
	for (i = 0; i < s->nurls; i++)
		if (add_target(&v, &n, &cap, s->urls[i], NULL, 0, eb) == -1)
			goto fail;
	if (s->o.targets_file) {
		if (read_targets(s->o.targets_file, &v, &n, &cap, eb) == -1)
			goto fail;
		s->mtime = st.st_mtim;
	}
	/* What was told of a target that stays is not told again. */
	for (i = 0; i < n; i++)
		for (k = 0; k < s->n; k++)
			if (strcmp(v[i].url, s->t[k].url) == 0 && s->t[k].last_error) {
				v[i].last_error = s->t[k].last_error;
				s->t[k].last_error = NULL;
				break;
			}
	for (i = 0; i < s->n; i++) {
		target_release(&s->t[i]);
		http_request_release(&s->req[i]);
	}
	free(s->t);
	free(s->req);
	s->t = v;
	s->n = n;
	s->req = xcalloc(n + 1, sizeof(*s->req));
	for (i = 0; i < n; i++) {
		s->req[i].url = v[i].url;
		s->req[i].headers = s->headers;
		s->req[i].timeout_ms = s->o.timeout_ms;
		s->req[i].max_body = s->o.body_limit;
		s->req[i].bearer_token = s->o.bearer_token;
		s->req[i].user = s->o.user;
		s->req[i].password = s->o.password;
		s->req[i].tls = &s->o.tls;
	}
	return 0;
fail:
	for (i = 0; i < n; i++)
		target_release(&v[i]);
	free(v);
	return -1;
}

struct scraper *
scraper_new(const struct scrape_opts *o, const char *const *urls, size_t n,
    struct errbuf *eb)
{
	struct scraper *s = xcalloc(1, sizeof(*s));
	const char *const files[] = { o->tls.ca_file, o->tls.cert_file,
		o->tls.key_file };
	size_t i;

	s->o = *o;
	s->urls = urls;
	s->nurls = n;
	s->headers[0] = accept_header;
	s->rules = relabel_count(o->relabel) ? o->relabel : NULL;
	/* libcurl would say it at every scrape, and less plainly. */
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *fp;
		if (files[i] == NULL)
			continue;
		if ((fp = fopen(files[i], "r")) == NULL) {
			errbuf_set(eb, "cannot read '%s': %s", files[i],
			    strerror(errno));
			scraper_free(s);
			return NULL;
		}
		fclose(fp);
	}
	if (load_targets(s, eb) == -1) {
		scraper_free(s);
		return NULL;
	}
	if (s->n == 0 && o->targets_file == NULL) {
		errbuf_set(eb, "no target");
		scraper_free(s);
		return NULL;
	}
	if ((s->http = http_client_new("mgather/" MTK_VERSION, eb)) == NULL) {
		scraper_free(s);
		return NULL;
	}
	s->xp[0] = expo_parser_new(EXPO_PROMETHEUS);
	s->xp[1] = expo_parser_new(EXPO_OPENMETRICS);
	/* Its labels merged first, empty ones included, then checked. */
	expo_parser_raw(s->xp[0]);
	expo_parser_raw(s->xp[1]);
	return s;
}

/* The target labels of target 't': job, instance, its own, then -l. */
static void
target_labels(struct scraper *s, const struct target *t)
{
	size_t i;

	for (i = 0; i < s->ntl; i++) {
		free((char *)s->tl[i].name);
		free((char *)s->tl[i].value);
	}
	s->ntl = 0;
	put_target_label(s, "job", 3, s->o.job);
	put_target_label(s, "instance", 8, t->instance);
	for (i = 0; i < t->nlabels; i++) {
		const char *eq = strchr(t->labels[i], '=');
		put_target_label(s, t->labels[i], (size_t)(eq - t->labels[i]),
		    eq + 1);
	}
	for (i = 0; i < s->o.nlabels; i++) {
		const char *eq = strchr(s->o.labels[i], '=');
		if (eq)
			put_target_label(s, s->o.labels[i],
			    (size_t)(eq - s->o.labels[i]), eq + 1);
	}
	qsort(s->tl, s->ntl, sizeof(*s->tl), cmp_label);
}

void
scraper_free(struct scraper *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		target_release(&s->t[i]);
		http_request_release(&s->req[i]);
	}
	for (i = 0; i < s->ntl; i++) {
		free((char *)s->tl[i].name);
		free((char *)s->tl[i].value);
	}
	free(s->t);
	free(s->req);
	http_client_free(s->http);
	expo_parser_free(s->xp[0]);
	expo_parser_free(s->xp[1]);
	buf_release(&s->names);
	buf_release(&s->held);
	free(s);
}

/* Whether two reasons are the same but for their numbers ("after 1001 ms"). */
static int
same_reason(const char *a, const char *b)
{
	for (;;) {
		while (*a >= '0' && *a <= '9')
			a++;
		while (*b >= '0' && *b <= '9')
			b++;
		if (*a != *b)
			return 0;
		if (*a == '\0')
			return 1;
		a++;
		b++;
	}
}

/* Tell a new failure, a changed reason, or that the target is back. */
static void
tell(struct scraper *s, struct target *t, const char *why)
{
	char msg[600];

	if (why == NULL && t->last_error == NULL)
		return;
	if (why && t->last_error && same_reason(why, t->last_error))
		return;
	if (why)
		snprintf(msg, sizeof(msg), "%s: %s", t->url, why);
	else
		snprintf(msg, sizeof(msg), "%s: up again", t->url);
	free(t->last_error);
	t->last_error = why ? xstrdup(why) : NULL;
	if (s->o.warn)
		s->o.warn(s->o.warn_arg, msg);
}

/*
 * The labels of scraped sample 'in' with the target's, into 'out'
 * (room for METRIC_LABELS_MAX + TARGET_LABELS_MAX): a clash renamed
 * exported_NAME, or with honor_labels the scraped value kept.
 */
static size_t
merge_labels(struct scraper *s, const struct sample *in, struct label *out)
{
	size_t i, k, n = 0, off[METRIC_LABELS_MAX];

	buf_reset(&s->names);
	for (i = 0; i < in->nlabels; i++) {
		const struct label *l = &in->labels[i];
		int clash = 0;
		for (k = 0; k < s->ntl; k++)
			clash |= strcmp(s->tl[k].name, l->name) == 0;
		out[n] = *l;
		off[i] = SIZE_MAX;
		if (clash && !s->o.honor_labels) {
			/* exported_NAME, as many times as it takes. */
			char tmp[METRIC_LABEL_NAME_MAX + 1];
			int again;
			snprintf(tmp, sizeof(tmp), "exported_%s", l->name);
			do {
				char t2[METRIC_LABEL_NAME_MAX + 1];
				again = 0;
				for (k = 0; k < in->nlabels; k++)
					again |= strcmp(in->labels[k].name, tmp) == 0;
				for (k = 0; k < s->ntl; k++)
					again |= strcmp(s->tl[k].name, tmp) == 0;
				if (again) {
					if (strlen(tmp) + 9 > METRIC_LABEL_NAME_MAX)
						break;	/* metric_check says */
					snprintf(t2, sizeof(t2), "exported_%s", tmp);
					memcpy(tmp, t2, sizeof(tmp));
				}
			} while (again);
			off[i] = s->names.len;
			buf_adds(&s->names, tmp);
			buf_addch(&s->names, '\0');
		}
		n++;
	}
	/* The names' bytes moved as they grew: pointers now. */
	for (i = 0; i < in->nlabels; i++)
		if (off[i] != SIZE_MAX) {
			out[i].name = s->names.p + off[i];
			out[i].name_len = (uint32_t)strlen(out[i].name);
		}
	for (k = 0; k < s->ntl; k++) {
		int have = 0;
		for (i = 0; s->o.honor_labels && i < in->nlabels; i++)
			have |= strcmp(in->labels[i].name, s->tl[k].name) == 0;
		if (!have)
			out[n++] = s->tl[k];
	}
	return n;
}

/*
 * A held sample: its type, value and time, its name and labels, each a
 * length and the bytes with a NUL, then its unit and help, each a byte
 * saying none (0), the same as the sample before (1), or given (2, then
 * a length and the bytes with a NUL): a family's text is kept once.
 */
enum { TEXT_NONE, TEXT_SAME, TEXT_NEW };

static void
put_str(struct buf *b, const char *p, uint32_t len)
{
	buf_add(b, &len, sizeof(len));
	buf_add(b, p, len);
	buf_addch(b, '\0');
}

static const char *
get_str(const char **p, uint32_t *len)
{
	const char *s;

	memcpy(len, *p, sizeof(*len));
	s = *p += sizeof(*len);
	*p += *len + 1;
	return s;
}

/*
 * The unit or the help of the sample held last: where its bytes are in
 * the buffer (the parser's own may have changed since), SIZE_MAX: none.
 */
struct held_text {
	size_t off, len;
};

/* Unit or help 'text' of a sample, after 'last', that of the one before. */
static void
put_text(struct buf *b, const char *text, size_t len, struct held_text *last)
{
	if (text == NULL) {
		buf_addch(b, TEXT_NONE);
		last->off = SIZE_MAX;
	} else if (last->off != SIZE_MAX && last->len == len &&
	    memcmp(b->p + last->off, text, len) == 0) {
		buf_addch(b, TEXT_SAME);
	} else {
		buf_addch(b, TEXT_NEW);
		last->off = b->len + sizeof(uint32_t);
		last->len = len;
		put_str(b, text, (uint32_t)len);
	}
}

static void
get_text(const char **p, const char **text, size_t *len)
{
	uint32_t n;

	switch (*(*p)++) {
	case TEXT_NONE:
		*text = NULL;
		*len = 0;
		break;
	case TEXT_NEW:
		*text = get_str(p, &n);
		*len = n;
		break;
	}
	/* TEXT_SAME: as the sample before. */
}

/* Put checked sample 'smp' at the end of 'b'; 'last' [0] unit, [1] help. */
static void
hold(struct buf *b, const struct sample *smp, struct held_text last[2])
{
	uint8_t type = (uint8_t)smp->type;
	uint32_t n = (uint32_t)smp->nlabels;
	size_t i;

	buf_add(b, &type, 1);
	buf_add(b, &smp->value, sizeof(smp->value));
	buf_add(b, &smp->ts, sizeof(smp->ts));
	put_str(b, smp->name, (uint32_t)smp->name_len);
	buf_add(b, &n, sizeof(n));
	for (i = 0; i < n; i++) {
		put_str(b, smp->labels[i].name, smp->labels[i].name_len);
		put_str(b, smp->labels[i].value, smp->labels[i].value_len);
	}
	put_text(b, smp->unit, smp->unit_len, &last[0]);
	put_text(b, smp->help, smp->help_len, &last[1]);
}

/*
 * The sample hold() put at '*p', into 'smp' (borrowing from the buffer;
 * its unit and help left as the sample before's unless it has its own)
 * and 'l' (room for METRIC_LABELS_MAX, as metric_check() allowed); '*p'
 * past it.
 */
static void
unhold(const char **p, struct sample *smp, struct label *l)
{
	uint32_t len, n, i;
	uint8_t type;

	memcpy(&type, *p, 1);
	*p += 1;
	smp->type = (enum metric_type)type;
	memcpy(&smp->value, *p, sizeof(smp->value));
	*p += sizeof(smp->value);
	memcpy(&smp->ts, *p, sizeof(smp->ts));
	*p += sizeof(smp->ts);
	smp->has_ts = 1;
	smp->name = get_str(p, &len);
	smp->name_len = len;
	memcpy(&n, *p, sizeof(n));
	*p += sizeof(n);
	assert(n <= METRIC_LABELS_MAX);
	for (i = 0; i < n; i++) {
		l[i].name = get_str(p, &l[i].name_len);
		l[i].value = get_str(p, &l[i].value_len);
	}
	smp->labels = l;
	smp->nlabels = n;
	smp->key = NULL;
	smp->key_hash = 0;
	get_text(p, &smp->unit, &smp->unit_len);
	get_text(p, &smp->help, &smp->help_len);
}

/*
 * Parse the body of target 'i' into s->held: each sample with the
 * target's labels, through the rules, checked.  Sets '*scraped' and
 * '*kept' (the samples after the rules).  Returns 0, or -1 with why in
 * 'eb' (a bad line, a sample the rules leave without a valid name).
 *
 * NEEDSWORK: Prometheus keeps each series' relabelled labels from one
 * scrape to the next, keyed by the series' text; here the rules run on
 * every sample of every scrape (about 2,500 instructions a sample for
 * three rules).
 */
static int
parse_body(struct scraper *s, size_t i, int64_t ts, long *scraped,
    long *kept, struct errbuf *eb)
{
	const struct http_request *r = &s->req[i];
	int om = r->content_type && strncmp(r->content_type,
	    "application/openmetrics-text", 28) == 0;
	struct expo_parser *xp = s->xp[om];
	struct label merged[METRIC_LABELS_MAX + TARGET_LABELS_MAX];
	const char *p = r->reply.p ? r->reply.p : "", *end = p + r->reply.len;
	struct held_text last[2] = { { SIZE_MAX, 0 }, { SIZE_MAX, 0 } };
	unsigned long line = 0;
	struct sample smp;
	struct relabel_rules *rl = s->rules;

	*scraped = *kept = 0;
	buf_reset(&s->held);
	expo_parser_reset(xp);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int k;
		line++;
		if (len && p[len - 1] == '\r')
			len--;
		k = expo_parse(xp, p, len, &smp, eb);
		p = nl ? nl + 1 : end;
		if (k == 0)
			continue;
		if (k == -1)
			return errbuf_prefix(eb, "line %lu", line);
		++*scraped;
		if (!smp.has_ts) {
			smp.ts = ts;
			smp.has_ts = 1;
		}
		smp.nlabels = merge_labels(s, &smp, merged);
		smp.labels = merged;
		/* Prometheus fails the scrape for a sample left nameless. */
		if (rl && (k = relabel_apply(rl, &smp, eb)) == -1)
			return errbuf_prefix(eb, "line %lu", line);
		if (rl && k == 0)
			continue;
		++*kept;
		if (metric_check(&smp, eb) == -1)
			return errbuf_prefix(eb, "line %lu", line);
		hold(&s->held, &smp, last);
	}
	if (expo_end(xp, eb) == -1)
		return errbuf_prefix(eb, "line %lu", line);
	return 0;
}

/*
 * Give the samples held to 'sink'.  Returns the number it refused (too
 * old for a store, say: each is its own, the scrape stands), the first
 * one's reason in 'why', or -1 with 'eb'.
 */
static long
give_held(struct scraper *s, const struct ingest_sink *sink,
    struct errbuf *why, struct errbuf *eb)
{
	struct label l[METRIC_LABELS_MAX];
	const char *p = s->held.p, *end = p + s->held.len;
	struct sample smp;
	long refused = 0;
	int rc;

	memset(&smp, 0, sizeof(smp));
	while (p < end) {
		unhold(&p, &smp, l);
		if ((rc = sink->add(sink->ctx, &smp, why)) == -1) {
			*eb = *why;
			return -1;
		}
		if (rc == 1 && refused++ == 0)
			errbuf_prefix(why, "%.*s", (int)smp.name_len, smp.name);
	}
	return refused;
}

/* up and the scrape_* series of target 'i'. */
static int
report(struct scraper *s, size_t i, int64_t ts, int up, long scraped,
    long kept, const struct ingest_sink *sink, struct errbuf *eb)
{
	const struct { const char *name; double v; } m[] = {
		{ "up", up },
		{ "scrape_duration_seconds", s->req[i].seconds },
		{ "scrape_samples_scraped", (double)scraped },
		{ "scrape_samples_post_metric_relabeling", (double)kept },
	};
	struct label l[TARGET_LABELS_MAX];
	size_t k;

	memcpy(l, s->tl, s->ntl * sizeof(*l));
	for (k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		struct sample smp = { .name = m[k].name,
			.name_len = strlen(m[k].name), .type = METRIC_GAUGE,
			.has_ts = 1, .ts = ts, .value = m[k].v, .labels = l,
			.nlabels = s->ntl };
		if (metric_check(&smp, eb) == -1 ||
		    sink->add(sink->ctx, &smp, eb) == -1)
			return -1;
	}
	return 0;
}

int
scraper_pass(struct scraper *s, int64_t ts, const struct ingest_sink *sink,
    struct errbuf *eb)
{
	struct errbuf why = ERRBUF_INIT;
	size_t i;
	int ups = 0;

	/* A targets file changed: read again; a bad one said, the old kept. */
	if (load_targets(s, &why) == -1 && s->o.warn)
		s->o.warn(s->o.warn_arg, why.msg);
	if (http_run(s->http, s->req, s->n, eb) == -1)
		return -1;
	for (i = 0; i < s->n; i++) {
		const struct http_request *r = &s->req[i];
		long n = 0, kept = 0;
		int up = 0;
		target_labels(s, &s->t[i]);
		if (r->status == 0) {
			errbuf_set(&why, "%s", r->error);
		} else if (r->status != 200) {
			errbuf_set(&why, "HTTP %ld", r->status);
		} else if (parse_body(s, i, ts, &n, &kept, &why) == -1) {
			/* Counted up to the bad line, as Prometheus counts. */
		} else if (s->o.sample_limit &&
		    (uint64_t)kept > s->o.sample_limit) {
			/* Counted after the rules, and reported, as Prometheus does. */
			errbuf_set(&why, "%ld samples, more than the limit of "
			    "%llu", kept, (unsigned long long)s->o.sample_limit);
		} else {
			/* Parsed whole and within the limit: given. */
			long refused = give_held(s, sink, &why, eb);
			if (refused == -1)
				return -1;
			/* Told when it changes, not at every pass. */
			if (refused > 0 && refused != s->t[i].last_refused &&
			    s->o.warn) {
				char msg[sizeof(why.msg) + 160];
				snprintf(msg, sizeof(msg), "%s: %ld sample%s "
				    "refused (%s)", s->t[i].url, refused,
				    refused == 1 ? "" : "s", why.msg);
				s->o.warn(s->o.warn_arg, msg);
			}
			s->t[i].last_refused = refused;
			up = 1;
		}
		tell(s, &s->t[i], up ? NULL : why.msg);
		if (report(s, i, ts, up, n, kept, sink, eb) == -1)
			return -1;
		ups += up;
	}
	if (sink->commit(sink->ctx, eb) == -1)
		return -1;
	return ups;
}
