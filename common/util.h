/* SPDX-License-Identifier: MIT */
/* util.h - small helpers shared by every component */
#ifndef MVM_UTIL_H
#define MVM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/**
 * str_copy() - bounded string copy that always terminates
 * Return: 0, or -ENAMETOOLONG if @src did not fit (then @dst holds a prefix)
 */
int str_copy(char *dst, size_t size, const char *src);

/** mkdir_p() - create @path and its parents with @mode; 0 or -errno */
int mkdir_p(const char *path, mode_t mode);

/**
 * file_write_atomic() - replace @path with @len bytes of @data
 * Writes a temporary file beside @path, fsyncs and renames it over @path,
 * so that readers see either the old or the new content, never a mix.
 * Return: 0 or -errno
 */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/**
 * file_read_all() - read a whole (small) file
 * @path:	file to read
 * @max:	refuse files larger than this (-EFBIG)
 * @out:	receives a NUL-terminated malloc()ed buffer, caller frees
 * @len:	receives the length without the NUL (may be NULL)
 * Return: 0 or -errno
 */
int file_read_all(const char *path, size_t max, char **out, size_t *len);

/** now_mono_ns() - CLOCK_MONOTONIC in nanoseconds */
uint64_t now_mono_ns(void);

/** now_iso8601() - current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into @buf */
void now_iso8601(char *buf, size_t size);

/** name_valid() - is @s a valid DNS label (1..63 of [a-z0-9-], no edge '-')? */
int name_valid(const char *s);

/** fd_set_nonblock() - set O_NONBLOCK on @fd; 0 or -errno */
int fd_set_nonblock(int fd);

/** fd_set_cloexec() - set FD_CLOEXEC on @fd; 0 or -errno */
int fd_set_cloexec(int fd);

#endif
