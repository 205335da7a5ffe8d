/* conf.c - the "key = value" settings files */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/conf.h"
#include "base/xalloc.h"

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
key_valid(const char *k)
{
	if (*k == '\0')
		return 0;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ||
		    *k == '_' || *k == '.'))
			return 0;
	return 1;
}

int
conf_load(struct conf *c, const char *path, struct errbuf *eb)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL, *k, *v, *eq;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = -1;

	if (fp == NULL)
		return errbuf_set(eb, "cannot open '%s': %s", path,
		    strerror(errno));
	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			errbuf_set(eb, "%s:%u: expected 'key = value'", path,
			    lineno);
			goto out;
		}
		*eq = '\0';
		v = trim(eq + 1);
		k = trim(k);
		if (!key_valid(k)) {
			errbuf_set(eb, "%s:%u: invalid key '%s'", path, lineno, k);
			goto out;
		}
		conf_set(c, k, v);
		c->v[c->n - 1].line = lineno;
	}
	if (ferror(fp)) {
		errbuf_set(eb, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(line);
	fclose(fp);
	return rc;
}

const char *
conf_get(const struct conf *c, const char *key, unsigned *line)
{
	size_t i;

	for (i = c->n; i-- > 0;)
		if (strcmp(c->v[i].key, key) == 0) {
			if (line)
				*line = c->v[i].line;
			return c->v[i].value;
		}
	return NULL;
}

void
conf_set(struct conf *c, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0) {
			/* Move it last, so the last setting wins. */
			struct conf_entry e = c->v[i];
			free(e.value);
			e.value = xstrdup(value);
			memmove(&c->v[i], &c->v[i + 1],
			    (c->n - i - 1) * sizeof(*c->v));
			c->v[c->n - 1] = e;
			return;
		}
	c->v = xgrow(c->v, &c->cap, c->n + 1, sizeof(*c->v));
	c->v[c->n].key = xstrdup(key);
	c->v[c->n].value = xstrdup(value);
	c->v[c->n].line = 0;
	c->n++;
}

void
conf_release(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}
