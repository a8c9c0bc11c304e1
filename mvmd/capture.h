/* SPDX-License-Identifier: MIT */
/*
 * capture.h - live and continuous pcap captures, and their completions
 *
 * A capture runs inside the switch (vsw_capture_start()); its completion
 * callback runs on a switch thread, where mvmd's registries must not be
 * touched. The callback only queues {serial, reason, counters} under a
 * mutex and wakes the main loop through an eventfd; the main loop looks
 * the serial up (the capture may be gone by then: the item is dropped)
 * and sends the `capture.done` event or logs the end of a config pcap.
 */
#ifndef MVMD_CAPTURE_H
#define MVMD_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct mvmd;
struct network;
struct ctl_client;

/** struct capture - one capture, owned by a client or a config network */
struct capture {
	struct mvmd *d;
	uint64_t serial;		/* unique per daemon, never reused */
	char net[64];			/* network name */
	unsigned id;			/* the switch's capture id */
	int active;			/* started and not stopped */
	struct ctl_client *client;	/* NULL for a config pcap */
};

/** struct capq_item - a completion on its way to the main loop */
struct capq_item {
	struct capq_item *next;
	uint64_t serial;
	int reason;
	uint64_t packets, dropped;
};

/** capq_init() - the queue's lock and eventfd; 0 or -errno */
int capq_init(struct mvmd *d);

/** capq_fini() - free queued items, close the eventfd */
void capq_fini(struct mvmd *d);

/** capq_drain() - main loop: handle every queued completion */
void capq_drain(struct mvmd *d);

/**
 * capture_start() - start capturing network @n into @fd
 * @cap:	zeroed capture to start; stays owned by the caller, who must
 *		capture_stop() it before freeing it
 * @fd:		destination; the switch dup()s it, the caller keeps @fd
 * @filter:	BPF expression or NULL
 * @count:	records to write, 0 = unlimited
 * @c:		the client that asked, NULL for a config pcap
 * Return: 0 or -errno with the reason (the filter's error) in @err
 */
int capture_start(struct mvmd *d, struct capture *cap, struct network *n,
		  int fd, const char *filter, uint64_t count,
		  struct ctl_client *c, char *err, size_t errlen);

/**
 * capture_counters() - the running capture's counters from vsw_stats()
 * Return: 0, or -ENOENT when the switch no longer lists it
 */
int capture_counters(struct mvmd *d, const struct capture *cap,
		     uint64_t *packets, uint64_t *dropped);

/**
 * capture_stop() - stop @cap if it runs (its callback never fires after)
 * @packets, @dropped: receive the last counters seen (may be NULL)
 */
void capture_stop(struct mvmd *d, struct capture *cap, uint64_t *packets,
		  uint64_t *dropped);

/**
 * capture_end_network() - end every client capture on @n, before it goes
 * Each client gets its `capture.done` event with @why as the error and is
 * disconnected; a config pcap on @n is stopped.
 */
void capture_end_network(struct mvmd *d, struct network *n, const char *why);

#endif
