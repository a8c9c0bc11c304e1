// SPDX-License-Identifier: MIT
/*
 * fuzz_nat.c - libFuzzer target for the gateway's NAT, from the guest side
 *
 * A standalone gateway (gw_input(), no switch) with DHCP, DNS and the NAT
 * configured takes a sequence of frames from one input; after each, the
 * NAT's epoll set is drained (gw_nat_poll()) and its timers run
 * (gw_nat_tick()), so host socket events (replies, ICMP errors from the
 * error queue, TCP handshakes) are exercised too. Frames the NAT sends to
 * guests go nowhere (no port).
 *
 * Input: records of [op][len lo][len hi][len bytes]:
 *   op bit 0	fix the checksums (IPv4 header and TCP/UDP/ICMP) first
 *   op bit 1	virtio NEEDS_CSUM
 *   op bit 2	virtio GSO TCPV4
 *   op bit 3	the bytes are a whole Ethernet frame; else an IPv4 packet,
 *		sent from guest 10.89.0.10 (02:00:00:00:00:10) to the gateway
 *
 * Containment: no traffic may go anywhere real. On first use the process
 * enters a fresh network namespace (a new user namespace with it, or only
 * the network one as root) where lo is up and also carries 198.18.0.1/32,
 * the "outside": UDP and TCP echo servers listen there (and on 127.0.0.1
 * for host access) so that replies come back, and ping sockets are
 * allowed (ping_group_range). If no namespace can be made, the NAT is
 * configured with egress and host access OFF (said once on stderr): it
 * then opens no socket at all. Both libFuzzer (LLVMFuzzerInitialize) and
 * the replay driver (the first input) go through the same setup.
 */
#include "fuzz_netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkt/csum.h"
#include "common/util.h"
#include "pkt/frame.h"
#include "gateway/gateway.h"
#include "gateway/gw_nat.h"
#include "gateway/gw_priv.h"
#include "vswitch/vsw.h"

#define GW_IP	0x0a590001u
#define G_IP	0x0a59000au
#define ECHO_PORT 7777

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const uint8_t gw_mac[6] = { 0x02, 0x6d, 0x76, 0x00, 0x00, 0x01 };
static const uint8_t g_mac[6] = { 0x02, 0, 0, 0, 0, 0x10 };

static struct gw *gw;
static bool contained;
static int udp_echo = -1, tcp_lst = -1;

