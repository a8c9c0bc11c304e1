/* SPDX-License-Identifier: MIT */
/* log.h - leveled, thread-safe logging for mvmd and mvm */
#ifndef MVM_LOG_H
#define MVM_LOG_H

#include <stdio.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/**
 * log_init() - choose where log lines go
 * @out:	stream to write to (not closed by the logger); NULL means stderr
 * @level:	most verbose level that is written
 * @stamp:	non-zero to prefix each line with a timestamp and the thread
 */
void log_init(FILE *out, enum log_level level, int stamp);

/** log_msg() - write one line at @level (a trailing newline is added) */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/** die() - log at error level and exit(1); only for main() paths */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
