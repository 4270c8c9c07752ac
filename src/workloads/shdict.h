/*
 * shdict.h - the shdict workload's table arithmetic, exported for its tests
 * and for `benchtop bench` (the bare CAS loop uses the same hash).
 */
#ifndef BENCHTOP_SHDICT_H
#define BENCHTOP_SHDICT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

/* The 64-bit hash of a key (the splitmix64 finaliser: a bijection). */
static inline uint64_t shdict_hash(uint64_t key)
{
	key ^= key >> 30;
	key *= 0xbf58476d1ce4e5b9ull;
	key ^= key >> 27;
	key *= 0x94d049bb133111ebull;
	return key ^ (key >> 31);
}

/* The home slot of key in a table of `slots` slots (any count >= 1):
 * the high half of hash * slots, which needs no power of two. */
static inline uint64_t shdict_home(uint64_t key, uint64_t slots)
{
	return (uint64_t)(((unsigned __int128)shdict_hash(key) * slots) >> 64);
}

/* Slots of the automatic table size for `keys` keys: the smallest power of
 * two at least twice the key count, at least 16. */
uint64_t shdict_auto_slots(uint64_t keys);

/* How long a server round trip polls for its answer before it sleeps:
 * the answer takes microseconds when the peer runs, and on a virtual
 * machine a sleep and wake-up cost tens of them. */
#define SHDICT_SPIN_NS 50000ull

/* recv() on a blocking socket, polling (MSG_DONTWAIT, yielding the CPU)
 * for up to SHDICT_SPIN_NS before it sleeps. Returns what recv returns. */
ssize_t shdict_recv_spin(int fd, void *buf, size_t len);

/* The server backend's listening address in a prepared shared area, for
 * tests that connect a stranger to it. 0, or -1 when there is none. */
int shdict_server_addr(const void *shared, struct sockaddr_un *addr, socklen_t *len);

/* Prefault len bytes at p for writing in the calling process: a process
 * forked after the memory was mapped has no page-table entries for it. */
void shdict_prefault(void *p, size_t len);

#endif
