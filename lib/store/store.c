/* store.c - the store directory, its settings, and its lock */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/conf.h"
#include "store/store_int.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "store/block.h"

static const char *const tier_names[STORE_NTIERS] = { "raw", "1m", "5m", "1h" };

const char *
store_tier_name(enum store_tier t)
{
	return tier_names[t];
}

/* mkdir -p */
static int
make_dirs(const char *path, struct errbuf *eb)
{
	char tmp[PATH_MAX], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return errbuf_set(eb, "path too long: '%s'", path);
	for (p = tmp + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
				return errbuf_set(eb, "cannot create '%s': %s",
				    tmp, strerror(errno));
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

int
store_parse_retention(const char *spec, int64_t ret[STORE_NTIERS], struct errbuf *eb)
{
	char *copy = xstrdup(spec), *tok, *save = NULL;
	int rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int t;
		if (eq == NULL) {
			rc = errbuf_set(eb, "retention '%s': expected tier=duration",
			    tok);
			break;
		}
		*eq = '\0';
		for (t = 0; t < STORE_NTIERS; t++)
			if (strcmp(tok, tier_names[t]) == 0)
				break;
		if (t == STORE_NTIERS)
			rc = errbuf_set(eb, "unknown tier '%s' (raw, 1m, 5m, 1h)",
			    tok);
		else if (ts_parse_duration(eq + 1, &ret[t]) == -1 || ret[t] <= 0)
			rc = errbuf_set(eb, "invalid retention '%s' for tier %s",
			    eq + 1, tok);
		/* Minutes of data are no retention; "1m" meant a month. */
		else if (ret[t] < 3600000)
			rc = errbuf_set(eb, "retention '%s' for tier %s is less "
			    "than an hour%s", eq + 1, tok,
			    eq[1] != '\0' && eq[strlen(eq + 1)] == 'm' ?
			    " ('m' is minutes: a month is 30d)" : "");
	}
	free(copy);
	return rc;
}

static void
format_duration(char *out, size_t len, int64_t ms)
{
	static const struct { int64_t ms; const char *u; } units[] = {
		{ 86400000, "d" }, { 3600000, "h" }, { 60000, "m" },
		{ 1000, "s" }, { 1, "ms" },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ms % units[i].ms == 0) {
			snprintf(out, len, "%lld%s", (long long)(ms / units[i].ms),
			    units[i].u);
			return;
		}
}

static const char *const archive_names[] = { "off", "zstd", "xz" };

void
store_settings_release(struct store_settings *s)
{
	free(s->sketch);
	s->sketch = NULL;
	free(s->unknown);
	s->unknown = NULL;
}

int
store_settings_write(const char *dir, const struct store_settings *set,
    struct errbuf *eb)
{
	const int64_t *ret = set->retention;
	char path[PATH_MAX], tmp[PATH_MAX], d[32];
	FILE *fp;
	int t, first;

	snprintf(path, sizeof(path), "%s/mtk.conf", dir);
	/* Named as store_remove_stale_tmp() expects. */
	snprintf(tmp, sizeof(tmp), "%s/.tmp-mtk.conf-%d", dir, (int)getpid());
	if ((fp = fopen(tmp, "w")) == NULL)
		return errbuf_set(eb, "cannot create '%s': %s", tmp,
		    strerror(errno));
	fprintf(fp, "# mtk store settings: see mtk-store(5).\n"
	    "format = 1\n"
	    "# How long each tier keeps data; mroll removes what is older.\n");
	for (t = 0; t < STORE_NTIERS; t++) {
		format_duration(d, sizeof(d), ret[t]);
		fprintf(fp, "retention.%s = %s\n", tier_names[t], d);
	}
	fprintf(fp, "# Archive what expires from these tiers (off, zstd, xz).\n"
	    "archive = %s\narchive.tiers =", archive_names[set->archive]);
	for (t = 0, first = 1; t < STORE_NTIERS; t++)
		if (set->archive_tiers & (1u << t)) {
			fprintf(fp, "%s%s", first ? " " : ",", tier_names[t]);
			first = 0;
		}
	fprintf(fp, "\n# Gauges that also keep quantile sketches when rolled "
	    "(name globs).\nsketch =%s%s\n", set->sketch ? " " : "",
	    set->sketch ? set->sketch : "");
	if (fflush(fp) == EOF || fsync(fileno(fp)) == -1 || ferror(fp)) {
		fclose(fp);
		unlink(tmp);
		return errbuf_set(eb, "cannot write '%s': %s", tmp,
		    strerror(errno));
	}
	fclose(fp);
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		return errbuf_set(eb, "cannot rename '%s': %s", tmp,
		    strerror(errno));
	}
	return 0;
}

/* Parse "1m,1h" into a bit per tier.  Returns 0 or -1. */
static int
parse_tiers(const char *v, unsigned *out)
{
	char *copy = xstrdup(v), *tok, *save = NULL;
	int t, rc = 0;

	*out = 0;
	for (tok = strtok_r(copy, ", ", &save); tok && rc == 0;
	    tok = strtok_r(NULL, ", ", &save)) {
		for (t = 0; t < STORE_NTIERS; t++)
			if (strcmp(tok, tier_names[t]) == 0)
				break;
		if (t == STORE_NTIERS)
			rc = -1;
		else
			*out |= 1u << t;
	}
	free(copy);
	return rc;
}

