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
 * Ports live in a fixed table of VSW_MAX_PORTS slots; slot 0 is the
 * gateway. The FDB maps a MAC to a slot; a port's entries are flushed when
 * it dies or is removed, before its slot can be reused.
 *
 * Frames. A port reads a frame into the switch's one receive buffer and
 * calls vsw_port_input(), which forwards it to every egress port before
 * returning (deliver() copies or drops, never keeps it). The gateway may
 * answer a frame it was given; its reply is then forwarded as a frame
 * received from the gateway port, before the next frame is read.
 *
 * The gateway MAC is pinned: frames to it go to the gateway port whatever
 * the FDB says, and frames from any other port using it as their source
 * are dropped (a guest cannot steal the gateway's traffic).
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

#include "common/log.h"
#include "common/util.h"
#include "vswitch/vsw_pcap.h"
#include "vswitch/fdb.h"
#include "gateway/gateway.h"
#include "gateway/gw_priv.h"
#include "vswitch/port.h"

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
	struct vsw_port *gw_port;
	struct gw *gw;

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
	if (in != sw->gw_port) {
		if (!memcmp(src, sw->cfg.gw_mac, ETH_ALEN_)) {
			vsw_port_drop(in);	/* spoofing the gateway */
			return;
		}
		/* ENOSPC (table full) is counted by the FDB; still forward */
		fdb_learn(sw->fdb, src, in->slot, sw->now_ns);
	}

	if (!mac_is_multicast(dst)) {
		long slot;

		if (!memcmp(dst, sw->cfg.gw_mac, ETH_ALEN_))
			slot = sw->gw_port->slot;
		else
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

void vsw_port_input(struct vsw_port *p, const struct virtio_net_hdr_v1 *vh,
		    const uint8_t *frame, size_t len)
{
	struct vsw *sw = p->sw;
	const struct virtio_net_hdr_v1 *gvh;
	const uint8_t *gf;
	size_t glen;

	vsw_forward(sw, p, vh, frame, len);
	/*
	 * The gateway answers synchronously. Its reply cannot cause another
	 * one (it never receives its own frames and only answers requests),
	 * so this runs at most once per input frame.
	 */
	while (gw_output(sw->gw, &gvh, &gf, &glen)) {
		gw_output_done(sw->gw);
		vsw_forward(sw, sw->gw_port, gvh, gf, glen);
	}
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

static void *vsw_thread(void *arg)
{
	struct vsw *sw = arg;
	struct epoll_event ev[VSW_EVENTS];

	while (!atomic_load(&sw->quit)) {
		struct vsw_cap *reaped[VSW_MAX_CAPTURES];
		unsigned nreaped, i;
		int n;

		int tmo;

		/* the gateway's timers (DNS upstream timeouts) are due soon;
		 * under the lock: vsw_nat_configure() may be building the NAT */
		pthread_mutex_lock(&sw->lock);
		tmo = gw_timeout_ms(sw->gw, now_mono_ns());
		pthread_mutex_unlock(&sw->lock);
		if (tmo < 0 || tmo > 1000)
			tmo = 1000;
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
		gw_tick(sw->gw, sw->now_ns);
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
	if (slot < 0 || sw->ports[slot] == sw->gw_port) {
		pthread_mutex_unlock(&sw->lock);
		return slot < 0 ? -ENOENT : -EPERM;
	}
	p = sw->ports[slot];
	fdb_flush_port(sw->fdb, p->slot);
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

	ret = gw_port_new(cfg->gw_mac, cfg->gw_ip, &sw->gw_port);
	if (ret)
		goto fail;
	vsw_attach(sw, sw->gw_port, "gateway");	/* slot 0, id 0 */
	sw->gw = gw_port_gw(sw->gw_port);
	{
		struct cidr4 net = { .addr = cfg->subnet, .prefix = cfg->prefix };

		gw_set_network(sw->gw, &net, cfg->mtu);
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

static void vsw_json_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(
		v > INT64_MAX ? INT64_MAX : (int64_t)v));
}

static struct json_object *vsw_port_json(const struct vsw_port *p)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(p->id));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "type", json_object_new_string(p->ops->type));
	vsw_json_u64(o, "rx_packets", p->st.rx_packets);
	vsw_json_u64(o, "rx_bytes", p->st.rx_bytes);
	vsw_json_u64(o, "tx_packets", p->st.tx_packets);
	vsw_json_u64(o, "tx_bytes", p->st.tx_bytes);
	vsw_json_u64(o, "drops", p->st.drops);
	json_object_object_add(o, "dead", json_object_new_boolean(p->dead));
	return o;
}

struct json_object *vsw_stats(struct vsw *sw)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ports = json_object_new_array();
	struct json_object *caps = json_object_new_array();
	struct json_object *gwo = json_object_new_object();
	struct fdb_stats fs;
	struct gw_stats gs;
	unsigned i;

	pthread_mutex_lock(&sw->lock);
	vsw_json_u64(o, "rx_packets", sw->st.rx_packets);
	vsw_json_u64(o, "rx_bytes", sw->st.rx_bytes);
	vsw_json_u64(o, "tx_packets", sw->st.tx_packets);
	vsw_json_u64(o, "tx_bytes", sw->st.tx_bytes);
	vsw_json_u64(o, "drops", sw->st.drops);
	vsw_json_u64(o, "flooded", sw->st.flooded);
	fdb_get_stats(sw->fdb, &fs);
	vsw_json_u64(o, "fdb_entries", fs.entries);
	vsw_json_u64(o, "fdb_max", fs.max);
	vsw_json_u64(o, "fdb_full", fs.full);
	vsw_json_u64(o, "fdb_learned", fs.learned);
	vsw_json_u64(o, "fdb_moved", fs.moved);
	vsw_json_u64(o, "fdb_aged", fs.aged);
	gw_get_stats(sw->gw, &gs);
	vsw_json_u64(gwo, "arp_replies", gs.arp_replies);
	vsw_json_u64(gwo, "icmp_replies", gs.icmp_replies);
	vsw_json_u64(gwo, "bad_csum", gs.bad_csum);
	vsw_json_u64(gwo, "ignored", gs.ignored);
	json_object_object_add(o, "gateway", gwo);
	gw_services_stats(sw->gw, o);
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
		vsw_json_u64(c, "packets", pk);
		vsw_json_u64(c, "dropped", dr);
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

/* gateway services (gw_priv.h): the lock around the gateway's tables */

struct gw *vsw_gw_lock(struct vsw *sw)
{
	pthread_mutex_lock(&sw->lock);
	sw->now_ns = now_mono_ns();
	return sw->gw;
}

void vsw_gw_unlock(struct vsw *sw)
{
	vsw_flush_ports(sw);	/* replies the call may have emitted */
	pthread_mutex_unlock(&sw->lock);
}
