// SPDX-License-Identifier: MIT
/*
 * vsw.c - the per-network L2 switch: event loop, forwarding, counters
 *
 * Theory of operation
 * -------------------
 * See vsw.h for the forwarding rules. Mechanics:
 *
 * Thread and lock. Each switch runs one thread around epoll_wait(). After
 * each wakeup it takes @lock, handles every ready event (each port reads a
 * bounded burst), lets ports flush, ages the FDB once a second, reaps
 * captures that ended by themselves, and drops the lock. Every public
 * function takes the same lock, so port and capture lists, the FDB and the
 * counters are only touched by one thread at a time. Nothing blocks under
 * the lock: port fds are non-blocking and capture writes happen in the
 * captures' own threads.
 *
 * epoll data. An event carries (port id, slot, tag), not a pointer: a port
 * can be removed by another thread between epoll_wait() returning and the
 * loop taking the lock, and port ids are never reused, so a stale event is
 * recognised (the slot holds another id or none) and skipped.
 *
 * Ports live in a fixed table of VSW_MAX_PORTS slots. The FDB maps a MAC
 * to a slot; a port's entries are flushed when it dies or is removed,
 * before its slot can be reused.
 *
 * Frames. A port reads a frame into the switch's one receive buffer and
 * calls vsw_port_input(), which forwards it to every egress port before
 * returning (deliver() copies or drops, never keeps it). A port may answer
 * a frame it was given (the gateway does): it defers its reply
 * (vsw_port_defer_output()), and the outermost vsw_port_input() calls its
 * ops->output() once the frame has been forwarded, before the next frame
 * is read. Forwarding never nests inside a delivery.
 *
 * Pinned MACs (vsw_port_pin_mac(), the gateway's) are checked before the
 * FDB: frames to one go to its port whatever the FDB says, and frames from
 * any other port using one as their source are dropped (a guest cannot
 * steal the gateway's traffic). There are few, so a linear scan is cheap.
 *
 * Timers. Ports with ops->timeout_ms() bound the loop's sleep; every port
 * with ops->tick() is ticked after each wakeup.
 */
#include "vswitch/vsw.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/jsonutil.h"
#include "common/log.h"
#include "common/util.h"
#include "vswitch/fdb.h"
#include "vswitch/port.h"
#include "vswitch/vsw_pcap.h"

#define VSW_EVENTS		64
#define VSW_AGE_INTERVAL_NS	1000000000ull
#define VSW_ID_INTERNAL		UINT32_MAX	/* epoll data of the wake fd */

struct vsw {
	struct vsw_config cfg;
	char name[64];
	pthread_mutex_t lock;
	pthread_t thread;
	bool thread_started;
	_Atomic bool quit;
	int epfd;
	int wake_fd;		/* eventfd: destroy, capture reaping */

	struct fdb *fdb;
	struct vsw_port *ports[VSW_MAX_PORTS];
	unsigned next_id;
	struct {
		uint8_t mac[6];
		unsigned slot;
	} pinned[VSW_MAX_PINNED];
	unsigned npinned;
	unsigned input_depth;	/* vsw_port_input() nesting */
	bool out_pending;	/* some port deferred output */
	bool draining;		/* in vsw_drain_output() */

	struct vsw_cap *caps[VSW_MAX_CAPTURES];
	unsigned ncaps;
	unsigned next_cap_id;

	struct {
		uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
		uint64_t drops, flooded;
	} st;
	uint64_t now_ns;	/* monotonic time of the current batch */
	uint64_t next_age_ns;
	struct vsw_rxbuf *rxbuf;
};

static uint64_t vsw_epoll_data(const struct vsw_port *p, unsigned tag)
{
	return (uint64_t)p->id << 32 | (uint64_t)p->slot << 16 | (tag & 0xffff);
}

/* port plumbing (port.h) */

struct vsw_rxbuf *vsw_port_rxbuf(struct vsw_port *p)
{
	return p->sw->rxbuf;
}

