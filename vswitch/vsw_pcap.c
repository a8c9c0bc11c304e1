// SPDX-License-Identifier: MIT
/*
 * vsw_pcap.c - pcap capture: BPF filter, record ring, writer thread
 *
 * Theory of operation
 * -------------------
 * Output is the classic libpcap file format (magic 0xa1b2c3d4, version
 * 2.4, microsecond timestamps, snaplen CAPTURE_SNAPLEN, LINKTYPE_ETHERNET),
 * written by hand: pcap_dump() wants a FILE * and buffers in stdio, which
 * cannot be bounded or drained from another thread. libpcap is still used
 * for what it is good at: pcap_compile() on a "dead" handle and
 * pcap_offline_filter() to match frames.
 *
 * The ring is single-producer (the switch thread, in vsw_cap_feed()) and
 * single-consumer (the writer thread). @head and @tail are free-running
 * byte counters; head - tail is the number of queued bytes. The producer
 * copies a whole record (16-byte record header + frame) or drops it if it
 * does not fit, then publishes @head with release order; the consumer
 * writes from the ring up to @head and then publishes @tail. Neither side
 * takes a lock. A record may wrap around the end of the ring: the consumer
 * just writes bytes.
 *
 * Sleeping: the writer sets @waiting, re-checks for work and blocks in
 * poll() on its eventfd. The producer, after publishing, reads @waiting and
 * kicks the eventfd only then, so a busy capture costs no syscall per
 * frame. Both sides use sequentially consistent operations for the flag and
 * the counters it guards, so a wakeup cannot be lost.
 *
 * Ending: either the capture ends by itself (the @count-th record was
 * written, or a write failed), or its owner stops it (vsw_cap_destroy()).
 * @claim decides who owns the ending, exactly once: the writer claims it to
 * call the done callback, the owner to suppress it. A writer that ended by
 * itself writes @notify_fd so the switch reaps it.
 *
 * Writes never block indefinitely when stopping: the writer waits for the
 * fd with poll() and writes at most PIPE_BUF bytes to pipes and sockets
 * after POLLOUT, so a stop request (eventfd) is noticed, and the final
 * flush gives up after CAPTURE_FLUSH_MS if the reader does not read.
 */
#include "vswitch/vsw_pcap.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#define CAPTURE_FLUSH_MS	2000
#define CAPTURE_FILE_CHUNK	65536

enum { CLAIM_NONE, CLAIM_WRITER, CLAIM_OWNER };

/** struct pcap_file_hdr - libpcap file header (native byte order) */
struct pcap_file_hdr {
	uint32_t magic;
	uint16_t version_major;
	uint16_t version_minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
} __attribute__((packed));
static_assert(sizeof(struct pcap_file_hdr) == 24, "pcap file header");

/** struct pcap_rec_hdr - libpcap record header (native byte order) */
struct pcap_rec_hdr {
	uint32_t ts_sec;
	uint32_t ts_usec;
	uint32_t incl_len;
	uint32_t orig_len;
} __attribute__((packed));
static_assert(sizeof(struct pcap_rec_hdr) == 16, "pcap record header");

struct vsw_cap {
	unsigned id;
	int fd;
	int wake_fd;		/* eventfd: writer wakeups */
	int notify_fd;
	size_t chunk;		/* largest single write() */
	char *filter;
	bool has_prog;
	struct bpf_program prog;

	uint8_t *ring;
	size_t size;		/* power of two */
	_Atomic uint64_t head;	/* bytes ever queued (producer) */
	_Atomic uint64_t tail;	/* bytes ever written (consumer) */
	_Atomic bool waiting;	/* writer is (about to be) asleep */
	_Atomic bool drain;	/* last record queued: write it all, end */
	_Atomic bool stop;	/* owner wants it stopped */
	_Atomic bool ended;	/* writer thread finished by itself */
	_Atomic int claim;

	uint64_t count;
	uint64_t queued;	/* producer only */
	_Atomic uint64_t packets;
	_Atomic uint64_t dropped;

	vsw_capture_done_fn done;
	void *opaque;
	pthread_t thread;
};

static void cap_kick(int efd)
{
	uint64_t one = 1;

	if (efd >= 0 && write(efd, &one, sizeof(one)) < 0) {
		/* an eventfd only fails when its counter would overflow,
		 * and then the reader is awake anyway */
	}
}

/*
 * Write @len bytes, waiting with poll() so that a stop request wakes us.
 * @deadline_ms: -1 = none, else the CLOCK_MONOTONIC ms after which to quit
 * Return: 0, -errno of the write, or -ETIMEDOUT
 */
