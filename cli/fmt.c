// SPDX-License-Identifier: MIT
/* fmt.c - small parsers and formatters for the command line (no I/O) */
#include "cli/fmt.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int fmt_parse_label(const char *s, struct json_object *labels)
{
	const char *eq = strchr(s, '=');
	char *key;

	if (!eq || eq == s)
		return -EINVAL;
	key = strndup(s, (size_t)(eq - s));
	if (!key)
		return -ENOMEM;
	json_object_object_add(labels, key, json_object_new_string(eq + 1));
	free(key);
	return 0;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT },
	{ "ILL", SIGILL },   { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS },   { "FPE", SIGFPE },   { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG },   { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO },     { "PWR", SIGPWR },   { "SYS", SIGSYS },
};

int fmt_parse_signal(const char *s)
{
	unsigned long n;
	size_t i;

	if (!fmt_parse_uint(s, 1, 64, &n))
		return (int)n;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (!strcasecmp(s, signals[i].name))
			return signals[i].sig;
	return -EINVAL;
}

int fmt_parse_uint(const char *s, unsigned long min, unsigned long max,
		   unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int fmt_parse_time(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	char *end;

	if (!s)
		return -EINVAL;
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -EINVAL;
	/* optional fraction, then Z */
	if (*end == '.')
		for (end++; isdigit((unsigned char)*end); end++)
			;
	if (strcmp(end, "Z"))
		return -EINVAL;
	*out = timegm(&tm);
	return 0;
}

char *fmt_ago(time_t then, time_t now, char *buf, size_t size)
{
	static const struct {
		long long secs;
		const char *unit;
	} units[] = {
		{ 86400LL * 365, "year" }, { 86400LL * 30, "month" },
		{ 86400LL * 7, "week" },   { 86400, "day" },
		{ 3600, "hour" },	   { 60, "minute" }, { 1, "second" },
	};
	long long d = (long long)now - (long long)then;
	size_t i;

	if (d < 1) {
		snprintf(buf, size, "just now");
		return buf;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		long long n = d / units[i].secs;

		if (n >= 1) {
			snprintf(buf, size, "%lld %s%s ago", n, units[i].unit,
				 n == 1 ? "" : "s");
			break;
		}
	}
	return buf;
}

char *fmt_duration(long long secs, char *buf, size_t size)
{
	long long d, h, m, s;

	if (secs < 0)
		secs = 0;
	d = secs / 86400;
	h = secs / 3600 % 24;
	m = secs / 60 % 60;
	s = secs % 60;
	if (d)
		snprintf(buf, size, "%lldd %lldh %lldm %llds", d, h, m, s);
	else if (h)
		snprintf(buf, size, "%lldh %lldm %llds", h, m, s);
	else if (m)
		snprintf(buf, size, "%lldm %llds", m, s);
	else
		snprintf(buf, size, "%llds", s);
	return buf;
}

char *fmt_join(struct json_object *arr, const char *sep, size_t max,
	       char *buf, size_t size)
{
	size_t i, len = 0, n;

	if (!size)
		return buf;
	buf[0] = '\0';
	n = json_object_is_type(arr, json_type_array) ?
		    json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		int w;

		if (!json_object_is_type(e, json_type_string))
			continue;
		w = snprintf(buf + len, size - len, "%s%s", len ? sep : "",
			     json_object_get_string(e));
		if (w < 0 || (size_t)w >= size - len) {
			len = size - 1;
			break;
		}
		len += (size_t)w;
	}
	if (max > 3 && strlen(buf) > max && max < size)
		strcpy(buf + max - 3, "...");
	return buf;
}
