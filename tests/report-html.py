#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The HTML report in a real browser: mteprobe report --html of two real VM
matrices (tests/report/matrix-5.10.csv, matrix-6.1.csv: 6.1's gfs2 buffered
reads live-lock, io_uring fixed buffers bypass), loaded in headless Chromium
driven over the DevTools protocol (--remote-debugging-pipe, no library):
the expected heat-map cells, the cases of a cell on hover and on click, the
kernel comparison and the findings, no console error, no request leaving
the file. Keeps report.html and report.png in OUTDIR.
Usage: report-html.py MTEPROBE OUTDIR OLD.csv NEW.csv   (exit 77: no Chromium)
"""
import base64
import csv
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
WAIT = 120  # seconds for any one step: generous, the machine may be busy


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Browser:
    """Chromium with the DevTools protocol on fds 3 (commands) and 4
    (replies and events), messages separated by NUL bytes."""

    def __init__(self, exe, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.out_r, out_w = os.pipe()

        def fds():  # in the child: the pipes on 3 and 4, kept across exec
            high = (os.dup(cmd_r), os.dup(out_w))
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        args = [exe, "--headless=new", "--remote-debugging-pipe", "--user-data-dir=" + profile,
                "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking",
                "--window-size=1400,1000", "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses root otherwise
        self.proc = subprocess.Popen(args, preexec_fn=fds, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(cmd_r)
        os.close(out_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.out_r], [], [], left)[0]:
                fail("Chromium did not answer within %d s" % WAIT)
            chunk = os.read(self.out_r, 1 << 20)
            if not chunk:
                fail("Chromium closed the pipe: " + self.proc.stderr.read().decode()[-2000:])
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + WAIT
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    fail("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method):
        deadline = time.monotonic() + WAIT
        for i, m in enumerate(self.events):
            if m.get("method") == method:
                return self.events.pop(i)
        while True:
            m = self._read(deadline)
            if m.get("method") == method:
                return m
            self.events.append(m)

    def close(self):
        try:
            self.call("Browser.close")
        except SystemExit:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def mode_fault_kinds(*files):
    """How many mode/fault kinds the CSVs hold (columns by name)."""
    kinds = set()
    for name in files:
        with open(name, newline="", encoding="utf-8") as f:
            kinds |= {(row["mode"], row["fault"]) for row in csv.DictReader(f)}
    return len(kinds)


def main():
    if len(sys.argv) != 5:
        fail("usage: report-html.py MTEPROBE OUTDIR OLD.csv NEW.csv")
    mteprobe, outdir, old, new = sys.argv[1:]
    os.makedirs(outdir, exist_ok=True)
    html = os.path.join(outdir, "report.html")
    png = os.path.join(outdir, "report.png")
    r = subprocess.run([mteprobe, "report", "--html", html, old, new], capture_output=True, text=True)
    if r.returncode != 0:
        fail("mteprobe report --html: status %d: %s" % (r.returncode, r.stderr))
    page = open(html, encoding="utf-8").read()
    for banned in ("http://", "https://", "<link", " src=", "@import", "@font-face", "url("):
        if banned in page:
            fail("the page refers to something outside itself: %r" % banned)

    exe = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(n)), None)
    if not exe:
        print("skip: no Chromium (Debian's chromium package; scripts/install-deps installs it)")
        sys.exit(SKIP)
    with tempfile.TemporaryDirectory(prefix="mteprobe-chromium.") as profile:
        b = Browser(exe, profile)
        try:
            check_page(b, html, png, mode_fault_kinds(old, new))
        finally:
            b.close()
    print("ok: %s, screenshot %s" % (html, png))


def check_page(b, html, png, kinds):
    target = next(t for t in b.call("Target.getTargets")["targetInfos"] if t["type"] == "page")
    s = b.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})["sessionId"]
    for domain in ("Runtime", "Log", "Page", "Network"):
        b.call(domain + ".enable", session=s)
    url = "file://" + os.path.abspath(html)
    b.call("Page.navigate", {"url": url}, session=s)
    b.wait_event("Page.loadEventFired")

    def js(expr):
        r = b.call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=s)
        if "exceptionDetails" in r:
            fail("%s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def cell(kernel, mode, fault, line, fs):
        return ("document.querySelector('table.heat[data-kernel=\"%s\"][data-mode=\"%s\"]"
                "[data-fault=\"%s\"] tr[data-line=\"%s\"] td[data-fs=\"%s\"]')"
                % (kernel, mode, fault, line, fs))

    k61, k510 = "6.1.0-50-arm64", "5.10.0-32-arm64"
    # a heat map per kernel and mode/fault kind
    n = js("document.querySelectorAll('table.heat').length")
    if n != 2 * kinds:
        fail("%s heat maps, want %d (2 kernels, %d mode/fault kinds)" % (n, 2 * kinds, kinds))
    expect = [
        ((k61, "sync", "mte", "read buffered", "gfs2"), "8L", "k0"),
        ((k510, "sync", "mte", "read buffered", "gfs2"), "3O 2E 3s", "k5"),
        ((k61, "sync", "mte", "uring-read-fixed buffered", "ext4"), "8B", None),
        ((k61, "async", "mte", "read buffered", "tmpfs"), "B", None),
    ]
    for where, text, cls in expect:
        got = js("(c => c && [c.textContent, c.className])(%s)" % cell(*where))
        if not got or got[0] != text or (cls and got[1] != cls):
            fail("cell %s: %r, want %r" % (" ".join(where), got, text))

    # hover: the tooltip lists the cell's cases
    gfs2 = cell(k61, "sync", "mte", "read buffered", "gfs2")
    js("%s.scrollIntoView({block: 'center'})" % gfs2)
    x, y = js("(r => [r.x + r.width / 2, r.y + r.height / 2])(%s.getBoundingClientRect())" % gfs2)
    b.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y}, session=s)
    tip = js("(t => [t.hidden, t.querySelectorAll('table.cases tr').length, t.textContent])"
             "(document.getElementById('tip'))")
    if tip[0] or tip[1] != 9 or "livelock" not in tip[2]:
        fail("hover on the 6.1 gfs2 read cell: hidden %s, %s rows: %.200s" % tuple(tip))
    # click: the cases stay in the panel below, every column there
    for kind in ("mousePressed", "mouseReleased"):
        b.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left",
                                            "clickCount": 1}, session=s)
    det = js("(d => [d.hidden, d.querySelectorAll('table.cases tr').length, "
             "[...d.querySelectorAll('table.cases th')].map(h => h.textContent).join(',')])"
             "(document.getElementById('detail'))")
    want_cols = "len,fault_at,buf_off,state,backing,result,ret,expect,delta,errno,bypass,data_ok,overshoot,recovered,fault_ins,note"
    if det[0] or det[1] != 9 or det[2] != want_cols:
        fail("click on the 6.1 gfs2 read cell: hidden %s, %s rows, columns %s" % tuple(det))
    if not js("%s.classList.contains('sel')" % gfs2):
        fail("the clicked cell is not marked")

    # the kernels compared, and the findings
    summary = js("[...document.querySelectorAll('p.summary')].map(p => p.textContent).join('|')")
    if not summary.startswith("8 regressions, 16 improvements"):
        fail("kernel comparison: %r" % summary)
    if js("document.querySelectorAll('table.changes tr.regression').length") != 8:
        fail("the changes table does not list the 8 regressions")
    if js("document.querySelectorAll('table.side').length") != kinds:
        fail("no side-by-side table per mode/fault kind")
    stuck = js("[...document.querySelectorAll('h3')].map(h => h.textContent)"
               ".find(t => t.startsWith('Livelocks and hangs'))")
    if stuck != "Livelocks and hangs: 14":
        fail("findings: %r (want 6 livelocks on 5.10 and 8 on 6.1)" % stuck)

    # the mouse away, so that the screenshot shows the clicked cell's panel
    b.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": 1, "y": 1}, session=s)
    shot = b.call("Page.captureScreenshot", {"format": "png"}, session=s)
    with open(png, "wb") as f:
        f.write(base64.b64decode(shot["data"]))

    # nothing went wrong on the page, and nothing left the file
    b.call("Runtime.evaluate", {"expression": "1"}, session=s)  # flush pending events
    errors = []
    for m in b.events:
        p = m.get("params", {})
        if m.get("method") == "Runtime.exceptionThrown":
            errors.append("exception: %s" % p["exceptionDetails"].get("text"))
        elif m.get("method") == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
            errors.append("console.%s: %s" % (p["type"], [a.get("value") for a in p.get("args", [])]))
        elif m.get("method") == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            errors.append("log: %s" % p["entry"].get("text"))
        elif m.get("method") == "Network.requestWillBeSent" and p["request"]["url"] != url:
            errors.append("request: %s" % p["request"]["url"])
    if errors:
        fail("; ".join(errors))


if __name__ == "__main__":
    main()