int vsw_port_watch(struct vsw_port *p, int fd, unsigned tag, uint32_t events)
{
	struct epoll_event ev = {
		.events = events,
		.data.u64 = vsw_epoll_data(p, tag),
	};

	if (epoll_ctl(p->sw->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

void vsw_port_unwatch(struct vsw_port *p, int fd)
{
	/* ENOENT (never watched, already dead) is fine */
	epoll_ctl(p->sw->epfd, EPOLL_CTL_DEL, fd, NULL);
}

void vsw_port_drop(struct vsw_port *p)
{
	p->st.drops++;
	p->sw->st.drops++;
}

void vsw_port_set_dead(struct vsw_port *p)
{
	p->dead = true;
	fdb_flush_port(p->sw->fdb, p->slot);
}

void vsw_port_defer_output(struct vsw_port *p)
{
	if (p->ops->output) {
		p->out_pending = true;
		p->sw->out_pending = true;
	}
}

/* the slot @mac is pinned to, or -1 */
static long vsw_pinned_slot(const struct vsw *sw, const uint8_t *mac)
{
	unsigned i;

	for (i = 0; i < sw->npinned; i++)
		if (!memcmp(sw->pinned[i].mac, mac, ETH_ALEN_))
			return sw->pinned[i].slot;
	return -1;
}

int vsw_port_pin_mac(struct vsw_port *p, const uint8_t mac[6])
{
	struct vsw *sw = p->sw;
	long slot;

	if (mac_is_multicast(mac) || mac_is_zero(mac))
		return -EINVAL;
	slot = vsw_pinned_slot(sw, mac);
	if (slot == (long)p->slot)
		return 0;
	if (slot >= 0)
		return -EEXIST;
	if (sw->npinned == VSW_MAX_PINNED)
		return -ENOSPC;
	memcpy(sw->pinned[sw->npinned].mac, mac, ETH_ALEN_);
	sw->pinned[sw->npinned++].slot = p->slot;
	fdb_flush_port(sw->fdb, p->slot);	/* learned elsewhere before */
	return 0;
}

/* forget the MACs pinned to @slot (its port goes) */
static void vsw_unpin_slot(struct vsw *sw, unsigned slot)
{
	unsigned i = 0;

	while (i < sw->npinned) {
		if (sw->pinned[i].slot == slot)
			sw->pinned[i] = sw->pinned[--sw->npinned];
		else
			i++;
	}
}

static void vsw_deliver(struct vsw *sw, struct vsw_port *out,
			const struct virtio_net_hdr_v1 *vh,
			const uint8_t *frame, size_t len)
{
	if (out->ops->deliver(out, vh, frame, len)) {
		vsw_port_drop(out);
		return;
	}
	out->st.tx_packets++;
	out->st.tx_bytes += len;
	sw->st.tx_packets++;
	sw->st.tx_bytes += len;
	if (out->ops->flush)
		out->tx_pending = true;
}

static void vsw_capture_feed(struct vsw *sw, const uint8_t *frame, size_t len)
{
	struct timespec ts;
	unsigned i;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (i = 0; i < sw->ncaps; i++)
		vsw_cap_feed(sw->caps[i], &ts, frame, len);
}

/* one frame from @in: count, capture, learn, forward (vsw.h rules) */
static void vsw_forward(struct vsw *sw, struct vsw_port *in,
			const struct virtio_net_hdr_v1 *vh,
			const uint8_t *frame, size_t len)
{
	const uint8_t *dst = frame, *src = frame + ETH_ALEN_;
	unsigned i;

	in->st.rx_packets++;
	in->st.rx_bytes += len;
	sw->st.rx_packets++;
	sw->st.rx_bytes += len;
	if (len < ETH_HLEN_) {
		vsw_port_drop(in);
		return;
	}
	if (sw->ncaps)
		vsw_capture_feed(sw, frame, len);

	/* IEEE 802.1D: a group or all-zero source is invalid, never learned */
	if (mac_is_multicast(src) || mac_is_zero(src)) {
		vsw_port_drop(in);
		return;
	}
	if (sw->npinned) {
		long owner = vsw_pinned_slot(sw, src);

		if (owner >= 0 && owner != (long)in->slot) {
			vsw_port_drop(in);	/* spoofing a pinned MAC */
			return;
		}
		if (owner < 0)	/* pinned MACs are never learned */
			fdb_learn(sw->fdb, src, in->slot, sw->now_ns);
	} else {
		/* ENOSPC (table full) is counted by the FDB; still forward */
		fdb_learn(sw->fdb, src, in->slot, sw->now_ns);
	}

	if (!mac_is_multicast(dst)) {
		long slot = vsw_pinned_slot(sw, dst);

		if (slot < 0)
			slot = fdb_lookup(sw->fdb, dst, sw->now_ns);
		if (slot == (long)in->slot) {
			vsw_port_drop(in);	/* never hairpin */
			return;
		}
		if (slot >= 0 && sw->ports[slot] && !sw->ports[slot]->dead) {
			vsw_deliver(sw, sw->ports[slot], vh, frame, len);
			return;
		}
	}

	/* broadcast, multicast, unknown unicast */
	sw->st.flooded++;
	for (i = 0; i < VSW_MAX_PORTS; i++) {
		struct vsw_port *p = sw->ports[i];

		if (p && p != in && !p->dead)
			vsw_deliver(sw, p, vh, frame, len);
	}
}

/* let ports that deferred output send it (vsw_port_defer_output()) */
static void vsw_drain_output(struct vsw *sw)
{
	unsigned i;

	if (sw->draining)
		return;		/* the outer call's loop picks it up */
	sw->draining = true;
	/*
	 * Output may make more (a reply to a reply): loop until quiet. A
	 * port never receives its own frames and the gateway only answers
	 * requests, so this settles after a round or two.
	 */
	while (sw->out_pending) {
		sw->out_pending = false;
		for (i = 0; i < VSW_MAX_PORTS; i++) {
			struct vsw_port *p = sw->ports[i];

			if (p && p->out_pending) {
				p->out_pending = false;
				if (!p->dead)
					p->ops->output(p);
			}
		}
	}
	sw->draining = false;
}

void vsw_port_input(struct vsw_port *p, const struct virtio_net_hdr_v1 *vh,
		    const uint8_t *frame, size_t len)
{
	struct vsw *sw = p->sw;

	sw->input_depth++;
	vsw_forward(sw, p, vh, frame, len);
	sw->input_depth--;
	if (!sw->input_depth)
		vsw_drain_output(sw);
}

static void vsw_flush_ports(struct vsw *sw)
{
	unsigned i;

	for (i = 0; i < VSW_MAX_PORTS; i++) {
		struct vsw_port *p = sw->ports[i];

		if (p && p->tx_pending) {
			p->tx_pending = false;
			p->ops->flush(p);
		}
	}
}

/* unlink captures that ended by themselves into @out; under the lock */
static unsigned vsw_reap_captures(struct vsw *sw, struct vsw_cap **out)
{
	unsigned i = 0, n = 0;

	while (i < sw->ncaps) {
		if (vsw_cap_ended(sw->caps[i])) {
			out[n++] = sw->caps[i];
			sw->caps[i] = sw->caps[--sw->ncaps];
		} else {
			i++;
		}
	}
	return n;
}

static void vsw_dispatch(struct vsw *sw, const struct epoll_event *ev)
{
	uint32_t id = (uint32_t)(ev->data.u64 >> 32);
	unsigned slot = (unsigned)(ev->data.u64 >> 16) & 0xffff;
	struct vsw_port *p;

	if (id == VSW_ID_INTERNAL) {
		uint64_t v;

		if (read(sw->wake_fd, &v, sizeof(v)) < 0) {
			/* EAGAIN: already drained */
		}
		return;
	}
	if (slot >= VSW_MAX_PORTS)
		return;
	p = sw->ports[slot];
	if (!p || p->id != id || p->dead || !p->ops->event)
		return;	/* removed since epoll_wait() returned */
	p->ops->event(p, (unsigned)ev->data.u64 & 0xffff, ev->events);
}

/* how long the loop may sleep: the earliest port timer, at most 1 s */
static int vsw_timeout_ms(struct vsw *sw, uint64_t now_ns)
{
	int tmo = 1000;
	unsigned i;

	for (i = 0; i < VSW_MAX_PORTS; i++) {
		struct vsw_port *p = sw->ports[i];
		int t;

		if (!p || p->dead || !p->ops->timeout_ms)
			continue;
		t = p->ops->timeout_ms(p, now_ns);
		if (t >= 0 && t < tmo)
			tmo = t;
	}
	return tmo;
}

static void vsw_tick_ports(struct vsw *sw)
{
	unsigned i;

	for (i = 0; i < VSW_MAX_PORTS; i++) {
		struct vsw_port *p = sw->ports[i];

		if (p && !p->dead && p->ops->tick)
			p->ops->tick(p, sw->now_ns);
	}
	vsw_drain_output(sw);
}

static void *vsw_thread(void *arg)
{
	struct vsw *sw = arg;
	struct epoll_event ev[VSW_EVENTS];

	while (!atomic_load(&sw->quit)) {
		struct vsw_cap *reaped[VSW_MAX_CAPTURES];
		unsigned nreaped, i;
		int n;

		int tmo;

		/* ports' timers (the gateway's DNS upstream timeouts, ...) may
		 * be due soon; under the lock: ports change under it */
		pthread_mutex_lock(&sw->lock);
		tmo = vsw_timeout_ms(sw, now_mono_ns());
		pthread_mutex_unlock(&sw->lock);
		n = epoll_wait(sw->epfd, ev, VSW_EVENTS, tmo);
		if (n < 0 && errno != EINTR) {
			err("switch %s: epoll_wait: %s", sw->name,
			    strerror(errno));
			break;
		}
		pthread_mutex_lock(&sw->lock);
		sw->now_ns = now_mono_ns();
		for (i = 0; n > 0 && i < (unsigned)n; i++)
			vsw_dispatch(sw, &ev[i]);
		vsw_tick_ports(sw);
		vsw_flush_ports(sw);
		if (sw->now_ns >= sw->next_age_ns) {
			fdb_age(sw->fdb, sw->now_ns);
			sw->next_age_ns = sw->now_ns + VSW_AGE_INTERVAL_NS;
		}
		nreaped = vsw_reap_captures(sw, reaped);
		pthread_mutex_unlock(&sw->lock);

		/* their writers have finished: joining is immediate */
		for (i = 0; i < nreaped; i++)
			vsw_cap_destroy(reaped[i]);
	}
	return NULL;
}

static void vsw_kick(struct vsw *sw)
{
	uint64_t one = 1;

	if (write(sw->wake_fd, &one, sizeof(one)) < 0) {
		/* counter full: the loop is awake anyway */
	}
}

/* the slot of port @id, or -1; under the lock */
static int vsw_find_port(struct vsw *sw, unsigned id)
{
	unsigned i;

	for (i = 0; i < VSW_MAX_PORTS; i++)
		if (sw->ports[i] && sw->ports[i]->id == id)
			return (int)i;
	return -1;
}

/* put @p into a free slot; under the lock */
static int vsw_attach(struct vsw *sw, struct vsw_port *p, const char *name)
{
	unsigned i;

	for (i = 0; i < VSW_MAX_PORTS; i++)
		if (!sw->ports[i])
			break;
	if (i == VSW_MAX_PORTS)
		return -ENOSPC;
	p->sw = sw;
	p->slot = i;
	p->id = sw->next_id++;
	p->dead = false;
	p->tx_pending = false;
	p->out_pending = false;
	memset(&p->st, 0, sizeof(p->st));
	str_copy(p->name, sizeof(p->name), name ? name : "");
	sw->ports[i] = p;
	return 0;
}

int vsw_port_add(struct vsw *sw, struct vsw_port *p, const char *name,
		 unsigned *id)
{
	int ret;

	pthread_mutex_lock(&sw->lock);
	ret = vsw_attach(sw, p, name);
	if (!ret && p->ops->start) {
		ret = p->ops->start(p);
		if (ret)
			sw->ports[p->slot] = NULL;
	}
	if (!ret && id)
		*id = p->id;
	pthread_mutex_unlock(&sw->lock);
	return ret;
}

int vsw_port_add_tap(struct vsw *sw, int fd, const char *name, unsigned *id)
{
	struct vsw_port *p;
	int ret;

	ret = vsw_port_tap_new(fd, &p);
	if (ret)
		return ret;
	ret = vsw_port_add(sw, p, name, id);
	if (ret)
		vsw_port_tap_release(p);	/* the fd stays the caller's */
	return ret;
}

int vsw_port_remove(struct vsw *sw, unsigned id)
{
	struct vsw_port *p;
	int slot;

	pthread_mutex_lock(&sw->lock);
	slot = vsw_find_port(sw, id);
	if (slot < 0 || sw->ports[slot]->permanent) {
		pthread_mutex_unlock(&sw->lock);
		return slot < 0 ? -ENOENT : -EPERM;
	}
	p = sw->ports[slot];
	fdb_flush_port(sw->fdb, p->slot);
	vsw_unpin_slot(sw, p->slot);
	sw->ports[slot] = NULL;
	p->ops->destroy(p);
	pthread_mutex_unlock(&sw->lock);
	return 0;
}

int vsw_inject(struct vsw *sw, unsigned id, const void *vh, const void *frame,
	       size_t len)
{
	struct virtio_net_hdr_v1 zero = { .gso_type = VIRTIO_NET_HDR_GSO_NONE };
	int slot, ret = 0;

	pthread_mutex_lock(&sw->lock);
	slot = vsw_find_port(sw, id);
	if (slot < 0) {
		ret = -ENOENT;
	} else {
		sw->now_ns = now_mono_ns();
		vsw_port_input(sw->ports[slot], vh ? vh : &zero, frame, len);
		vsw_flush_ports(sw);
	}
	pthread_mutex_unlock(&sw->lock);
	return ret;
}

int vsw_create(const struct vsw_config *cfg, struct vsw **out)
{
	struct epoll_event ev = {
		.events = EPOLLIN, .data.u64 = (uint64_t)VSW_ID_INTERNAL << 32,
	};
	sigset_t all, old;
	char tname[16];
	struct vsw *sw;
	int ret;

	if (!cfg)
		return -EINVAL;
	sw = calloc(1, sizeof(*sw));
	if (!sw)
		return -ENOMEM;
	sw->cfg = *cfg;
	str_copy(sw->name, sizeof(sw->name), cfg->name ? cfg->name : "");
	sw->cfg.name = sw->name;
	sw->epfd = sw->wake_fd = -1;
	pthread_mutex_init(&sw->lock, NULL);
	sw->next_cap_id = 1;

	ret = fdb_create(cfg->fdb_max, cfg->fdb_ageing_s, &sw->fdb);
	if (ret)
		goto fail;
	sw->rxbuf = malloc(sizeof(*sw->rxbuf));
	sw->epfd = epoll_create1(EPOLL_CLOEXEC);
	sw->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!sw->rxbuf || sw->epfd < 0 || sw->wake_fd < 0) {
		ret = sw->rxbuf ? -errno : -ENOMEM;
		goto fail;
	}
	if (epoll_ctl(sw->epfd, EPOLL_CTL_ADD, sw->wake_fd, &ev)) {
		ret = -errno;
		goto fail;
	}

	/* the switch thread never takes the process's signals */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&sw->thread, NULL, vsw_thread, sw);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		goto fail;
	sw->thread_started = true;
	snprintf(tname, sizeof(tname), "vsw-%.11s", sw->name);
	pthread_setname_np(sw->thread, tname);
	*out = sw;
	return 0;
fail:
	vsw_destroy(sw);
	return ret;
}

void vsw_destroy(struct vsw *sw)
{
	unsigned i;

	if (!sw)
		return;
	if (sw->thread_started) {
		atomic_store(&sw->quit, true);
		vsw_kick(sw);
		pthread_join(sw->thread, NULL);
	}
	/* the loop is gone: nothing else touches the switch any more */
	for (i = 0; i < sw->ncaps; i++)
		vsw_cap_destroy(sw->caps[i]);
	for (i = 0; i < VSW_MAX_PORTS; i++)
		if (sw->ports[i])
			sw->ports[i]->ops->destroy(sw->ports[i]);
	if (sw->epfd >= 0)
		close(sw->epfd);
	if (sw->wake_fd >= 0)
		close(sw->wake_fd);
	fdb_destroy(sw->fdb);
	free(sw->rxbuf);
	pthread_mutex_destroy(&sw->lock);
	free(sw);
}

/* counters as JSON */

static struct json_object *vsw_port_json(const struct vsw_port *p)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(p->id));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "type", json_object_new_string(p->ops->type));
	json_add_u64(o, "rx_packets", p->st.rx_packets);
	json_add_u64(o, "rx_bytes", p->st.rx_bytes);
	json_add_u64(o, "tx_packets", p->st.tx_packets);
	json_add_u64(o, "tx_bytes", p->st.tx_bytes);
	json_add_u64(o, "drops", p->st.drops);
	json_object_object_add(o, "dead", json_object_new_boolean(p->dead));
	return o;
}