/* Whether 'key' is one of mtk.conf's (mtk-store(5)). */
static int
conf_key_known(const char *key)
{
	static const char *const keys[] = { "format", "archive",
		"archive.tiers", "sketch" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	for (i = 0; i < STORE_NTIERS; i++)
		if (strncmp(key, "retention.", 10) == 0 &&
		    strcmp(key + 10, tier_names[i]) == 0)
			return 1;
	return 0;
}

/* Read DIR/mtk.conf into 'set'.  Returns 0, -1 with 'eb', or 1 if absent. */
static int
read_conf(const char *dir, struct store_settings *set, struct errbuf *eb)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/mtk.conf", dir);
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 1;
	return store_settings_load(path, set, eb);
}

int
store_settings_load(const char *path, struct store_settings *set,
    struct errbuf *eb)
{
	int64_t *ret = set->retention;
	struct conf c = CONF_INIT;
	const char *v;
	unsigned line;
	size_t i;
	int t, rc = -1;

	if (conf_load(&c, path, eb) == -1)
		goto out;
	if ((v = conf_get(&c, "format", &line)) != NULL && strcmp(v, "1") != 0) {
		errbuf_set(eb, "%s:%u: unsupported store format '%s'", path,
		    line, v);
		goto out;
	}
	for (t = 0; t < STORE_NTIERS; t++) {
		char key[32];
		snprintf(key, sizeof(key), "retention.%s", tier_names[t]);
		if ((v = conf_get(&c, key, &line)) == NULL)
			continue;
		if (ts_parse_duration(v, &ret[t]) == -1 || ret[t] <= 0) {
			errbuf_set(eb, "%s:%u: invalid duration '%s'", path,
			    line, v);
			goto out;
		}
	}
	if ((v = conf_get(&c, "archive", &line)) != NULL) {
		for (t = 0; t < 3; t++)
			if (strcmp(v, archive_names[t]) == 0)
				break;
		if (t == 3) {
			errbuf_set(eb, "%s:%u: archive: expected off, zstd or "
			    "xz, not '%s'", path, line, v);
			goto out;
		}
		set->archive = (enum store_archive)t;
	}
	if ((v = conf_get(&c, "archive.tiers", &line)) != NULL &&
	    parse_tiers(v, &set->archive_tiers) == -1) {
		errbuf_set(eb, "%s:%u: archive.tiers: expected tiers "
		    "(raw, 1m, 5m, 1h), not '%s'", path, line, v);
		goto out;
	}
	if ((v = conf_get(&c, "sketch", &line)) != NULL) {
		free(set->sketch);
		set->sketch = *v ? xstrdup(v) : NULL;
	}
	for (i = 0; i < c.n && set->unknown == NULL; i++)
		if (!conf_key_known(c.v[i].key)) {
			char msg[sizeof(eb->msg)];
			snprintf(msg, sizeof(msg), "%s:%u: unknown setting '%s'",
			    path, c.v[i].line, c.v[i].key);
			set->unknown = xstrdup(msg);
		}
	rc = 0;
out:
	conf_release(&c);
	return rc;
}

static int
make_layout(const char *dir, struct errbuf *eb)
{
	char path[PATH_MAX];
	int t;

	for (t = 0; t < STORE_NTIERS; t++) {
		int fd;
		snprintf(path, sizeof(path), "%s/%s", dir, tier_names[t]);
		if (make_dirs(path, eb) == -1)
			return -1;
		/* The lock files too, so that read-only readers find them. */
		snprintf(path, sizeof(path), "%s/%s/.lock", dir, tier_names[t]);
		if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
			return errbuf_set(eb, "cannot create '%s': %s", path,
			    strerror(errno));
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/raw/wal", dir);
	return make_dirs(path, eb);
}

int
store_init(const char *dir, const char *retention, struct errbuf *eb)
{
	struct store_settings set = STORE_SETTINGS_INIT;
	int rc = -1;

	if (make_dirs(dir, eb) == -1 || read_conf(dir, &set, eb) == -1)
		goto out;
	/* Rewriting mtk.conf would lose the line: it must be fixed first. */
	if (set.unknown) {
		errbuf_set(eb, "%s (init would drop it)", set.unknown);
		goto out;
	}
	if (retention && store_parse_retention(retention, set.retention,
	    eb) == -1)
		goto out;
	if (make_layout(dir, eb) == -1)
		goto out;
	rc = store_settings_write(dir, &set, eb);
out:
	store_settings_release(&set);
	return rc;
}

struct store *
store_open(const char *dir, int create, struct errbuf *eb)
{
	struct store_settings set = STORE_SETTINGS_INIT;
	struct store *st;
	int rc;

	rc = read_conf(dir, &set, eb);
	if (rc == -1) {
		store_settings_release(&set);
		return NULL;
	}
	if (rc == 1) {
		if (!create) {
			errbuf_set(eb, "no store in '%s' (create one with "
			    "'mstore init -d %s')", dir, dir);
			return NULL;
		}
		if (store_init(dir, NULL, eb) == -1)
			return NULL;
	} else if (create && make_layout(dir, eb) == -1) {
		store_settings_release(&set);
		return NULL;
	}
	st = xcalloc(1, sizeof(*st));
	st->dir = xstrdup(dir);
	st->set = set;
	memcpy(st->retention, set.retention, sizeof(st->retention));
	return st;
}

void
store_close(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->ndamage; i++) {
		free(st->damage[i].path);
		free(st->damage[i].msg);
	}
	free(st->damage);
	free(st->dir);
	store_settings_release(&st->set);
	matcher_release(&st->scope);
	free(st);
}

