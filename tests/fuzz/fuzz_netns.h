/* SPDX-License-Identifier: MIT */
/*
 * fuzz_netns.h - put a fuzz target in a network namespace of its own
 *
 * Targets whose code opens sockets (the NAT, mvmd's publish requests)
 * must not reach anything real: before libFuzzer starts its threads
 * (LLVMFuzzerInitialize, or the replay's first input), they enter a new
 * user + network namespace (mapping themselves to root in it, so files
 * they create stay theirs), or, as root, just a new network namespace.
 */
#ifndef MVM_FUZZ_NETNS_H
#define MVM_FUZZ_NETNS_H

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* write @s to @path, ignoring failure (best effort) */
static inline void fuzz_put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			(void)0;
		close(fd);
	}
}

/**
 * fuzz_netns() - enter a private network namespace
 * Return: 2 for user + network, 1 for network only (root), 0 when neither
 * could be made (the caller must then keep its sockets harmless)
 */
static inline int fuzz_netns(void)
{
	unsigned uid = getuid(), gid = getgid();
	char map[64];

	if (!unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		fuzz_put("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", uid);
		fuzz_put("/proc/self/uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1", gid);
		fuzz_put("/proc/self/gid_map", map);
		return 2;
	}
	return unshare(CLONE_NEWNET) ? 0 : 1;
}

#endif
