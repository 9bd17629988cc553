"""Run the development stack: mail catcher, worker and web server, stopped together.

Used by `make run`. Mails are not sent anywhere: the catcher prints each one
(subject, recipient, text) in this console and keeps a copy in instance/mails/.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FLASK = [PYTHON, "-m", "flask", "--app", "wsgi"]


def main() -> int:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("MAIL_SERVER", "127.0.0.1")
    env.setdefault("MAIL_PORT", "1025")
    processes = [
        subprocess.Popen(
            [PYTHON, str(ROOT / "scripts/mail_catcher.py"), "--port", env["MAIL_PORT"]],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen([*FLASK, "worker"], cwd=ROOT, env=env),
        subprocess.Popen(
            [*FLASK, "run", "--host", "127.0.0.1", "--port", "5000", "--debug"],
            cwd=ROOT,
            env=env,
        ),
    ]
    print("Recrutement PVD : http://127.0.0.1:5000  (Ctrl-C pour arrêter)", flush=True)

    def stop(*_args):
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    finally:
        stop()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
