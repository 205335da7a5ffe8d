/* route.c - where alerts go: a routing tree as Alertmanager's, and receivers */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/route.h"
#include "alert/rules.h"
#include "base/yamldoc.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "promql/promql_parse.h"

struct loader {
	struct yamldoc *d;
	const char *path;
	char *msg;
	size_t size;
	int failed;
	struct route_config *c;
};

static int __attribute__((format(printf, 3, 4)))
fail(struct loader *ld, const yaml_node_t *at, const char *fmt, ...)
{
	char m[400];
	va_list ap;

	if (ld->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	if (at)
		snprintf(ld->msg, ld->size, "%s:%lu:%lu: %s", ld->path,
		    (unsigned long)at->start_mark.line + 1,
		    (unsigned long)at->start_mark.column + 1, m);
	else
		snprintf(ld->msg, ld->size, "%s: %s", ld->path, m);
	ld->failed = 1;
	return -1;
}

/* Fields of a mapping must be among 'known'. */
static int
known(struct loader *ld, yaml_node_t *m, const char *const *names,
    const char *what)
{
	yaml_node_pair_t *pr;

	for (pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	    pr++) {
		yaml_node_t *k = yamldoc_node(ld->d, pr->key);
		const char *ks = yamldoc_scalar(k);
		size_t i;
		for (i = 0; ks && names[i]; i++)
			if (strcmp(ks, names[i]) == 0)
				break;
		if (ks == NULL || names[i] == NULL)
			return fail(ld, k, "unknown field %s in %s", ks ? ks : "?",
			    what);
	}
	return 0;
}

static int
duration(struct loader *ld, yaml_node_t *m, const char *name, int64_t *ms)
{
	yaml_node_t *v = yamldoc_field(ld->d, m, name);
	const char *s;

	if (v == NULL)
		return 0;
	if ((s = yamldoc_scalar(v)) == NULL || rules_duration(s, ms) == -1 ||
	    *ms <= 0)
		return fail(ld, v, "%s: a duration as 30s, 5m, 4h", name);
	return 0;
}

/* A list of strings, NULL-terminated. */
static char **
strings(struct loader *ld, yaml_node_t *v, const char *what)
{
	yaml_node_item_t *it;
	char **out;
	size_t n = 0;

	if (v->type != YAML_SEQUENCE_NODE) {
		fail(ld, v, "%s: a list of strings", what);
		return NULL;
	}
	out = xcalloc((size_t)(v->data.sequence.items.top -
	    v->data.sequence.items.start) + 1, sizeof(*out));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	    it++) {
		const char *s = yamldoc_scalar(yamldoc_node(ld->d, *it));
		if (s == NULL) {
			fail(ld, yamldoc_node(ld->d, *it), "%s: a list of strings",
			    what);
			break;
		}
		out[n++] = xstrdup(s);
	}
	return out;
}

static void
strings_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Add matcher "{text}" parsed as PromQL's label matchers. */
static int
add_matchers(struct loader *ld, struct route *r, const char *text,
    yaml_node_t *at)
{
	struct promql_node *n = NULL;
	struct errbuf eb = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	size_t i;

	buf_adds(&b, "{");
	buf_adds(&b, text);
	buf_adds(&b, "}");
	buf_addch(&b, '\0');
	if (promql_parse_selector(b.p, &n, &eb) == -1) {
		buf_release(&b);
		return fail(ld, at, "matcher %s: %s", text, eb.msg);
	}
	buf_release(&b);
	for (i = 0; i < n->vs.nmatchers; i++) {
		r->m = xreallocarray(r->m, r->nm + 1, sizeof(*r->m));
		r->m[r->nm++] = n->vs.matchers[i];
		memset(&n->vs.matchers[i], 0, sizeof(n->vs.matchers[i]));
	}
	promql_free(n);
	return 0;
}