static int cap_write(struct vsw_cap *c, const uint8_t *p, size_t len,
		     int64_t deadline_ms)
{
	while (len) {
		struct pollfd pfd[2] = {
			{ .fd = c->fd, .events = POLLOUT },
			{ .fd = c->wake_fd, .events = POLLIN },
		};
		int timeout = -1, n;
		ssize_t w;

		if (deadline_ms < 0 && atomic_load(&c->stop))
			deadline_ms = (int64_t)(now_mono_ns() / 1000000) +
				      CAPTURE_FLUSH_MS;
		if (deadline_ms >= 0) {
			int64_t left = deadline_ms -
				       (int64_t)(now_mono_ns() / 1000000);

			if (left <= 0)
				return -ETIMEDOUT;
			timeout = (int)left;
		}
		n = poll(pfd, c->wake_fd >= 0 ? 2 : 1, timeout);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue;
		if (pfd[1].revents & POLLIN) {
			uint64_t v;

			if (read(c->wake_fd, &v, sizeof(v)) < 0) {
				/* nothing to do: just re-check */
			}
		}
		if (!pfd[0].revents)
			continue;
		w = write(c->fd, p, MIN(len, c->chunk));
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void cap_sleep(struct vsw_cap *c)
{
	struct pollfd pfd = { .fd = c->wake_fd, .events = POLLIN };
	uint64_t v;

	atomic_store(&c->waiting, true);
	if (atomic_load(&c->head) == atomic_load(&c->tail) &&
	    !atomic_load(&c->drain) && !atomic_load(&c->stop)) {
		if (poll(&pfd, 1, -1) > 0 &&
		    read(c->wake_fd, &v, sizeof(v)) < 0) {
			/* spurious: re-check */
		}
	}
	atomic_store(&c->waiting, false);
}

static void *cap_writer(void *arg)
{
	struct vsw_cap *c = arg;
	int reason = 0;

	for (;;) {
		uint64_t head = atomic_load(&c->head);
		uint64_t tail = atomic_load(&c->tail);

		if (head != tail) {
			size_t off = (size_t)tail & (c->size - 1);
			size_t n = MIN((size_t)(head - tail), c->size - off);

			reason = cap_write(c, c->ring + off, n, -1);
			if (reason)
				break;
			atomic_store(&c->tail, tail + n);
			continue;
		}
		if (atomic_load(&c->drain) || atomic_load(&c->stop))
			break;
		cap_sleep(c);
	}

	if (atomic_load(&c->stop))
		return NULL;	/* the owner ends it: no callback */
	{
		int expect = CLAIM_NONE;

		if (!atomic_compare_exchange_strong(&c->claim, &expect,
						    CLAIM_WRITER))
			return NULL;
	}
	if (c->done)
		c->done(c->opaque, reason, atomic_load(&c->packets),
			atomic_load(&c->dropped));
	atomic_store(&c->ended, true);
	cap_kick(c->notify_fd);
	return NULL;
}

static int cap_compile(struct vsw_cap *c, const char *filter, char *err,
		       size_t errlen)
{
	pcap_t *pd;
	int ret = 0;

	if (!filter || !*filter)
		return 0;
	if (strlen(filter) > CAPTURE_FILTER_MAX) {
		snprintf(err, errlen, "filter is longer than %d characters",
			 CAPTURE_FILTER_MAX);
		return -EINVAL;
	}
	pd = pcap_open_dead(DLT_EN10MB, CAPTURE_SNAPLEN);
	if (!pd) {
		snprintf(err, errlen, "cannot open a pcap handle");
		return -ENOMEM;
	}
	if (pcap_compile(pd, &c->prog, filter, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errlen, "bad filter '%s': %s", filter,
			 pcap_geterr(pd));
		ret = -EINVAL;
	} else {
		c->has_prog = true;
	}
	pcap_close(pd);
	return ret;
}

static void cap_free(struct vsw_cap *c)
{
	if (c->has_prog)
		pcap_freecode(&c->prog);
	if (c->fd >= 0)
		close(c->fd);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	free(c->filter);
	free(c->ring);
	free(c);
}

int vsw_cap_create(const struct vsw_cap_opts *o, struct vsw_cap **out,
		   char *err, size_t errlen)
{
	struct pcap_file_hdr fh = {
		.magic = 0xa1b2c3d4,
		.version_major = 2,
		.version_minor = 4,
		.snaplen = CAPTURE_SNAPLEN,
		.linktype = CAPTURE_LINKTYPE,
	};
	sigset_t all, old;
	struct vsw_cap *c;
	struct stat st;
	size_t size = 1;
	int ret;

	if (errlen)
		err[0] = '\0';
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->fd = c->wake_fd = -1;
	c->notify_fd = o->notify_fd;
	c->count = o->count;
	c->done = o->done;
	c->opaque = o->opaque;
	c->filter = strdup(o->filter ? o->filter : "");
	if (!c->filter) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ret = cap_compile(c, o->filter, err, errlen);
	if (ret)
		goto fail;

	while (size < (o->ring_size ? o->ring_size : CAPTURE_RING_SIZE))
		size <<= 1;
	c->size = size;
	c->ring = malloc(size);
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!c->ring || c->wake_fd < 0) {
		ret = c->ring ? -errno : -ENOMEM;
		snprintf(err, errlen, "cannot set up the capture: %s",
			 strerror(-ret));
		goto fail;
	}
	c->fd = o->fd < 0 ? -1 : fcntl(o->fd, F_DUPFD_CLOEXEC, 3);
	if (c->fd < 0 || fstat(c->fd, &st)) {
		ret = -EBADF;
		snprintf(err, errlen, "bad capture file descriptor");
		goto fail;
	}
	/* after POLLOUT a pipe takes PIPE_BUF bytes without blocking */
	c->chunk = S_ISREG(st.st_mode) ? CAPTURE_FILE_CHUNK : PIPE_BUF;

	ret = cap_write(c, (const uint8_t *)&fh, sizeof(fh),
			(int64_t)(now_mono_ns() / 1000000) + CAPTURE_FLUSH_MS);
	if (ret) {
		snprintf(err, errlen, "cannot write the capture header: %s",
			 strerror(-ret));
		goto fail;
	}

	/* internal threads never take the process's signals */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&c->thread, NULL, cap_writer, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		snprintf(err, errlen, "cannot start the capture thread: %s",
			 strerror(-ret));
		goto fail;
	}
	pthread_setname_np(c->thread, "vsw-capture");
	*out = c;
	return 0;
fail:
	cap_free(c);
	return ret;
}

