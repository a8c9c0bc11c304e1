/* SPDX-License-Identifier: MIT */
/* names.h - generated guest names: "adjective-noun", like "brave-otter" */
#ifndef MVMD_NAMES_H
#define MVMD_NAMES_H

#include <stddef.h>
#include <stdint.h>

/**
 * names_generate() - the name for a random value
 * @r:		random bits; different values give different names for the
 *		first names_count() values, then a numeric suffix is added
 * @buf, size:	destination (at least 32 bytes is always enough)
 * The result always satisfies name_valid().
 */
void names_generate(uint64_t r, char *buf, size_t size);

/** names_count() - how many distinct names exist without a suffix */
size_t names_count(void);

#endif
