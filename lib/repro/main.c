
/* ---- the reproducer: the case's steps, in mteprobe's order (lib/case.c) ---- */

/* The defaults of the call's part: checked against the reference when setup
 * made one, else as a regular file; its descriptors closed. */
#ifndef DRIVER_VERIFY
static int verify(long ret)
{
	return ref ? check_against(ret, ref, before) : file_verify(ret);
}
#endif

#ifndef DRIVER_CLEANUP
static void cleanup(void)
{
	close_fds();
}
#endif

#ifndef DRIVER_EXPECT
/* What a byte-exact kernel returns: up to the fault, at most a fault-free call. */
static long expect_of(size_t probed)
{
	return (long)(probed < want ? probed : want);
}
#endif

static unsigned stuck_s = CASE_STUCK_S;
static atomic_bool call_done;
static atomic_bool stuck;
static char dir_path[4096];

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait up to ms for the call to return: true when it did. */
static bool wait_done(uint64_t ms)
{
	uint64_t end = now_ms() + ms;

	while (!atomic_load(&call_done) && now_ms() < end)
		usleep(10000);
	return atomic_load(&call_done);
}

/* The guard: a call still running after stuck_s is stuck (a live-lock or a
 * hang); the fault is taken away so it can return, and if even then it does
 * not, the reproducer ends rather than wedge the shell. */
static void *guard(void *arg)
{
	(void)arg;
	if (wait_done(stuck_s * 1000ull))
		return NULL;
	atomic_store(&stuck, true);
	say("stuck: the call is still running after %u s (a live-lock or a hang): "
	    "removing the fault so it can return\n", stuck_s);
	race_end();
	fault_set(false);
	if (wait_done(stuck_s * 1000ull))
		return NULL;
	/* its directory stays: a task stuck in the kernel may hold its files' locks */
	say("not recovered: the call did not return within %u s of removing the fault; exiting "
	    "(a task stuck in the kernel may stay behind, see ps; so does %s)\n", stuck_s,
	    workfd >= 0 ? dir_path : "nothing");
	say("result=stuck recovered=0\n");
	_exit(1);
}

/* Remove what the reproducer made: its directory (mode 0700, so everything
 * in it is its own), one level of subdirectories deep. */
static void remove_tree(int dfd, int depth)
{
	DIR *d = fdopendir(dup(dfd));
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type == DT_DIR && depth > 0) {
			int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0) {
				remove_tree(sub, depth - 1);
				close(sub);
			}
			unlinkat(dfd, e->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dfd, e->d_name, 0);
		}
	}
	closedir(d);
}

static void remove_workdir(void)
{
	if (workfd < 0)
		return;
	remove_tree(workfd, 1);
	close(workfd);
	workfd = -1;
	rmdir(dir_path);
}

