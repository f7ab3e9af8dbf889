/* SPDX-License-Identifier: MIT */
/*
 * Every driver, once. Including this with DRIVER(sym) defined generates
 * declarations, the registry (registry.c) and anything else that needs the
 * list. The order is the order of --list, of matrix rows and of the CSV.
 * A driver that this build cannot run stays here: its unsupported() says why.
 * The btrfs tree searches come last: before 5.19 they spin in the kernel,
 * unkillable, and a CPU lost to that slows (or, through RCU, stalls)
 * everything that would run after them.
 */
DRIVER(read)
DRIVER(write)
DRIVER(pread)
DRIVER(pwrite)
DRIVER(readv)
DRIVER(writev)
DRIVER(preadv2)
DRIVER(pwritev2)
DRIVER(uring_read)
DRIVER(uring_write)
DRIVER(uring_readv)
DRIVER(uring_writev)
DRIVER(uring_read_fixed)
DRIVER(uring_write_fixed)
DRIVER(getdents64)
DRIVER(pipe_read)
DRIVER(pipe_write)
DRIVER(vmsplice)
DRIVER(sendmsg)
DRIVER(recvmsg)
DRIVER(process_vm_readv)
DRIVER(process_vm_writev)
DRIVER(btrfs_tree_search)
DRIVER(btrfs_tree_search_v2)
