/* SPDX-License-Identifier: MIT */
/*
 * table.h - human-readable tables: column widths computed from the content
 *
 *   NAME      MODE  SUBNET
 *   default   nat   10.89.0.0/24
 *
 * Cells are copied; columns are separated by two spaces and the last
 * column is not padded.
 */
#ifndef MVM_CLI_TABLE_H
#define MVM_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table;

/**
 * table_new() - a table with @ncols columns named by @headers
 * Return: the table (release with table_free()), or NULL without memory
 */
struct table *table_new(const char *const *headers, size_t ncols);

/**
 * table_add() - append a row of exactly the table's number of cells
 * @cells:	strings (NULL prints as empty); copied
 * Return: 0 or -ENOMEM
 */
int table_add(struct table *t, const char *const *cells);

/** table_print() - write the header and all rows to @out */
void table_print(const struct table *t, FILE *out);

/** table_free() - release a table (NULL is fine) */
void table_free(struct table *t);

#endif
