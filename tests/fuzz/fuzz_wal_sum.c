/* fuzz_wal_sum.c - write-ahead logs corrupted behind their checksums */
/* SPDX-License-Identifier: MIT */

/*
 * fuzz_wal.c, with every record's checksum recomputed after the
 * mutation, so that the fuzzer reaches the entries inside the records.
 */
#define FUZZ_WAL_SUMS 1
#include "fuzz_wal.c"