void vsw_cap_feed(struct vsw_cap *c, const struct timespec *ts,
		  const uint8_t *frame, size_t len)
{
	struct pcap_rec_hdr rh;
	uint64_t head, tail;
	size_t rec, off, first;

	if (atomic_load_explicit(&c->drain, memory_order_relaxed) ||
	    atomic_load_explicit(&c->claim, memory_order_relaxed) != CLAIM_NONE)
		return;
	if (len > CAPTURE_SNAPLEN)
		len = CAPTURE_SNAPLEN;	/* cannot happen: frames are smaller */
	if (c->has_prog) {
		struct pcap_pkthdr ph = {
			.caplen = (bpf_u_int32)len,
			.len = (bpf_u_int32)len,
		};

		if (!pcap_offline_filter(&c->prog, &ph, frame))
			return;
	}

	rec = sizeof(rh) + len;
	head = atomic_load_explicit(&c->head, memory_order_relaxed);
	tail = atomic_load_explicit(&c->tail, memory_order_acquire);
	if (c->size - (size_t)(head - tail) < rec) {
		atomic_fetch_add_explicit(&c->dropped, 1, memory_order_relaxed);
		return;
	}
	rh.ts_sec = (uint32_t)ts->tv_sec;
	rh.ts_usec = (uint32_t)(ts->tv_nsec / 1000);
	rh.incl_len = rh.orig_len = (uint32_t)len;

	off = (size_t)head & (c->size - 1);
	first = MIN(sizeof(rh), c->size - off);
	memcpy(c->ring + off, &rh, first);
	memcpy(c->ring, (const uint8_t *)&rh + first, sizeof(rh) - first);
	off = (size_t)(head + sizeof(rh)) & (c->size - 1);
	first = MIN(len, c->size - off);
	memcpy(c->ring + off, frame, first);
	memcpy(c->ring, frame + first, len - first);

	c->queued++;
	atomic_store(&c->packets, c->queued);
	if (c->count && c->queued >= c->count)
		atomic_store(&c->drain, true);
	atomic_store(&c->head, head + rec);	/* seq_cst: see Theory */
	if (atomic_load(&c->waiting)) {
		atomic_store(&c->waiting, false);
		cap_kick(c->wake_fd);
	}
}

bool vsw_cap_ended(const struct vsw_cap *c)
{
	return atomic_load(&c->ended);
}

void vsw_cap_destroy(struct vsw_cap *c)
{
	int expect = CLAIM_NONE;

	if (!c)
		return;
	atomic_compare_exchange_strong(&c->claim, &expect, CLAIM_OWNER);
	atomic_store(&c->stop, true);
	cap_kick(c->wake_fd);
	pthread_join(c->thread, NULL);
	cap_free(c);
}

void vsw_cap_stats(const struct vsw_cap *c, uint64_t *packets,
		   uint64_t *dropped)
{
	*packets = atomic_load(&c->packets);
	*dropped = atomic_load(&c->dropped);
}

const char *vsw_cap_filter(const struct vsw_cap *c)
{
	return c->filter;
}

unsigned vsw_cap_id(const struct vsw_cap *c)
{
	return c->id;
}

void vsw_cap_set_id(struct vsw_cap *c, unsigned id)
{
	c->id = id;
}
