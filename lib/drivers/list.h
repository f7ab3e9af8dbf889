/* SPDX-License-Identifier: MIT */
/*
 * Every driver, once. Including this with DRIVER(sym) defined generates
 * declarations, the registry (registry.c) and anything else that needs the
 * list. The order is the order of --list, of matrix rows and of the CSV.
 * A driver that this build cannot run stays here: its unsupported() says why.
 */
DRIVER(read)
DRIVER(write)
DRIVER(pread)
DRIVER(pwrite)
DRIVER(readv)
DRIVER(writev)
DRIVER(preadv2)
DRIVER(pwritev2)
