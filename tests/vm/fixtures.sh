# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Stand-ins for tests of scripts/mte-vm that need no guest, shared by tests/vm/run and
# tests/vm/silent-guest. Each makes its file under $work (set by the caller) and prints
# its path.
# shellcheck disable=SC2154 # $work is the caller's

# A static arm64 program, so tests that get past mte-vm's binary check need no build.
tiny_binary() {
	printf 'int main(void) { return 0; }\n' >"$work/tiny.c"
	aarch64-linux-gnu-gcc -static -o "$work/tiny" "$work/tiny.c"
	echo "$work/tiny"
}

# A file QEMU would take for an arm64 Image: the "ARM\x64" magic at 0x38.
fake_image() {
	head -c 56 /dev/zero >"$work/Image"
	printf 'ARM\x64' >>"$work/Image"
	echo "$work/Image"
}

# A directory to put first on PATH, holding a qemu-system-aarch64 (version 10.0.2)
# that boots nothing:
#   silent  exits at once: a guest that returns no output at all;
#   ok      a guest whose job printed "fake guest run N" (N counts the boots) and
#           exited 0: the userspace and job lines on the console, the results (a tar
#           stream, as scripts/vm/init writes it) on the results disk.
fake_qemu() {
	local mode=$1 dir=$work/fake-qemu-$1
	mkdir -p "$dir"
	cat >"$dir/qemu-system-aarch64" <<FAKE
#!/usr/bin/env bash
[ "\${1:-}" != --version ] || { echo "QEMU emulator version 10.0.2"; exit 0; }
[ $mode = ok ] || exit 0
console="" results=""
for a in "\$@"; do
	case \$a in
	file:*) console=\${a#file:} ;;
	if=none,id=results,file=*) results=\${a#if=none,id=results,file=}; results=\${results%%,*} ;;
	esac
done
n=\$((\$(cat "$dir/boots" 2>/dev/null || echo 0) + 1))
echo \$n >"$dir/boots"
printf 'mte-vm-guest: userspace at 1.00 s\\r\\nmte-vm-guest: job started, limit 600 s\\r\\n' >>"\$console"
r=\$(mktemp -d); chmod 755 "\$r"
echo "fake guest run \$n" >"\$r/mteprobe.stdout"
echo 0 >"\$r/mteprobe.status"
tar -cf - -C "\$r" . | dd of="\$results" conv=notrunc status=none
rm -rf "\$r"
FAKE
	chmod +x "$dir/qemu-system-aarch64"
	echo "$dir"
}