static int
read_route(struct loader *ld, yaml_node_t *m, struct route *r,
    const struct route *parent, const char *id)
{
	static const char *const names[] = { "receiver", "group_by",
		"group_wait", "group_interval", "repeat_interval", "matchers",
		"match", "match_re", "continue", "routes", "escalate_to",
		"escalate_after", NULL };
	yaml_node_t *v;
	yaml_node_item_t *it;
	yaml_node_pair_t *pr;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->id = xstrdup(id);
	if (m->type != YAML_MAPPING_NODE)
		return fail(ld, m, "a route must be a mapping");
	if (known(ld, m, names, "a route") == -1)
		return -1;
	/* Inherited, then overridden. */
	if (parent) {
		r->receiver = parent->receiver;
		r->group_all = parent->group_all;
		r->group_wait_ms = parent->group_wait_ms;
		r->group_interval_ms = parent->group_interval_ms;
		r->repeat_interval_ms = parent->repeat_interval_ms;
		r->escalate = parent->escalate;
		r->escalate_after_ms = parent->escalate_after_ms;
		if (parent->group_by) {
			for (i = 0; parent->group_by[i]; i++)
				;
			r->group_by = xcalloc(i + 1, sizeof(*r->group_by));
			for (i = 0; parent->group_by[i]; i++)
				r->group_by[i] = xstrdup(parent->group_by[i]);
		}
	} else {
		r->group_interval_ms = 5 * 60000;
		r->repeat_interval_ms = 4 * 3600000;
	}
	if ((v = yamldoc_field(ld->d, m, "receiver")) != NULL) {
		const char *s = yamldoc_scalar(v);
		r->receiver = NULL;
		for (i = 0; s && i < ld->c->nreceivers; i++)
			if (strcmp(ld->c->receivers[i].name, s) == 0)
				r->receiver = &ld->c->receivers[i];
		if (r->receiver == NULL)
			return fail(ld, v, "no receiver named %s", s ? s : "?");
	}
	if (r->receiver == NULL)
		return fail(ld, m, "the top route needs a receiver");
	if ((v = yamldoc_field(ld->d, m, "escalate_to")) != NULL) {
		const char *s = yamldoc_scalar(v);
		r->escalate = NULL;
		for (i = 0; s && i < ld->c->nreceivers; i++)
			if (strcmp(ld->c->receivers[i].name, s) == 0)
				r->escalate = &ld->c->receivers[i];
		if (r->escalate == NULL)
			return fail(ld, v, "no receiver named %s", s ? s : "?");
		if (yamldoc_field(ld->d, m, "escalate_after") == NULL)
			return fail(ld, v, "escalate_to needs escalate_after");
	}
	if (duration(ld, m, "escalate_after", &r->escalate_after_ms) == -1)
		return -1;
	if ((v = yamldoc_field(ld->d, m, "group_by")) != NULL) {
		strings_free(r->group_by);
		if ((r->group_by = strings(ld, v, "group_by")) == NULL)
			return -1;
		r->group_all = r->group_by[0] && strcmp(r->group_by[0], "...") == 0;
	}
	if (duration(ld, m, "group_wait", &r->group_wait_ms) == -1 ||
	    duration(ld, m, "group_interval", &r->group_interval_ms) == -1 ||
	    duration(ld, m, "repeat_interval", &r->repeat_interval_ms) == -1)
		return -1;
	if ((v = yamldoc_field(ld->d, m, "continue")) != NULL)
		r->cont = yamldoc_scalar(v) && strcmp(yamldoc_scalar(v), "true") == 0;
	if ((v = yamldoc_field(ld->d, m, "matchers")) != NULL) {
		char **l = strings(ld, v, "matchers");
		for (i = 0; l && l[i]; i++)
			if (add_matchers(ld, r, l[i], v) == -1)
				break;
		strings_free(l);
		if (ld->failed)
			return -1;
	}
	for (i = 0; i < 2; i++) {
		v = yamldoc_field(ld->d, m, i ? "match_re" : "match");
		if (v == NULL)
			continue;
		if (v->type != YAML_MAPPING_NODE)
			return fail(ld, v, "%s: a mapping", i ? "match_re" : "match");
		for (pr = v->data.mapping.pairs.start;
		    pr < v->data.mapping.pairs.top; pr++) {
			const char *k = yamldoc_scalar(yamldoc_node(ld->d, pr->key));
			const char *val = yamldoc_scalar(yamldoc_node(ld->d,
			    pr->value));
			struct buf b = BUF_INIT;
			int rc;
			if (k == NULL || val == NULL)
				return fail(ld, v, "match: names to strings");
			/* As a matcher: k="v" or k=~"v", the value quoted. */
			buf_adds(&b, k);
			buf_adds(&b, i ? "=~\"" : "=\"");
			for (; *val; val++) {
				if (*val == '"' || *val == '\\')
					buf_addch(&b, '\\');
				buf_addch(&b, *val);
			}
			buf_adds(&b, "\"");
			buf_addch(&b, '\0');
			rc = add_matchers(ld, r, b.p, v);
			buf_release(&b);
			if (rc == -1)
				return -1;
		}
	}
	if ((v = yamldoc_field(ld->d, m, "routes")) != NULL) {
		if (v->type != YAML_SEQUENCE_NODE)
			return fail(ld, v, "routes: a list of routes");
		r->children = xcalloc((size_t)(v->data.sequence.items.top -
		    v->data.sequence.items.start) + 1, sizeof(*r->children));
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			char cid[256];
			snprintf(cid, sizeof(cid), "%s.%zu", id, r->nchildren);
			if (read_route(ld, yamldoc_node(ld->d, *it),
			    &r->children[r->nchildren++], r, cid) == -1)
				return -1;
		}
	}
	return 0;
}

