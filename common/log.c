// SPDX-License-Identifier: MIT
/* log.c - leveled, thread-safe logging */
#include "common/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

static FILE *log_out;
static enum log_level log_max = LOG_LVL_INFO;
static int log_stamp;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void log_init(FILE *out, enum log_level level, int stamp)
{
	log_out = out;
	log_max = level;
	log_stamp = stamp;
}

__attribute__((format(printf, 2, 0)))
static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	FILE *out = log_out ? log_out : stderr;

	if (level > log_max)
		return;
	pthread_mutex_lock(&log_lock);
	if (log_stamp) {
		struct timespec ts;
		struct tm tm;
		char buf[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(out, "%s.%03ld %s: ", buf, ts.tv_nsec / 1000000,
			names[level]);
	} else if (level <= LOG_LVL_WARN) {
		fprintf(out, "%s: ", names[level]);
	}
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	fflush(out);
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
