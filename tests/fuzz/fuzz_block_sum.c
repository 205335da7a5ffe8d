/* fuzz_block_sum.c - block files corrupted behind their checksums */
/* SPDX-License-Identifier: MIT */

/*
 * fuzz_block.c, with every checksum recomputed after the mutation, so
 * that the fuzzer reaches the checks that the sums guard.
 */
#define FUZZ_BLOCK_SUMS 1
#include "fuzz_block.c"