/*
 * The string 'name' of receiver 'm', a copy; NULL when it has none (or
 * it is not a string: said).  Mail headers take it whole, so it has no
 * control characters.
 */
static char *
receiver_string(struct loader *ld, yaml_node_t *m, const char *name)
{
	yaml_node_t *v = yamldoc_field(ld->d, m, name);
	const char *s, *p;

	if (v == NULL)
		return NULL;
	if ((s = yamldoc_scalar(v)) == NULL || *s == '\0') {
		fail(ld, v, "%s: a string", name);
		return NULL;
	}
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			fail(ld, v, "%s: no control characters", name);
			return NULL;
		}
	return xstrdup(s);
}

int
route_load(struct route_config *c, const char *path, char *msg, size_t size)
{
	static const char *const top[] = { "route", "receivers",
		"inhibit_rules", NULL };
	static const char *const inames[] = { "source_matchers",
		"target_matchers", "equal", NULL };
	static const char *const rnames[] = { "name", "command", "timeout",
		"format", "to", "from", "routing_key", NULL };
	static const char *const formats[] = { "webhook", "mail", "slack",
		"pagerduty", NULL };
	struct yamldoc d;
	struct loader ld = { &d, path, msg, size, 0, c };
	yaml_node_t *v;
	yaml_node_item_t *it;
	char ymsg[400];

	memset(c, 0, sizeof(*c));
	if (yamldoc_load(&d, path, ymsg, sizeof(ymsg)) == -1) {
		snprintf(msg, size, "%s: %s", path, ymsg);
		return -1;
	}
	if (d.root == NULL || d.root->type != YAML_MAPPING_NODE) {
		fail(&ld, d.root, "a mapping with route and receivers is needed");
		goto out;
	}
	if (known(&ld, d.root, top, "the routes file") == -1)
		goto out;
	if ((v = yamldoc_field(&d, d.root, "receivers")) == NULL ||
	    v->type != YAML_SEQUENCE_NODE) {
		fail(&ld, v ? v : d.root, "receivers: a list is needed");
		goto out;
	}
	c->receivers = xcalloc((size_t)(v->data.sequence.items.top -
	    v->data.sequence.items.start) + 1, sizeof(*c->receivers));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	    it++) {
		yaml_node_t *rm = yamldoc_node(&d, *it), *f;
		struct route_receiver *rv = &c->receivers[c->nreceivers];
		const char *name;
		size_t i;
		if (rm->type != YAML_MAPPING_NODE ||
		    known(&ld, rm, rnames, "a receiver") == -1 ||
		    (f = yamldoc_field(&d, rm, "name")) == NULL ||
		    (name = yamldoc_scalar(f)) == NULL || *name == '\0') {
			fail(&ld, rm, "a receiver needs a name");
			goto out;
		}
		for (i = 0; i < c->nreceivers; i++)
			if (strcmp(c->receivers[i].name, name) == 0) {
				fail(&ld, f, "receiver %s is defined twice", name);
				goto out;
			}
		rv->name = xstrdup(name);
		rv->timeout_ms = 10000;
		c->nreceivers++;
		if ((f = yamldoc_field(&d, rm, "command")) != NULL &&
		    ((rv->argv = strings(&ld, f, "command")) == NULL ||
		    rv->argv[0] == NULL)) {
			fail(&ld, f, "command: a program and its arguments");
			goto out;
		}
		if (duration(&ld, rm, "timeout", &rv->timeout_ms) == -1)
			goto out;
		if ((f = yamldoc_field(&d, rm, "format")) != NULL) {
			const char *fs = yamldoc_scalar(f);
			for (i = 0; fs && formats[i] && strcmp(formats[i], fs); i++)
				;
			if (fs == NULL || formats[i] == NULL) {
				fail(&ld, f, "format: webhook, mail, slack or "
				    "pagerduty, not %s", fs ? fs : "a list");
				goto out;
			}
			rv->format = (enum route_format)i;
		}
		rv->to = receiver_string(&ld, rm, "to");
		rv->from = receiver_string(&ld, rm, "from");
		rv->routing_key = receiver_string(&ld, rm, "routing_key");
		if (ld.failed)
			goto out;
		if (rv->format == ROUTE_MAIL && rv->to == NULL) {
			fail(&ld, rm, "receiver %s: format mail needs to", name);
			goto out;
		}
		if (rv->format == ROUTE_PAGERDUTY && rv->routing_key == NULL) {
			fail(&ld, rm, "receiver %s: format pagerduty needs "
			    "routing_key", name);
			goto out;
		}
	}
	if ((v = yamldoc_field(&d, d.root, "route")) == NULL) {
		fail(&ld, d.root, "route: the top route is needed");
		goto out;
	}
	if (read_route(&ld, v, &c->root, NULL, "0") == -1)
		goto out;
	if ((v = yamldoc_field(&d, d.root, "inhibit_rules")) != NULL) {
		if (v->type != YAML_SEQUENCE_NODE) {
			fail(&ld, v, "inhibit_rules: a list");
			goto out;
		}
		c->inhibits = xcalloc((size_t)(v->data.sequence.items.top -
		    v->data.sequence.items.start) + 1, sizeof(*c->inhibits));
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			yaml_node_t *im = yamldoc_node(&d, *it), *f;
			struct route_inhibit *ih = &c->inhibits[c->ninhibits++];
			int k;
			if (im->type != YAML_MAPPING_NODE ||
			    known(&ld, im, inames, "an inhibit rule") == -1) {
				fail(&ld, im, "an inhibit rule must be a mapping");
				goto out;
			}
			for (k = 0; k < 2; k++) {
				char **l;
				size_t i;
				struct route *r = k ? &ih->dst : &ih->src;
				f = yamldoc_field(&d, im, k ? "target_matchers" :
				    "source_matchers");
				if (f == NULL)
					continue;
				if ((l = strings(&ld, f, "matchers")) == NULL)
					goto out;
				for (i = 0; l[i]; i++)
					if (add_matchers(&ld, r, l[i], f) == -1)
						break;
				strings_free(l);
				if (ld.failed)
					goto out;
			}
			if ((f = yamldoc_field(&d, im, "equal")) != NULL &&
			    (ih->equal = strings(&ld, f, "equal")) == NULL)
				goto out;
		}
	}
