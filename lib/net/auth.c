/* auth.c - bearer tokens of a file, each naming a tenant and its rate */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "net/auth.h"

#define TENANT_MAX 128
#define TOKEN_MIN 16
#define TOKEN_MAX 256
#define AUTH_FILE_MAX (16 * 1024 * 1024)

struct token {
	char *text;
	size_t len;
	int tenant;
};

struct auth {
	struct auth_tenant *tenant;
	size_t ntenant, tenant_cap;
	struct token *token;
	size_t ntoken, token_cap;
};

void
auth_free(struct auth *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->ntenant; i++)
		free((char *)a->tenant[i].name);
	for (i = 0; i < a->ntoken; i++) {
		/* Secrets do not stay behind in freed memory. */
		explicit_bzero(a->token[i].text, a->token[i].len);
		free(a->token[i].text);
	}
	free(a->tenant);
	free(a->token);
	free(a);
}

size_t
auth_ntenants(const struct auth *a)
{
	return a->ntenant;
}

const struct auth_tenant *
auth_tenant(const struct auth *a, size_t i)
{
	return &a->tenant[i];
}

/* A tenant's name: printable, no quote or backslash to trip a reader. */
static int
tenant_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > TENANT_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

int
auth_rate_parse(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && strcmp(end, "/s") == 0)
		end += 2;
	if (errno || end == s || *end || !(v > 0 && v < 1e15))
		return -1;
	*out = v;
	return 0;
}

static int
tenant_index(struct auth *a, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < a->ntenant; i++)
		if (strlen(a->tenant[i].name) == n &&
		    memcmp(a->tenant[i].name, name, n) == 0)
			return (int)i;
	a->tenant = xgrow(a->tenant, &a->tenant_cap, a->ntenant + 1,
	    sizeof(*a->tenant));
	a->tenant[a->ntenant] = (struct auth_tenant){ xstrndup(name, n), 0, 0 };
	return (int)a->ntenant++;
}

/* One line's words; 0, or -1 with why in 'eb'. */
static int
parse_line(struct auth *a, char *line, const char *path, size_t lineno,
    struct errbuf *eb)
{
	char *w[4], *save = NULL, *p, q[160];
	size_t n = 0, i, tl;
	int t, first;

	for (p = strtok_r(line, " \t", &save); p; p = strtok_r(NULL, " \t",
	    &save)) {
		if (n == 4)
			return errbuf_set(eb, "%s:%zu: more than TENANT TOKEN "
			    "rate=N burst=N", path, lineno);
		w[n++] = p;
	}
	if (n == 0)
		return 0;
	if (n < 2)
		return errbuf_set(eb, "%s:%zu: a tenant without a token", path,
		    lineno);
	if (!tenant_ok(w[0], strlen(w[0])))
		return errbuf_set(eb, "%s:%zu: '%s': not a tenant name "
		    "(printable, no quotes, at most %d bytes)", path, lineno,
		    errbuf_quote(q, sizeof(q), w[0], strlen(w[0])), TENANT_MAX);
	tl = strlen(w[1]);
	if (tl < TOKEN_MIN || tl > TOKEN_MAX)
		return errbuf_set(eb, "%s:%zu: a token is %d to %d bytes, this "
		    "one %zu", path, lineno, TOKEN_MIN, TOKEN_MAX, tl);
	for (i = 0; i < tl; i++)
		if ((unsigned char)w[1][i] < 0x21 || (unsigned char)w[1][i] > 0x7e)
			return errbuf_set(eb, "%s:%zu: a token is printable "
			    "ASCII", path, lineno);
	for (i = 0; i < a->ntoken; i++)
		if (a->token[i].len == tl && memcmp(a->token[i].text, w[1],
		    tl) == 0)
			return errbuf_set(eb, "%s:%zu: this token is given "
			    "twice", path, lineno);
	first = 1;
	for (i = 0; i < a->ntenant; i++)
		if (strcmp(a->tenant[i].name, w[0]) == 0)
			first = 0;
	t = tenant_index(a, w[0], strlen(w[0]));
	for (i = 2; i < n; i++) {
		double v;
		int is_rate = strncmp(w[i], "rate=", 5) == 0;
		if (!is_rate && strncmp(w[i], "burst=", 6) != 0)
			return errbuf_set(eb, "%s:%zu: '%s': rate=N or burst=N",
			    path, lineno, errbuf_quote(q, sizeof(q), w[i],
			    strlen(w[i])));
		if (auth_rate_parse(w[i] + (is_rate ? 5 : 6), &v) == -1)
			return errbuf_set(eb, "%s:%zu: '%s': not a positive "
			    "number", path, lineno, errbuf_quote(q, sizeof(q),
			    w[i], strlen(w[i])));
		if (!first)
			continue;
		if (is_rate)
			a->tenant[t].rate = v;
		else
			a->tenant[t].burst = v;
	}
	a->token = xgrow(a->token, &a->token_cap, a->ntoken + 1,
	    sizeof(*a->token));
	a->token[a->ntoken++] = (struct token){ xstrndup(w[1], tl), tl, t };
	return 0;
}