void
store_use_cache(struct store *st, struct block_cache *c)
{
	st->cache = c;
}

const char *
store_fsync_name(size_t i)
{
	static const char *const names[] = { "batch", "always", "never" };

	return i < sizeof(names) / sizeof(names[0]) ? names[i] : NULL;
}

int
store_fsync_parse(const char *name, enum store_fsync *out)
{
	size_t i;

	for (i = 0; store_fsync_name(i); i++)
		if (strcmp(store_fsync_name(i), name) == 0) {
			*out = (enum store_fsync)i;
			return 0;
		}
	return -1;
}

int
store_restrict(struct store *st, const char *name, const char *value,
    struct errbuf *eb)
{
	if (st->scoped)
		return errbuf_set(eb, "the store is restricted already");
	if (matcher_init(&st->scope, MATCHER_EQ, name, value, strlen(value),
	    eb) == -1)
		return -1;
	st->scoped = 1;
	return 0;
}

void
store_damage_note(struct store *st, const char *path, const char *msg)
{
	size_t i;

	for (i = 0; i < st->ndamage; i++)
		if (strcmp(st->damage[i].path, path) == 0)
			return;
	st->damage = xgrow(st->damage, &st->damage_cap, st->ndamage + 1,
	    sizeof(*st->damage));
	st->damage[st->ndamage].path = xstrdup(path);
	st->damage[st->ndamage].msg = xstrdup(msg);
	st->ndamage++;
}

size_t
store_damage_count(const struct store *st)
{
	return st->ndamage;
}

const char *
store_damage(const struct store *st, size_t i)
{
	return st->damage[i].msg;
}

const char *
store_dir(const struct store *st)
{
	return st->dir;
}

int64_t
store_retention(const struct store *st, enum store_tier t)
{
	return st->retention[t];
}

const struct store_settings *
store_settings(const struct store *st)
{
	return &st->set;
}

void
store_path(const struct store *st, char *out, const char *a, const char *b)
{
	/* Store paths are short; a directory too long fails at open(2). */
	if (snprintf(out, PATH_MAX, "%s/%s%s%s", st->dir, a, b ? "/" : "",
	    b ? b : "") >= PATH_MAX)
		out[0] = '\0';
}

int
store_lock(const struct store *st, enum store_tier t, int exclusive,
    struct errbuf *eb)
{
	char path[PATH_MAX];
	int fd;

	store_path(st, path, tier_names[t], ".lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1 && (errno == EACCES || errno == EROFS))
		fd = open(path, O_RDONLY | O_CLOEXEC);
	/*
	 * A reader that may not create the lock file (a read-only user, a
	 * read-only copy) reads unlocked: no writer has used the tier yet,
	 * or one would have made the file, and a file removed between
	 * listing and opening is passed over as removed.
	 */
	if (fd == -1 && errno == ENOENT && !exclusive)
		return STORE_UNLOCKED;
	if (fd == -1)
		return errbuf_set(eb, "cannot open '%s': %s", path,
		    strerror(errno));
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) == -1) {
		if (errno != EINTR) {
			errbuf_set(eb, "cannot lock '%s': %s", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

void
store_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int
store_list(const char *dir, const char *suffix, char ***names, size_t *n,
    struct errbuf *eb)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0, sl = strlen(suffix);

	*names = NULL;
	*n = 0;
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return errbuf_set(eb, "cannot read '%s': %s", dir,
		    strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l <= sl ||
		    strcmp(de->d_name + l - sl, suffix) != 0)
			continue;
		*names = xgrow(*names, &cap, *n + 1, sizeof(**names));
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	return 0;
}

void
store_list_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void
store_remove_stale_tmp(const struct store *st, const char *a, const char *b)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	store_path(st, dir, a, b);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		const char *dash;
		long pid;
		if (strncmp(de->d_name, ".tmp-", 5) != 0 ||
		    (dash = strrchr(de->d_name, '-')) == NULL)
			continue;
		/* The name ends with its writer's process id. */
		pid = strtol(dash + 1, NULL, 10);
		if (pid > 0 && kill((pid_t)pid, 0) == -1 && errno == ESRCH) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	}
	closedir(d);
}

int64_t
store_window_start(int64_t ts)
{
	int64_t w = ts / STORE_BLOCK_MS * STORE_BLOCK_MS;

	/* Division truncates toward zero; windows start below. */
	return ts < 0 && w != ts ? w - STORE_BLOCK_MS : w;
}