out:
	yamldoc_free(&d);
	if (ld.failed) {
		route_free(c);
		return -1;
	}
	return 0;
}

static void
route_release(struct route *r)
{
	size_t i;

	for (i = 0; i < r->nm; i++)
		matcher_release(&r->m[i]);
	free(r->m);
	strings_free(r->group_by);
	for (i = 0; i < r->nchildren; i++)
		route_release(&r->children[i]);
	free(r->children);
	free(r->id);
}

void
route_free(struct route_config *c)
{
	size_t i;

	route_release(&c->root);
	for (i = 0; i < c->ninhibits; i++) {
		route_release(&c->inhibits[i].src);
		route_release(&c->inhibits[i].dst);
		strings_free(c->inhibits[i].equal);
	}
	free(c->inhibits);
	for (i = 0; i < c->nreceivers; i++) {
		free(c->receivers[i].name);
		strings_free(c->receivers[i].argv);
		free(c->receivers[i].to);
		free(c->receivers[i].from);
		free(c->receivers[i].routing_key);
	}
	free(c->receivers);
	memset(c, 0, sizeof(*c));
}

static int
matches(const struct route *r, const struct tmpl_label *l, size_t n)
{
	size_t i, k;

	for (i = 0; i < r->nm; i++) {
		const char *v = "";
		for (k = 0; k < n; k++)
			if (strcmp(l[k].name, r->m[i].name) == 0) {
				v = l[k].value;
				break;
			}
		if (!matcher_matches(&r->m[i], v, strlen(v)))
			return 0;
	}
	return 1;
}

/* Alertmanager's descent: the route takes what no child takes. */
static size_t
descend(const struct route *r, const struct tmpl_label *l, size_t n,
    const struct route **out, size_t max, size_t got)
{
	size_t i, before = got;

	for (i = 0; i < r->nchildren && got < max; i++) {
		if (!matches(&r->children[i], l, n))
			continue;
		got = descend(&r->children[i], l, n, out, max, got);
		if (!r->children[i].cont)
			break;
	}
	if (got == before && got < max)
		out[got++] = r;
	return got;
}

size_t
route_match(const struct route_config *c, const struct tmpl_label *labels,
    size_t nlabels, const struct route **out, size_t max)
{
	if (max == 0 || !matches(&c->root, labels, nlabels))
		return 0;
	return descend(&c->root, labels, nlabels, out, max, 0);
}

static const char *
value_of(const struct route_labels *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->l[i].name, name) == 0)
			return a->l[i].value;
	return "";
}

int
route_inhibited(const struct route_config *c,
    const struct route_labels *firing, size_t nfiring,
    const struct route_labels *self)
{
	size_t i, k, e;

	for (i = 0; i < c->ninhibits; i++) {
		const struct route_inhibit *ih = &c->inhibits[i];
		if (!matches(&ih->dst, self->l, self->n))
			continue;
		for (k = 0; k < nfiring; k++) {
			const struct route_labels *src = &firing[k];
			int same = 1;
			/* An alert does not inhibit itself. */
			if (src->l == self->l ||
			    !matches(&ih->src, src->l, src->n))
				continue;
			for (e = 0; same && ih->equal && ih->equal[e]; e++)
				same = strcmp(value_of(src, ih->equal[e]),
				    value_of(self, ih->equal[e])) == 0;
			if (same)
				return 1;
		}
	}
	return 0;
}