struct json_object *vsw_stats(struct vsw *sw)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ports = json_object_new_array();
	struct json_object *caps = json_object_new_array();
	struct fdb_stats fs;
	unsigned i;

	pthread_mutex_lock(&sw->lock);
	json_add_u64(o, "rx_packets", sw->st.rx_packets);
	json_add_u64(o, "rx_bytes", sw->st.rx_bytes);
	json_add_u64(o, "tx_packets", sw->st.tx_packets);
	json_add_u64(o, "tx_bytes", sw->st.tx_bytes);
	json_add_u64(o, "drops", sw->st.drops);
	json_add_u64(o, "flooded", sw->st.flooded);
	fdb_get_stats(sw->fdb, &fs);
	json_add_u64(o, "fdb_entries", fs.entries);
	json_add_u64(o, "fdb_max", fs.max);
	json_add_u64(o, "fdb_full", fs.full);
	json_add_u64(o, "fdb_learned", fs.learned);
	json_add_u64(o, "fdb_moved", fs.moved);
	json_add_u64(o, "fdb_aged", fs.aged);
	for (i = 0; i < VSW_MAX_PORTS; i++)
		if (sw->ports[i])
			json_object_array_add(ports, vsw_port_json(sw->ports[i]));
	json_object_object_add(o, "ports", ports);
	for (i = 0; i < sw->ncaps; i++) {
		struct json_object *c = json_object_new_object();
		uint64_t pk, dr;

		vsw_cap_stats(sw->caps[i], &pk, &dr);
		json_object_object_add(c, "id", json_object_new_int64(
			vsw_cap_id(sw->caps[i])));
		json_object_object_add(c, "filter", json_object_new_string(
			vsw_cap_filter(sw->caps[i])));
		json_add_u64(c, "packets", pk);
		json_add_u64(c, "dropped", dr);
		json_object_array_add(caps, c);
	}
	json_object_object_add(o, "captures", caps);
	pthread_mutex_unlock(&sw->lock);
	return o;
}