struct auth *
auth_parse(const char *text, size_t len, const char *path, struct errbuf *eb)
{
	struct auth *a = xcalloc(1, sizeof(*a));
	char *line = xmalloc(len + 1);
	const char *p = text, *end = text + len;
	size_t lineno = 0;
	int bad = 0;

	while (p < end && !bad) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		lineno++;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (memchr(line, '\0', n))
			bad = errbuf_set(eb, "%s:%zu: a NUL byte", path, lineno);
		else if (line[strspn(line, " \t")] != '#')
			bad = parse_line(a, line, path, lineno, eb);
	}
	explicit_bzero(line, len + 1);
	free(line);
	if (!bad && a->ntoken == 0)
		bad = errbuf_set(eb, "%s: no token", path);
	if (bad) {
		auth_free(a);
		return NULL;
	}
	return a;
}

struct auth *
auth_load(const char *path, struct errbuf *eb)
{
	struct auth *a = NULL;
	struct stat sb;
	char *text;
	ssize_t got = 0, r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errbuf_set(eb, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		errbuf_set(eb, "%s: not a file", path);
		close(fd);
		return NULL;
	}
	if (sb.st_mode & (S_IWGRP | S_IRWXO)) {
		errbuf_set(eb, "%s: others may read or change it (mode %03o): "
		    "chmod 600 or 640", path, (unsigned)(sb.st_mode & 0777));
		close(fd);
		return NULL;
	}
	if (sb.st_size > AUTH_FILE_MAX) {
		errbuf_set(eb, "%s: more than %d bytes", path, AUTH_FILE_MAX);
		close(fd);
		return NULL;
	}
	text = xmalloc((size_t)sb.st_size + 1);
	while (got < sb.st_size && (r = read(fd, text + got,
	    (size_t)(sb.st_size - got))) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			errbuf_set(eb, "%s: %s", path, strerror(errno));
			got = -1;
			break;
		}
		got += r;
	}
	close(fd);
	if (got >= 0)
		a = auth_parse(text, (size_t)got, path, eb);
	explicit_bzero(text, (size_t)sb.st_size + 1);
	free(text);
	return a;
}

/* Equal, in time that depends on the lengths only. */
static int
same(const char *a, size_t an, const char *b, size_t bn)
{
	unsigned char d = an != bn;
	size_t i;

	for (i = 0; i < an && i < bn; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int
auth_check(const struct auth *a, const char *authorization)
{
	const char *tok;
	size_t n, i;
	int found = -1;

	if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7))
		return -1;
	tok = authorization + 7;
	while (*tok == ' ')
		tok++;
	n = strlen(tok);
	while (n && tok[n - 1] == ' ')
		n--;
	/* Every token is compared, whichever matches. */
	for (i = 0; i < a->ntoken; i++)
		if (same(a->token[i].text, a->token[i].len, tok, n) &&
		    found == -1)
			found = a->token[i].tenant;
	return found;
}

void
bucket_init(struct bucket *b, double rate, double burst, int64_t now)
{
	b->rate = rate;
	b->burst = burst > 0 ? burst : rate;
	if (b->burst < 1)
		b->burst = 1;
	b->level = b->burst;
	b->last = now;
}

int64_t
bucket_wait(struct bucket *b, int64_t now)
{
	if (b->rate <= 0)
		return 0;
	if (now > b->last) {
		b->level += b->rate * (double)(now - b->last) / 1000.0;
		if (b->level > b->burst)
			b->level = b->burst;
		b->last = now;
	}
	if (b->level >= 1)
		return 0;
	return (int64_t)ceil((1.0 - b->level) * 1000.0 / b->rate);
}

void
bucket_take(struct bucket *b, double n)
{
	if (b->rate > 0)
		b->level -= n;
}