static int make_workdir(const char *dir)
{
	struct statfs sf;

	if (statfs(dir, &sf) != 0) {
		fprintf(stderr, "repro: %s: %s; give a directory on %s\n", dir, strerror(errno), CASE_FS);
		return -1;
	}
	if (CASE_FS_MAGIC && (unsigned long)(unsigned int)sf.f_type != CASE_FS_MAGIC)
		say("warning: %s is not %s (statfs f_type 0x%lx): the kernel may answer otherwise\n",
		    dir, CASE_FS, (unsigned long)(unsigned int)sf.f_type);
	snprintf(dir_path, sizeof(dir_path), "%s/mteprobe-repro.XXXXXX", dir);
	if (!mkdtemp(dir_path)) {
		fprintf(stderr, "repro: cannot make a directory in %s: %s; give a directory you can "
			"write to\n", dir, strerror(errno));
		return -1;
	}
	workfd = open(dir_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (workfd < 0) {
		fprintf(stderr, "repro: cannot open %s: %s\n", dir_path, strerror(errno));
		rmdir(dir_path);
		return -1;
	}
	return 0;
}

static const char *errno_name(long err)
{
	static char b[24];
	const char *n = strerrorname_np((int)err);

	if (n)
		return n;
	snprintf(b, sizeof(b), "E%ld", err);
	return b;
}

static void usage(const char *prog)
{
	printf("usage: %s [-t SECONDS] [DIR]\n"
	       "Makes the call of this case once and says what the kernel did and what a\n"
	       "byte-exact kernel would return. DIR: where its files go (default %s),\n"
	       "in a directory of its own that it removes. -t: when a call still running\n"
	       "is stuck and gets its fault removed (default %d s).\n"
	       "Exit status: 0 the call returned (whatever it returned), 1 it did not even\n"
	       "with the fault removed, 2 usage, 3 no MTE here, 4 the setup failed.\n",
	       prog, CASE_DIR, CASE_STUCK_S);
}

/* Can this machine run the case as it was written? 0, or the exit status. */
static int check_platform(void)
{
	char arch[32] = "";
	int f;

	page = (size_t)sysconf(_SC_PAGESIZE);
	if (page != CASE_PAGE) {
		fprintf(stderr, "repro: this case was made for %d-byte pages, this kernel has %zu; "
			"generate it here with mteprobe repro\n", CASE_PAGE, page);
		return 4;
	}
#ifdef __aarch64__
	have_mte = getauxval(AT_HWCAP2) & HWCAP2_MTE_BIT;
#endif
	if (CASE_NEEDS_MTE && !have_mte) {
		fprintf(stderr, "repro: this case needs an arm64 CPU with MTE (or the VM: scripts/mte-vm)\n");
		return 3;
	}
	/* the kernel's own architecture: user-mode qemu does not emulate it */
	f = open("/proc/sys/kernel/arch", O_RDONLY);
	if (f >= 0 && read(f, arch, sizeof(arch) - 1) > 0) {
		arch[strcspn(arch, "\n")] = '\0';
#ifdef __aarch64__
		if (strcmp(arch, "aarch64"))
#else
		if (strcmp(arch, "x86_64"))
#endif
			say("warning: user-mode emulation (a %s kernel): syscalls are not the kernel's own "
			    "answer to tags here; run it on arm64 (scripts/mte-vm)\n", arch);
	}
	if (f >= 0)
		close(f);
	return 0;
}

/* The one way out after the directory was made: everything made removed. */
static int finish(int status)
{
	cleanup();
	remove_workdir();
	free(ref);
	free(before);
	if (CASE_MODE == MODE_ASYMM)
		asymm_end();
	return status;
}

/* What happened, as mteprobe classifies it (lib/outcome.c), in one line of
 * key=value pairs named as mteprobe's CSV columns. */
static void report(long ret, size_t probed, long expect, int data_ok)
{
	bool was_stuck = atomic_load(&stuck), in_range = probed < CASE_LEN;
	size_t exact = DRIVER_RECORDS ? (size_t)expect : probed;
	long bypass = -1;
	const char *result;

	if (was_stuck)
		result = "stuck";
	else if (ret < 0)
		result = ret == -EFAULT ? "efault" : "errno";
	else if (async_fault)
		result = "signal";
	else
		result = (size_t)ret >= want ? "full" : "short";
	/* a bypass: the call said it touched bytes past the fault, unchecked */
	if (!was_stuck && in_range && (CASE_FAULT == FAULT_PAGE || CASE_MODE != MODE_NONE) &&
	    CASE_FAULT != FAULT_RETAG) {
		if (ret < 0 || async_fault)
			bypass = 0;
		else
			bypass = ((size_t)ret >= want ? reach : (size_t)ret) > exact;
	}
	printf("result=%s ret=%ld errno=%s expect=%ld delta=", result, ret,
	       ret < 0 ? errno_name(-ret) : "", expect);
	if (!was_stuck && ret >= 0 && in_range)
		printf("%ld", (long)exact - ret);
	printf(" data_ok=");
	if (data_ok >= 0)
		printf("%d", data_ok);
	printf(" overshoot=");
	if (overshoot >= 0)
		printf("%ld", overshoot);
	printf(" bypass=");
	if (bypass >= 0)
		printf("%ld", bypass);
	printf(" recovered=%s\n", was_stuck ? "1" : "");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER };
	const char *dir = CASE_DIR;
	size_t probed;
	long expect, ret;
	unsigned long flips;
	uint64_t t0, took;
	pthread_t guard_thread;
	int opt, err;

	while ((opt = getopt(argc, argv, "t:h")) != -1) {
		if (opt == 't' && atoi(optarg) > 0 && atoi(optarg) <= 3600) {
			stuck_s = (unsigned)atoi(optarg);
		} else if (opt == 'h') {
			usage(argv[0]);
			return 0;
		} else {
			fprintf(stderr, "repro: bad option; -t takes 1 to 3600 seconds. Try '%s -h'.\n",
				argv[0]);
			return 2;
		}
	}
	if (optind < argc)
		dir = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "repro: unexpected argument '%s'. Try '%s -h'.\n", argv[optind], argv[0]);
		return 2;
	}

	say("case: %s\n", CASE_TITLE);
	if ((err = check_platform()))
		return err;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	if ((err = make_buffer())) {
		fprintf(stderr, "repro: cannot map the buffer: %s\n", strerror(-err));
		return 4;
	}
	if (CASE_USES_DIR && make_workdir(dir))
		return 4;
	if ((err = setup())) {
		fprintf(stderr, "repro: setup failed: %s\n", note[0] ? note : strerror(-err));
		return finish(4);
	}
	if ((err = fault_set(true))) {
		fprintf(stderr, "repro: cannot place the fault: %s\n", strerror(-err));
		return finish(4);
	}

	/* what a byte-exact kernel would do, probed in sync mode */
	set_mode(MODE_SYNC);
	probed = probe(CASE_LEN);
	expect = expect_of(probed < want ? probed : want);
	if (CASE_MODE == MODE_ASYMM && (err = asymm_begin()))
		say("warning: cannot make the CPUs prefer asymm mode: %s\n", strerror(-err));
	if ((err = set_mode(CASE_MODE))) {
		fprintf(stderr, "repro: cannot set the tag-check mode: %s\n", strerror(-err));
		return finish(4);
	}
	if (probed < CASE_LEN)
		say("fault: the first byte that faults is %zu of %d\n", probed, CASE_LEN);
	else
		say("fault: none in the buffer\n");
	say("expect: %ld (what a byte-exact kernel returns)\n", expect);

	if ((err = pthread_create(&guard_thread, NULL, guard, NULL))) {
		fprintf(stderr, "repro: cannot start the guard thread: %s\n", strerror(err));
		return finish(4);
	}
	if (CASE_FAULT == FAULT_RETAG && (err = race_begin())) {
		fprintf(stderr, "repro: cannot start the retag race: %s\n", strerror(-err));
		atomic_store(&call_done, true);
		pthread_join(guard_thread, NULL);
		return finish(4);
	}
	t0 = now_ms();
	ret = call();
	took = now_ms() - t0;
	atomic_store(&call_done, true);
	flips = race_end();
	pthread_join(guard_thread, NULL);
	/* an asynchronous tag-check fault is signalled at the next kernel entries */
	getppid();
	getppid();
	set_mode(MODE_NONE);

	if (call_setup_broke) {
		fprintf(stderr, "repro: setup failed during the call: %s\n", note);
		return finish(4);
	}
	if (atomic_load(&stuck))
		say("recovered: with the fault removed the call returned %ld%s%s\n", ret,
		    ret < 0 ? " " : "", ret < 0 ? errno_name(-ret) : "");
	else
		say("returned: %ld%s%s in %llu ms\n", ret, ret < 0 ? " " : "",
		    ret < 0 ? errno_name(-ret) : "", (unsigned long long)took);
	if (CASE_FAULT == FAULT_RETAG)
		say("retag race: %lu flips during the call\n", flips);
	if (async_fault)
		say("signal: SIGSEGV (SEGV_MTEAERR, an asynchronous tag-check fault) after the call\n");
	err = verify(ret);
	if (note[0])
		say("note: %s\n", note);
	report(ret, probed, expect, err);
	return finish(0);
}