/* captures */

int vsw_capture_start(struct vsw *sw, int fd, const char *filter,
		      uint64_t count, vsw_capture_done_fn done, void *opaque,
		      unsigned *id, char *err, size_t errlen)
{
	struct vsw_cap_opts o = {
		.fd = fd, .filter = filter, .count = count,
		.done = done, .opaque = opaque, .notify_fd = sw->wake_fd,
	};
	struct vsw_cap *c;
	char dummy[1];
	int ret;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	/* compiling and writing the header may take a while: not locked */
	ret = vsw_cap_create(&o, &c, err, errlen);
	if (ret)
		return ret;
	pthread_mutex_lock(&sw->lock);
	if (sw->ncaps == VSW_MAX_CAPTURES) {
		pthread_mutex_unlock(&sw->lock);
		vsw_cap_destroy(c);
		snprintf(err, errlen, "too many captures on this network (%d)",
			 VSW_MAX_CAPTURES);
		return -ENOSPC;
	}
	vsw_cap_set_id(c, sw->next_cap_id++);
	sw->caps[sw->ncaps++] = c;
	if (id)
		*id = vsw_cap_id(c);
	pthread_mutex_unlock(&sw->lock);
	return 0;
}

int vsw_capture_stop(struct vsw *sw, unsigned id)
{
	struct vsw_cap *c = NULL;
	unsigned i;

	pthread_mutex_lock(&sw->lock);
	for (i = 0; i < sw->ncaps; i++) {
		if (vsw_cap_id(sw->caps[i]) == id) {
			c = sw->caps[i];
			sw->caps[i] = sw->caps[--sw->ncaps];
			break;
		}
	}
	pthread_mutex_unlock(&sw->lock);
	if (!c)
		return -ENOENT;
	vsw_cap_destroy(c);	/* flushes and joins: outside the lock */
	return 0;
}

/* the lock, for control-plane calls into a port's state (vsw.h) */

void vsw_lock(struct vsw *sw)
{
	pthread_mutex_lock(&sw->lock);
	sw->now_ns = now_mono_ns();
}

void vsw_unlock(struct vsw *sw)
{
	vsw_drain_output(sw);
	vsw_flush_ports(sw);	/* frames the call may have emitted */
	pthread_mutex_unlock(&sw->lock);
}