/* a private network namespace with lo up; Return: true when entered */
static bool isolate(void)
{
	struct ifreq ifr;
	struct sockaddr_in *sa = (struct sockaddr_in *)&ifr.ifr_addr;
	int s, ns = fuzz_netns();

	if (!ns)
		return false;
	fuzz_put("/proc/sys/net/ipv4/ping_group_range",
		 ns == 2 ? "0 0" : "0 2147483647");
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return true;	/* isolated anyway: nothing can get out */
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (!ioctl(s, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo:1");
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(0xc6120001);	/* 198.18.0.1 */
	ioctl(s, SIOCSIFADDR, &ifr);
	sa->sin_addr.s_addr = htonl(0xffffffff);
	ioctl(s, SIOCSIFNETMASK, &ifr);
	close(s);
	return true;
}

static void servers(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(ECHO_PORT) };
	int one = 1;

	udp_echo = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	tcp_lst = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(tcp_lst, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(udp_echo, (struct sockaddr *)&a, sizeof(a)) ||
	    bind(tcp_lst, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(tcp_lst, 64))
		fprintf(stderr, "fuzz_nat: echo servers: %s\n", strerror(errno));
}

static void setup(void)
{
	struct gw_services_config c = {
		.domain = "fuzz.mvm", .dhcp = true, .dns = true,
		.router = true, .host_addr = GW_IP,
	};
	struct gw_nat_config n = {
		.max_flows = 64, .max_flows_guest = 48,
		.tcp_idle_ms = 2000, .udp_idle_ms = 500,
	};
	struct cidr4 net = { .addr = 0x0a590000, .prefix = 24 };

	if (gw)
		return;
	contained = isolate();
	if (!contained)
		fprintf(stderr, "fuzz_nat: no private network namespace (%s): NAT egress and host access OFF\n",
			strerror(errno));
	else
		servers();
	n.egress = n.host_access = contained;
	if (gw_create(gw_mac, GW_IP, &gw))
		abort();
	gw_set_network(gw, &net, 1500);
	if (gw_services_configure_locked(gw, &c) || gw_nat_configure_locked(gw, &n))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setup();	/* before libFuzzer starts threads: unshare() needs it */
	return 0;
}

/* the host side of the echo servers: answer what came, close the rest */
static void serve(void)
{
	static uint8_t buf[65536];
	struct sockaddr_in from;
	socklen_t fl;
	ssize_t n;
	int i, c;

	for (i = 0; i < 16 && udp_echo >= 0; i++) {
		fl = sizeof(from);
		n = recvfrom(udp_echo, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		sendto(udp_echo, buf, (size_t)n, MSG_DONTWAIT,
		       (struct sockaddr *)&from, fl);
	}
	for (i = 0; i < 16 && tcp_lst >= 0; i++) {
		c = accept4(tcp_lst, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			break;
		send(c, "hello\n", 6, MSG_DONTWAIT | MSG_NOSIGNAL);
		close(c);	/* a FIN (or RST) toward the guest */
	}
}

static void fix_csums(uint8_t *ip, size_t len)
{
	size_t ihl, l4;
	uint16_t sum, tot;
	uint32_t ps, sa, da;

	if (len < 20 || (ip[0] >> 4) != 4)
		return;
	ihl = (size_t)(ip[0] & 15) * 4;
	if (ihl < 20 || ihl > len)
		return;
	tot = (uint16_t)(ip[2] << 8 | ip[3]);
	if (tot < ihl || tot > len)
		tot = (uint16_t)len;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[10] = ip[11] = 0;
	sum = frame_ip4_csum(ip, ihl);
	memcpy(ip + 10, &sum, 2);
	l4 = tot - ihl;
	if (ip[6] & 0x3f || ip[7])
		return;		/* a fragment: leave its L4 alone */
	memcpy(&sa, ip + 12, 4);	/* the frame may sit anywhere */
	memcpy(&da, ip + 16, 4);
	ps = csum_ip4_pseudo(sa, da, ip[9], (uint16_t)l4);
	if (ip[9] == IPPROTO_UDP_ && l4 >= 8) {
		memset(ip + ihl + 6, 0, 2);
		sum = csum_fold(csum_partial(ip + ihl, l4, ps));
		memcpy(ip + ihl + 6, &sum, 2);
	} else if (ip[9] == IPPROTO_TCP_ && l4 >= 20) {
		memset(ip + ihl + 16, 0, 2);
		sum = csum_fold(csum_partial(ip + ihl, l4, ps));
		memcpy(ip + ihl + 16, &sum, 2);
	} else if (ip[9] == IPPROTO_ICMP_ && l4 >= 4) {
		memset(ip + ihl + 2, 0, 2);
		sum = csum_fold(csum_partial(ip + ihl, l4, 0));
		memcpy(ip + ihl + 2, &sum, 2);
	}
}

static void one(uint8_t op, const uint8_t *p, size_t len)
{
	static uint8_t f[FRAME_MAX];
	struct virtio_net_hdr_v1 vh = { 0 };
	struct eth_hdr eh = { .type = htons(ETHTYPE_IP4) };
	size_t flen;

	if (op & 8) {
		if (len > sizeof(f))
			return;
		memcpy(f, p, len);
		flen = len;
		if ((op & 1) && len > 14)
			fix_csums(f + 14, len - 14);
	} else {
		if (len + 14 > sizeof(f))
			return;
		memcpy(eh.dst, gw_mac, 6);
		memcpy(eh.src, g_mac, 6);
		memcpy(f, &eh, 14);
		memcpy(f + 14, p, len);
		flen = len + 14;
		if (op & 1)
			fix_csums(f + 14, len);
	}
	if (op & 2)
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (op & 4) {
		vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vh.gso_size = 1460;
	}
	gw_input(gw, &vh, f, flen);
	gw_output_done(gw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	int i;

	setup();
	while (off + 3 <= size) {
		uint8_t op = data[off];
		size_t len = (size_t)data[off + 1] | (size_t)data[off + 2] << 8;

		off += 3;
		len = MIN(len, size - off);
		one(op, data + off, len);
		off += len;
		for (i = 0; i < 3; i++) {
			serve();
			gw_nat_poll(gw);
		}
		gw_nat_tick(gw, now_mono_ns());
	}
	serve();
	gw_nat_poll(gw);
	gw_nat_tick(gw, now_mono_ns());
	if (getenv("FUZZ_NAT_STATS")) {	/* to see what a seed reaches */
		const struct gw_nat_stats *st = &gw->nat->st;

		fprintf(stderr, "udp %llu/%llu icmp %llu/%llu unreach %llu denied %llu limit %llu sockerr %llu\n",
			(unsigned long long)st->udp_out,
			(unsigned long long)st->udp_in,
			(unsigned long long)st->icmp_out,
			(unsigned long long)st->icmp_in,
			(unsigned long long)st->unreach_sent,
			(unsigned long long)st->denied,
			(unsigned long long)st->drop_limit,
			(unsigned long long)st->sock_errors);
	}
	return 0;
}
