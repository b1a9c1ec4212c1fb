/*
 * bw_sqlheap.h - SQLite's memory in a heap of its own (Win32 layer).
 *
 * The resident agent keeps its state database open. SQLite allocates as it
 * goes (the schema's lazily built parts, its page cache, statements), and
 * from the C heap those blocks land among a scan's: one kept block above a
 * freed snapshot keeps the heap from giving that memory back (Wine's heap
 * returns only free memory at the end of a region). In a private heap they
 * never interleave with a scan's memory.
 */
#ifndef BW_SQLHEAP_H
#define BW_SQLHEAP_H

#include "bw_api.h"
#include "../core/bw_error.h"

/* Gives SQLite its own heap (HeapCreate on SQLite's initialisation, through
 * the API table). Call before SQLite is first used; once SQLite runs it
 * keeps its allocator and this returns BW_EBUSY, harmlessly. */
bw_err bw_win_sqlite_heap(const bw_api *api);

#endif
