/* SPDX-License-Identifier: MIT */
/* fmt.h - small parsers and formatters for the command line (no I/O) */
#ifndef MVM_CLI_FMT_H
#define MVM_CLI_FMT_H

#include <json-c/json.h>
#include <stddef.h>
#include <time.h>

/**
 * fmt_parse_label() - split "K=V" into a new json string member of @labels
 * @s:		the option argument; K must be non-empty, V may be empty
 * Return: 0 or -EINVAL
 */
int fmt_parse_label(const char *s, struct json_object *labels);

/**
 * fmt_parse_signal() - "TERM", "SIGTERM", "term" or "15" to a signal number
 * Return: the signal number (1..64), or -EINVAL
 */
int fmt_parse_signal(const char *s);

/**
 * fmt_parse_uint() - a decimal number in [@min, @max]
 * Return: 0 with *@out set, or -EINVAL
 */
int fmt_parse_uint(const char *s, unsigned long min, unsigned long max,
		   unsigned long *out);

/**
 * fmt_parse_time() - "YYYY-MM-DDTHH:MM:SSZ" (UTC) to a time_t
 * Return: 0 or -EINVAL
 */
int fmt_parse_time(const char *s, time_t *out);

/**
 * fmt_ago() - "5 seconds ago", "3 minutes ago", "2 days ago" into @buf
 * @then, @now:	the event and the present; a future @then is "just now"
 */
char *fmt_ago(time_t then, time_t now, char *buf, size_t size);

/** fmt_duration() - seconds as "3d 4h 5m 6s" (leading zero units left out) */
char *fmt_duration(long long secs, char *buf, size_t size);

/**
 * fmt_join() - the strings of json array @arr joined by @sep into @buf
 * @max:	truncate to this many characters, ending in "...", (0: no limit)
 * Non-string members are skipped. Truncates to @size silently.
 */
char *fmt_join(struct json_object *arr, const char *sep, size_t max,
	       char *buf, size_t size);

#endif
