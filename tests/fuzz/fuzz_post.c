/* fuzz_post.c - HTTP answers, as mpush reads them without libcurl */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "fuzz.h"
#include "net/post.h"

/* An answer parses or is refused; a parsed one has a status and a body. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct post_answer a;
	const char *in = (const char *)data;

	(void)post_answer_complete(in, size);
	if (post_answer_parse(in, size, &a) == 0) {
		fuzz_assert(a.status >= 100 && a.status <= 999);
		fuzz_assert(a.retry_after_s >= 0);
		fuzz_assert(a.body.len <= size && a.body.len <= 64 * 1024);
		buf_release(&a.body);
	}
	return 0;
}
