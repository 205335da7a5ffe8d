/* fuzz_auth.c - tokens files */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "fuzz.h"
#include "net/auth.h"

/*
 * A file loads or says why in one line; a loaded file's tenants are
 * names, and each of its tokens finds its tenant.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errbuf eb = ERRBUF_INIT;
	struct auth *a = auth_parse((const char *)data, size, "f", &eb);
	size_t i;

	if (a == NULL) {
		fuzz_check_message(eb.msg);
		return 0;
	}
	fuzz_assert(auth_ntenants(a) > 0);
	for (i = 0; i < auth_ntenants(a); i++)
		fuzz_assert(auth_tenant(a, i)->name[0] != '\0');
	fuzz_assert(auth_check(a, NULL) == -1);
	fuzz_assert(auth_check(a, "Bearer ") == -1);
	auth_free(a);
	return 0;
}
