/* fuzz_conf.c - mtk.conf: the settings file, and the store's settings */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "base/conf.h"
#include "store/store.h"
#include "store/store_int.h"

/* Keys are [a-z0-9_.]+, values one line without surrounding blanks. */
static void
check_conf(const struct conf *c)
{
	const char *v;
	unsigned line;
	size_t i;

	for (i = 0; i < c->n; i++) {
		const char *k = c->v[i].key;
		fuzz_assert(k[0] != '\0' &&
		    strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_.") ==
		    strlen(k));
		fuzz_assert(strchr(c->v[i].value, '\n') == NULL);
		/* The last of a repeated key counts. */
		v = conf_get(c, k, &line);
		fuzz_assert(v != NULL && line >= c->v[i].line);
	}
}

/* Settings written out and read back are the same settings. */
static void
check_roundtrip(const char *dir, const struct store_settings *set)
{
	struct store_settings back = STORE_SETTINGS_INIT;
	struct errbuf eb = ERRBUF_INIT;
	char path[PATH_MAX];
	int t;

	if (store_settings_write(dir, set, &eb) == -1)
		return;		/* out of space: not the parser's doing */
	snprintf(path, sizeof(path), "%s/mtk.conf", dir);
	if (store_settings_load(path, &back, &eb) == -1) {
		fprintf(stderr, "written settings do not load: %s\n", eb.msg);
		fuzz_assert(!"written settings load");
	}
	for (t = 0; t < STORE_NTIERS; t++)
		fuzz_assert(back.retention[t] == set->retention[t]);
	fuzz_assert(back.archive == set->archive);
	fuzz_assert(back.archive_tiers == set->archive_tiers);
	fuzz_assert((back.sketch == NULL) == (set->sketch == NULL));
	fuzz_assert(set->sketch == NULL ||
	    strcmp(back.sketch, set->sketch) == 0);
	store_settings_release(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c = CONF_INIT;
	struct errbuf eb = ERRBUF_INIT;
	int64_t ret[STORE_NTIERS] = STORE_RETENTION_DEFAULTS;
	const char *dir;
	char path[PATH_MAX], *spec;
	struct store *st;
	FILE *fp;
	int fd, t;

	/* The file alone. */
	if ((fd = fuzz_memfile(data, size, path)) != -1) {
		if (conf_load(&c, path, &eb) == 0)
			check_conf(&c);
		else
			fuzz_assert(eb.msg[0] != '\0');
		conf_release(&c);
		close(fd);
	}

	/* As a retention setting ("raw=24h,1m=7d"). */
	spec = malloc(size + 1);
	fuzz_assert(spec != NULL);
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (store_parse_retention(spec, ret, &eb) == 0)
		for (t = 0; t < STORE_NTIERS; t++)
			fuzz_assert(ret[t] > 0);
	free(spec);

	/* As the mtk.conf of a store. */
	if ((dir = fuzz_scratch_dir()) == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/mtk.conf", dir);
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	if (fwrite(data, 1, size, fp) != size) {
		fclose(fp);
		return 0;
	}
	fclose(fp);
	if ((st = store_open(dir, 0, &eb)) == NULL) {
		fuzz_assert(eb.msg[0] != '\0');
		return 0;
	}
	for (t = 0; t < STORE_NTIERS; t++)
		fuzz_assert(store_retention(st, (enum store_tier)t) > 0);
	check_roundtrip(dir, store_settings(st));
	store_close(st);
	return 0;
}
